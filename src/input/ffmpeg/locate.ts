/**
 * Which FFmpeg. For decoding pixels (any FFmpeg decodes HEVC exactly): `FFMPEG_PATH`, else `ffmpeg`
 * on the PATH, else the binary of the npm package `@ffmpeg-installer/ffmpeg`; each candidate must
 * answer `-version`. When none runs, decoding (never encoding) falls back to the WebAssembly build
 * `@ffmpeg/core`, loaded directly in Node.
 *
 * For transcoding (transcoderLocation), where the FFmpeg build decides the stream's bytes: the
 * bundled `@ffmpeg-installer/ffmpeg` binary, unless the user asks for another one (`FFMPEG_PATH`,
 * `--transcoder system`, `--transcoder PATH`).
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { FfmpegError, runFfmpeg } from './process.js';

/** Where a binary came from: `option` (a path given explicitly), `env` (FFMPEG_PATH), `path` (the PATH), `npm` (@ffmpeg-installer/ffmpeg, bundled), `wasm` (@ffmpeg/core). */
export type FfmpegSource = 'option' | 'env' | 'path' | 'npm' | 'wasm';

export interface FfmpegInfo {
  kind: 'native' | 'wasm';
  source: FfmpegSource;
  /** Executable path, or the @ffmpeg/core module path. */
  path: string;
  /** First line of `-version` (or the @ffmpeg/core package version). */
  version: string;
}

const require = createRequire(import.meta.url);

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function versionOf(bin: string): Promise<string | null> {
  try {
    const r = await runFfmpeg(bin, ['-hide_banner', '-version'], { timeoutMs: 15000 });
    if (r.code !== 0) return null;
    return r.stdout.toString().split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

function npmFfmpegPath(): string | null {
  try {
    const p = (require('@ffmpeg-installer/ffmpeg') as { path?: string }).path;
    return p && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** The ES module build of @ffmpeg/core and its version (its exports map hides package.json). */
function wasmCore(): { path: string; version: string } | null {
  try {
    const dist = dirname(dirname(require.resolve('@ffmpeg/core'))); // .../dist/umd/ffmpeg-core.js
    const p = join(dist, 'esm', 'ffmpeg-core.js');
    if (!existsSync(p) || !existsSync(join(dist, 'esm', 'ffmpeg-core.wasm'))) return null;
    const { version } = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
    return { path: p, version };
  } catch {
    return null;
  }
}

export interface LocateOptions {
  /** `auto` (default): first native candidate that runs, else WASM. `native`: never WASM. `wasm`: WASM only. */
  prefer?: 'auto' | 'native' | 'wasm';
  env?: NodeJS.ProcessEnv;
  /** Native candidates to try, in this order. Default ['env', 'path', 'npm']. */
  sources?: Exclude<FfmpegSource, 'wasm'>[];
  /** The executable of source `option`. */
  path?: string;
}

/**
 * Which FFmpeg transcodes: `bundled` (@ffmpeg-installer/ffmpeg only), `system` (FFMPEG_PATH, else
 * the PATH, else bundled), or the path of an executable. Default: FFMPEG_PATH when set, else bundled.
 */
export type TranscoderChoice = 'bundled' | 'system' | (string & {});

/** The LocateOptions of a transcoder choice. */
export function transcoderLocation(choice: TranscoderChoice | undefined): LocateOptions {
  if (choice === undefined) return { sources: ['env', 'npm'] };
  if (choice === 'bundled') return { sources: ['npm'] };
  if (choice === 'system') return { sources: ['env', 'path', 'npm'] };
  if (!choice) throw new FfmpegError('transcoder must be bundled, system or the path of an FFmpeg executable', 'ERR_INVALID_OPTION');
  return { sources: ['option'], path: choice };
}

const cache = new Map<string, Promise<FfmpegInfo>>();

/** Candidates in order, each with where it came from. */
function nativeCandidates(env: NodeJS.ProcessEnv, sources: LocateOptions['sources'] = ['env', 'path', 'npm'], explicit?: string): { source: FfmpegSource; path: string }[] {
  const out: { source: FfmpegSource; path: string }[] = [];
  if (explicit && sources.includes('option')) out.push({ source: 'option', path: explicit });
  if (env.FFMPEG_PATH && sources.includes('env')) out.push({ source: 'env', path: env.FFMPEG_PATH });
  for (const dir of sources.includes('path') ? (env.PATH ?? '').split(delimiter) : []) {
    if (!dir) continue;
    const p = join(dir, process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
    if (isExecutable(p)) {
      out.push({ source: 'path', path: p });
      break;
    }
  }
  const npm = sources.includes('npm') ? npmFfmpegPath() : null;
  if (npm) out.push({ source: 'npm', path: npm });
  return out;
}

/** Finds the FFmpeg to use (cached per option set). Throws FfmpegError ERR_NO_FFMPEG when none can run. */
export function locateFfmpeg(opts: LocateOptions = {}): Promise<FfmpegInfo> {
  const env = opts.env ?? process.env;
  const prefer = opts.prefer ?? 'auto';
  const key = `${prefer}|${env.FFMPEG_PATH ?? ''}|${env.PATH ?? ''}|${opts.sources?.join(',') ?? '*'}|${opts.path ?? ''}`;
  let p = cache.get(key);
  if (!p) {
    p = (async (): Promise<FfmpegInfo> => {
      const tried: string[] = [];
      if (prefer !== 'wasm') {
        for (const c of nativeCandidates(env, opts.sources, opts.path)) {
          const v = await versionOf(c.path);
          if (v) return { kind: 'native', source: c.source, path: c.path, version: v };
          tried.push(`${c.source}: ${c.path} (does not run)`);
        }
      }
      if (prefer !== 'native') {
        const core = wasmCore();
        if (core) return { kind: 'wasm', source: 'wasm', path: core.path, version: `@ffmpeg/core ${core.version}` };
        tried.push('@ffmpeg/core, the WebAssembly decoder (an optional peer dependency: not installed; `npm install @ffmpeg/core`)');
      }
      throw new FfmpegError(`no usable FFmpeg: set FFMPEG_PATH, put ffmpeg on the PATH or install @ffmpeg-installer/ffmpeg (tried: ${tried.join('; ') || 'nothing'})`, 'ERR_NO_FFMPEG');
    })();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
