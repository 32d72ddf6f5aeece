// Running an FFmpeg executable: its error type and a child process that collects stdout and
// (the tail of) stderr.
import { spawn } from 'node:child_process';
import { CodectokError, type CodectokErrorCode } from '../../errors.js';

/**
 * Codes: ERR_NO_FFMPEG (none runs, or the WASM build was asked to encode), ERR_FFMPEG (FFmpeg
 * failed: transcode, demux, JPEG), ERR_DECODE (fewer frames than asked), ERR_UNSUPPORTED (no video
 * stream; not HEVC with --reencode never), ERR_IO (missing input), ERR_INVALID_OPTION.
 */
export class FfmpegError extends CodectokError {
  constructor(message: string, code: CodectokErrorCode = 'ERR_FFMPEG', readonly stderr = '', file?: string) {
    super(code, message, { file });
    this.name = 'FfmpegError';
  }
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runFfmpeg(bin: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1 << 20) err = err.slice(-(1 << 19));
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}
