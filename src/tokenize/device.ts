// Where tokenize() runs its data-parallel stages: `device` / --device.
// cpu: the C++ core on the CPU (default). cuda: the GPU kernels of cpp/cuda,
// which the Node addon is not built with yet (README "GPU"), so it is refused
// with ERR_UNSUPPORTED rather than silently run on the CPU. auto: the GPU when
// the addon has CUDA and a device, else the CPU; today always the CPU.
import { CodectokError } from '../errors.js';

export type Device = 'cpu' | 'cuda' | 'auto';
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'auto'];

/** Whether this build of the addon can run on a CUDA device (it is built without CUDA). */
export function cudaAvailable(): { ok: false; reason: string } | { ok: true } {
  return { ok: false, reason: 'built without CUDA (the Node addon does not include the cpp/cuda kernels)' };
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
