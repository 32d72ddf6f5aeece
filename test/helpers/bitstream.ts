// Byte-level tools for building bad inputs from the corpus streams: NAL unit
// splitting, emulation prevention, a bit reader/writer (for patching an SPS) and
// a seeded random generator.

export interface NalUnit {
  /** Offset of the start code. */
  start: number;
  /** Offset of the NAL unit header (after the start code). */
  header: number;
  /** End (exclusive): the next start code, or the end of the stream. */
  end: number;
  type: number;
}

/** Splits an Annex-B stream into NAL units (start codes 00 00 01, with an optional leading 00). */
export function splitNals(data: Uint8Array): NalUnit[] {
  const heads: Array<{ start: number; header: number }> = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      const start = i > 0 && data[i - 1] === 0 ? i - 1 : i;
      heads.push({ start, header: i + 3 });
      i += 2;
    }
  }
  return heads.map((h, k) => {
    let end = k + 1 < heads.length ? heads[k + 1]!.start : data.length;
    // trailing_zero_8bits belong to no NAL unit
    while (end > h.header && data[end - 1] === 0 && k + 1 < heads.length) end--;
    return { ...h, end, type: (data[h.header]! >> 1) & 0x3f };
  });
}

/** NAL unit payload bytes (header included, start code excluded). */
export function nalBytes(data: Uint8Array, n: NalUnit): Uint8Array {
  return data.subarray(n.header, n.end);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** Removes emulation prevention bytes (00 00 03 -> 00 00). */
export function toRbsp(ebsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of ebsp) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

/** Inserts emulation prevention bytes. */
export function toEbsp(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

export class BitReader {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}
  bit(): number {
    const b = (this.data[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) zeros++;
    return 2 ** zeros - 1 + this.u(zeros);
  }
  get bitsLeft(): number {
    return this.data.length * 8 - this.pos;
  }
}

export class BitWriter {
  private bits: number[] = [];
  u(n: number, v: number): void {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) & 1);
  }
  ue(v: number): void {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    this.u(len, 0);
    this.u(len + 1, x);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(Math.ceil(this.bits.length / 8));
    this.bits.forEach((b, i) => {
      if (b) out[i >> 3]! |= 0x80 >> (i & 7);
    });
    return out;
  }
  get length(): number {
    return this.bits.length;
  }
}

/**
 * Rewrites an SPS NAL unit (header included, emulation-prevented) with another
 * pic_width/height_in_luma_samples, copying every other bit. Handles
 * sps_max_sub_layers_minus1 = 0 (what the corpus streams use).
 */
export function patchSpsSize(sps: Uint8Array, width: number, height: number): Uint8Array {
  const rbsp = toRbsp(sps);
  const r = new BitReader(rbsp);
  const w = new BitWriter();
  const copy = (n: number) => {
    for (let i = 0; i < n; i++) w.u(1, r.bit());
  };
  copy(16); // nal_unit_header
  copy(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 !== 0) throw new Error('patchSpsSize: sub-layers not handled');
  w.u(3, maxSubLayersMinus1);
  copy(1); // sps_temporal_id_nesting_flag
  copy(96); // profile_tier_level(1, 0)
  w.ue(r.ue()); // sps_seq_parameter_set_id
  const chroma = r.ue();
  w.ue(chroma);
  if (chroma === 3) copy(1);
  r.ue();
  r.ue();
  w.ue(width);
  w.ue(height);
  // The rest, up to and including rbsp_trailing_bits, as it was (minus the
  // final alignment zeros, which are redone).
  let last = rbsp.length * 8 - 1;
  while (last > r.pos && ((rbsp[last >> 3]! >> (7 - (last & 7))) & 1) === 0) last--;
  while (r.pos < last) w.u(1, r.bit());
  w.u(1, 1); // rbsp_stop_one_bit
  while (w.length % 8 !== 0) w.u(1, 0);
  return toEbsp(w.bytes());
}

/** Reads pic_width/height_in_luma_samples from an SPS NAL unit (for checking the patch). */
export function spsSize(sps: Uint8Array): { width: number; height: number } {
  const r = new BitReader(toRbsp(sps));
  for (let i = 0; i < 16 + 4 + 3 + 1 + 96; i++) r.bit();
  r.ue();
  if (r.ue() === 3) r.u(1);
  return { width: r.ue(), height: r.ue() };
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}
