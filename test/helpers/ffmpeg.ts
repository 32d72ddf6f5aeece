// The static ffmpeg shipped by the @ffmpeg-installer/ffmpeg npm package (with
// libx264 and libx265): tests make MP4 files with it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function ffmpegPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const p = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export function ffmpeg(args: string[]): void {
  const bin = ffmpegPath();
  if (!bin) throw new Error('ffmpeg from @ffmpeg-installer/ffmpeg is not installed');
  execFileSync(bin, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}
