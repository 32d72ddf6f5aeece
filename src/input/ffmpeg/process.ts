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

/** `signal`: aborting it kills FFmpeg (SIGKILL) and rejects with the signal's reason. */
export function runFfmpeg(bin: string, args: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal, killSignal: 'SIGKILL' });
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
      reject(opts.signal?.aborted ? opts.signal.reason : e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}
