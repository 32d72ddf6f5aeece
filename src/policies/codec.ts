/**
 * `codec` policy (OneVision-Encoder): one global top-K over all sampled frames x patches.
 *
 * 1. Dense slots are kept whole, in slot order and raster order, padding patches included:
 *    the first slot (`keepFirst`, default true) and, with `iframes: 'dense'`, every I slot.
 * 2. The rest of the budget goes to the other patches by fused score, highest first. Patches that
 *    touch the letterbox padding rank after every content patch (`padding: 'exclude'`, default).
 *    With `iframes: 'zero'` (default) the patches of I slots score 0: an I-frame's residual measures
 *    texture, not change. `iframes: 'score'` ranks them with their own scores.
 * 3. A static clip (`vol.static`, nothing moves or is corrected) falls back to floor(K/S) full frames
 *    evenly spaced over the slots; the remaining K mod S tokens go to the other slots by score.
 * Ties are broken by (t, h, w) ascending. The output has exactly min(K, T*S) rows.
 *
 * The selection itself is the C++ core's (cpp/score/select_top_k.cpp, through the addon), the one
 * definition the GPU selection (cpp/cuda/select_kernels.cu, `device: 'cuda'`) is checked against.
 */
import { loadNative } from '../input/native.js';
import { type ScoreVolume, type Selection, checkBudget, checkVolume, PolicyError, toPositions } from './types.js';

export type IFramePolicy = 'zero' | 'dense' | 'score';

export interface CodecPolicyOptions {
  budget: number;
  iframes?: IFramePolicy;
  keepFirst?: boolean;
  padding?: 'exclude' | 'include';
  staticFallback?: boolean;
  /** Row order of the result: (t, h, w) ascending (default), or dense slots first then by rank (OneVision-Encoder's files). */
  order?: 'thw' | 'score';
}

export function resolveCodecOptions(o: CodecPolicyOptions) {
  const iframes = o.iframes ?? 'zero';
  if (!['zero', 'dense', 'score'].includes(iframes)) throw new PolicyError(`iframes must be zero, dense or score, got ${String(iframes)}`);
  const padding = o.padding ?? 'exclude';
  if (padding !== 'exclude' && padding !== 'include') throw new PolicyError(`padding must be exclude or include, got ${String(padding)}`);
  const order = o.order ?? 'thw';
  if (order !== 'thw' && order !== 'score') throw new PolicyError(`order must be thw or score, got ${String(order)}`);
  return { budget: o.budget, iframes, keepFirst: o.keepFirst ?? true, padding, staticFallback: o.staticFallback ?? true, order };
}

/** Where the selection runs: the C++ core on the CPU, or the GPU kernels (an addon built with CUDA and a device). */
export type SelectionDevice = 'cpu' | 'cuda';

/**
 * The C++ selection (cpp/score/select_top_k.h) of a volume: `o.order` rows, and with `keys` the
 * rank key of each (what the ranking compares: the score, 0 in I slots with iframes zero,
 * below -1 for patches touching padding with padding exclude).
 */
export function nativeTopK(vol: ScoreVolume, o: ReturnType<typeof resolveCodecOptions>, device: SelectionDevice, keys = false) {
  const intra = Uint8Array.from(vol.frameTypes, (t) => (t === 'I' ? 1 : 0));
  return loadNative().selectTopK(
    vol.scores,
    intra,
    vol.content,
    { T: vol.T, gridH: vol.gridH, gridW: vol.gridW, static: vol.static, budget: o.budget, iframes: o.iframes, keepFirst: o.keepFirst, padding: o.padding, staticFallback: o.staticFallback, order: o.order, keys },
    device,
  );
}

export function selectCodec(vol: ScoreVolume, opts: CodecPolicyOptions, policy = 'codec', device: SelectionDevice = 'cpu'): Selection {
  checkVolume(vol);
  checkBudget(opts.budget);
  const o = resolveCodecOptions(opts);
  const S = vol.gridH * vol.gridW;
  const K = Math.min(o.budget, vol.T * S);
  const r = nativeTopK(vol, o, device);
  if (r.flat.length !== K) throw new PolicyError(`internal: selected ${r.flat.length} of ${K}`);
  return {
    policy,
    positions: toPositions(r.flat, vol.gridH, vol.gridW),
    count: K,
    padded: 0,
    budget: o.budget,
    effectiveBudget: K,
    // slots fill in order, S patches each: those that got any patch
    denseSlots: Array.from(r.denseSlots),
    staticFallback: r.staticFallback,
  };
}
