// Which pictures a decoder must decode to output some frames of a stream, from the headers pass
// (pictureHeaders): the rest can be left out of what FFmpeg reads (pruned_stream.ts).
//
// Two rules, both from the decoding process, not from how encoders tend to lay streams out:
// - disposable pictures (H.264 nal_ref_idc 0; HEVC sub-layer non-reference pictures of the
//   highest sub-layer, H.265 clause 3) are referenced by no picture: one that is not a wanted
//   frame can go. It changes no other picture's decoding: they are never HEVC's prevTid0Pic; an
//   H.264 non-reference picture changes neither PrevRefFrameNum nor the POC type 0 state (taken
//   from the previous reference picture, clauses 7.4.3, 8.2.1.1), and its frame_num is
//   PrevRefFrameNum + 1 (modulo MaxFrameNum), between those of the pictures around it, so POC
//   types 1 and 2 count the same frame_num wraps (FrameNumOffset) without it. The
//   rule for H.264 (whose sliding-window marking counts reference pictures: none can go).
// - HEVC, by references: a wanted frame needs the pictures its slices predict from (the entries of
//   RefPicList0/1, clause 8.5.3.3; the collocated picture is one of them), and those theirs. HEVC
//   marks reference pictures explicitly by POC in each picture's RPS (clause 8.3.2), so a picture
//   left out changes nothing in how the others are marked: a decoder meets an RPS entry whose
//   picture is absent and uses none of its samples (the entry is in no list of a kept picture).
//   What else ties pictures together is kept exact:
//     - POC derivation (clause 8.3.1) reads prevTid0Pic, the previous TemporalId-0 picture that is
//       not RASL, RADL or a sub-layer non-reference picture: for each kept picture whose
//       prevTid0Pic would change, the derivation from the new one must give the same POC
//       (MaxPicOrderCntLsb from the SPS), else the old one is kept (and what it needs);
//     - the IRAP picture each kept picture is associated with (the previous one in decoding
//       order), so that RASL / RADL pictures stay leading pictures of the same IRAP, and the first
//       picture of the stream, so that no CRA becomes the first one (its RASL pictures would no
//       longer be output);
//     - RASL pictures are kept unless disposable (FFmpeg's RASL skipping after a CRA that starts
//       the stream follows RASL_R pictures as they come).
//   It applies when every picture decoded is output (decode indices 0..n-1: a picture with
//   pic_output_flag 0 is not listed, and what it needs is unknown) and every reference is found in
//   the coded video sequence; otherwise the disposable rule does.
import { loadNative } from '../native.js';
import type { PictureHeader } from '../picture_headers.js';

/** Rounds of the POC check (each keeps more pictures) before giving up on the references rule: bounds the planning time. */
const MAX_ROUNDS = 256;

/**
 * The pictures (by output index) a decoder must decode for these frames (output indices), the
 * frames themselves included. `pictures` are the stream's, as pictureHeaders lists them.
 */
export function neededPictures(pictures: readonly PictureHeader[], frames: readonly number[]): boolean[] {
  const wanted = new Set(frames);
  const byReferences = pictures.length > 0 && pictures.every((p) => p.codec === 'hevc') ? neededByReferences(pictures, wanted) : undefined;
  return byReferences ?? pictures.map((p) => !p.disposable || wanted.has(p.outIndex));
}

/** PicOrderCntVal of a picture of POC `poc` when derived from a prevTid0Pic of POC `prev` (clause 8.3.1: the decoder's own derivation, cpp/hevc/picture_order_count.h). */
export function derivePoc(poc: number, prev: number, maxPocLsb: number): number {
  return loadNative().derivePoc(poc, prev, maxPocLsb);
}

function neededByReferences(pictures: readonly PictureHeader[], wanted: Set<number>): boolean[] | undefined {
  const n = pictures.length;
  const dec: PictureHeader[] = new Array(n);
  for (const p of pictures) {
    if (!Number.isInteger(p.decodeIndex) || p.decodeIndex < 0 || p.decodeIndex >= n || dec[p.decodeIndex]) return undefined;
    dec[p.decodeIndex] = p;
  }
  if (!dec[0]!.irap) return undefined;
  // each picture's references (decode indices): the latest picture before it with that POC, in its
  // coded video sequence
  const refs: number[][] = [];
  for (let i = 0; i < n; i++) {
    const found: number[] = [];
    for (const poc of dec[i]!.refPocs) {
      let j = i - 1;
      while (j >= 0 && dec[j]!.poc !== poc && !dec[j]!.newSequence) j--;
      if (j < 0 || dec[j]!.poc !== poc) return undefined;
      found.push(j);
    }
    refs.push(found);
  }
  const irap = new Int32Array(n);
  const prevTid0 = new Int32Array(n);
  for (let i = 0, lastIrap = 0, lastAnchor = -1; i < n; i++) {
    if (dec[i]!.irap) lastIrap = i;
    irap[i] = lastIrap;
    prevTid0[i] = lastAnchor;
    if (dec[i]!.pocAnchor) lastAnchor = i;
  }
  const needed = new Uint8Array(n);
  needed[0] = 1;
  for (let i = 0; i < n; i++) if (wanted.has(dec[i]!.outIndex) || (dec[i]!.rasl && !dec[i]!.disposable)) needed[i] = 1;
  for (let round = 0; ; round++) {
    // each round keeps at least one more picture; past MAX_ROUNDS the disposable rule is as good a bound
    if (round > MAX_ROUNDS) return undefined;
    // what the needed pictures need (references precede in decoding order: one pass down)
    for (let i = n - 1; i >= 0; i--) {
      if (!needed[i]) continue;
      for (const r of refs[i]!) needed[r] = 1;
      needed[irap[i]!] = 1;
    }
    // POC derivation of the kept pictures from the prevTid0Pic they get
    let added = false;
    for (let i = 0, anchor = -1; i < n; i++) {
      if (!needed[i]) continue;
      const orig = prevTid0[i]!;
      if (orig >= 0 && anchor !== orig && !dec[i]!.newSequence) {
        const m = dec[i]!.maxPocLsb;
        if (anchor < 0 || !(m > 0) || derivePoc(dec[i]!.poc, dec[anchor]!.poc, m) !== derivePoc(dec[i]!.poc, dec[orig]!.poc, m)) {
          needed[orig] = 1;
          added = true;
        }
      }
      if (dec[i]!.pocAnchor) anchor = i;
    }
    if (!added) break;
  }
  const out = new Array<boolean>(n);
  for (let i = 0; i < n; i++) out[dec[i]!.outIndex] = needed[i] === 1;
  return out;
}
