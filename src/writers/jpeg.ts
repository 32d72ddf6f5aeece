// JPEG files (canvases) through a native FFmpeg.
import { spawn } from 'node:child_process';
import type { FfmpegInfo } from '../input/ffmpeg/locate.js';
import { FfmpegError } from '../input/ffmpeg/process.js';

/** Encodes RGB24 pixels to a JPEG file with a native FFmpeg. */
export async function writeJpeg(path: string, rgb: Uint8Array, width: number, height: number, ff: FfmpegInfo, quality = 2): Promise<void> {
  if (ff.kind !== 'native') throw new FfmpegError('JPEG output needs a native FFmpeg (use PNG instead)', 'ERR_NO_FFMPEG');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(ff.path, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', 'pipe:0', '-frames:v', '1', '-q:v', String(quality), '-pix_fmt', 'yuvj444p', path], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new FfmpegError(`JPEG encoding of ${path} failed: ${err.trim()}`, 'ERR_FFMPEG', err))));
    child.stdin.end(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength));
  });
}
