// Where tokenize() runs its data-parallel stages: `device` / --device.
// cpu: the C++ core on the CPU (default). cuda: the GPU kernels of cpp/cuda (README "GPU"): the
// codec policy's top-K runs there (cpp/cuda/select_kernels.cu); it needs an addon built with
// CUDA (CODECTOK_CUDA=ON npm run build:native) and a CUDA device, else ERR_UNSUPPORTED saying
// which is missing. auto: cuda when both are there, else the CPU.
import { CodectokError } from '../errors.js';
import { loadNative } from '../input/native.js';

export type Device = 'cpu' | 'cuda' | 'auto';
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'auto'];

/** Whether this build of the addon can run on a CUDA device, and if not why (built without CUDA, no device). */
export function cudaAvailable(): { ok: false; reason: string } | { ok: true } {
  const info = loadNative().cudaInfo();
  if (!info.built) return { ok: false, reason: 'built without CUDA (rebuild the addon with CODECTOK_CUDA=ON npm run build:native)' };
  if (info.devices < 1) return { ok: false, reason: info.reason || 'no CUDA device' };
  return { ok: true };
}

/** The device tokenize() uses for `device`: throws ERR_INVALID_OPTION / ERR_UNSUPPORTED. */
export function resolveDevice(device: unknown): 'cpu' | 'cuda' {
  if (device === undefined || device === 'cpu') return 'cpu';
  if (device !== 'cuda' && device !== 'auto') {
    throw new CodectokError('ERR_INVALID_OPTION', `device must be cpu, cuda or auto, got ${String(device)}`);
  }
  const cuda = cudaAvailable();
  if (cuda.ok) return 'cuda';
  if (device === 'auto') return 'cpu';
  throw new CodectokError('ERR_UNSUPPORTED', `device cuda: ${cuda.reason}`);
}
