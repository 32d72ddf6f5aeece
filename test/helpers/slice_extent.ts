// Where each slice's data lies in its NAL unit, found without the parser under test: the Annex-B
// bytes are split here, emulation prevention is removed here, and the parameter sets and slice
// headers are read here by a minimal reader written from the specifications (H.265 7.3.2.2,
// 7.3.2.3, 7.3.6, 7.3.7, 7.3.8.4 (v1 syntax, single layer); H.264 7.3.2.1, 7.3.2.2, 7.3.3). It
// reads only what decides where a slice header ends and refuses (throws) what it does not read
// (extensions, slice groups), so a stream it cannot measure fails loudly instead of being measured
// wrongly.
import { BitReader, splitNals, toRbsp } from './bitstream.js';

/** One slice (segment) NAL unit, in decoding order. */
export interface SliceExtent {
  /** Picture index in decoding order (counted by this reader). */
  picture: number;
  /** 'I' | 'P' | 'B' */
  type: string;
  /** Bit position in the RBSP (NAL unit header included) where slice_data() starts. */
  dataStart: number;
  /** Bit position in the RBSP of the rbsp_stop_one_bit (the last bit equal to 1). */
  stopBit: number;
  /** HEVC: slice_pic_order_cnt_lsb (0 for IDR pictures); H.264: pic_order_cnt_lsb (poc type 0) or -1. */
  pocLsb: number;
  /** log2 of MaxPicOrderCntLsb (0 where pocLsb is -1). */
  log2MaxPocLsb: number;
  /** H.264: PicSizeInMbs of the picture (bounds mb_skip_run); HEVC: PicSizeInCtbsY. */
  picSizeInBlocks: number;
  /** H.264: entropy_coding_mode_flag; HEVC: always true. */
  cabac: boolean;
}

class Reader extends BitReader {
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
  skip(n: number): void {
    this.pos += n;
  }
}

const ceilLog2 = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Bit index of the last bit equal to 1 of an RBSP (its rbsp_stop_one_bit; cabac_zero_words are zero). */
function stopBitOf(rbsp: Uint8Array): number {
  let i = rbsp.length - 1;
  while (i >= 0 && rbsp[i] === 0) i--;
  if (i < 0) throw new Error('an RBSP without a stop bit');
  let b = rbsp[i]!;
  let tz = 0;
  while ((b & 1) === 0) {
    b >>= 1;
    tz++;
  }
  return 8 * i + 7 - tz;
}

// ------------------------------------------------------------------------------------ H.265

interface HevcRps {
  s0: number[]; // DeltaPocS0
  s1: number[]; // DeltaPocS1
  used0: boolean[];
  used1: boolean[];
}

interface HevcSps {
  chromaArrayType: number;
  separateColourPlane: boolean;
  log2MaxPocLsb: number;
  picSizeInCtbs: number;
  rps: HevcRps[];
  longTermPresent: boolean;
  /** used_by_curr_pic_lt_sps_flag of each long-term candidate in the SPS. */
  ltUsedSps: boolean[];
  temporalMvp: boolean;
  sao: boolean;
}

interface HevcPps {
  sps: number;
  dependentSlices: boolean;
  outputFlagPresent: boolean;
  extraSliceHeaderBits: number;
  cabacInitPresent: boolean;
  numRefIdxDefault: [number, number];
  sliceChromaQpOffsets: boolean;
  weightedPred: boolean;
  weightedBipred: boolean;
  tiles: boolean;
  wpp: boolean;
  loopFilterAcrossSlices: boolean;
  deblockingOverride: boolean;
  deblockingDisabled: boolean;
  listsModification: boolean;
  headerExtension: boolean;
  chromaQpOffsetList: boolean;
}

function hevcScalingListData(r: Reader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.bit()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
        continue;
      }
      const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
      for (let i = 0; i < coefNum; i++) r.se();
    }
  }
}

/** st_ref_pic_set(idx) (7.3.7) with the derivation of 7.4.8. */
function hevcStRps(r: Reader, idx: number, sets: HevcRps[]): HevcRps {
  if (idx !== 0 && r.bit()) {
    // inter_ref_pic_set_prediction_flag
    const deltaIdx = idx === sets.length ? r.ue() + 1 : 1;
    const sign = r.bit();
    const deltaRps = (1 - 2 * sign) * (r.ue() + 1);
    const ref = sets[idx - deltaIdx];
    if (!ref) throw new Error('inter RPS prediction from a missing set');
    const n = ref.s0.length + ref.s1.length;
    const used: boolean[] = [];
    const useDelta: boolean[] = [];
    for (let j = 0; j <= n; j++) {
      used[j] = r.bit() === 1;
      useDelta[j] = used[j] ? true : r.bit() === 1;
    }
    // (7-61), (7-62)
    const out: HevcRps = { s0: [], s1: [], used0: [], used1: [] };
    for (let i = ref.s1.length - 1; i >= 0; i--) {
      const d = ref.s1[i]! + deltaRps;
      if (d < 0 && useDelta[ref.s0.length + i]) out.s0.push(d), out.used0.push(used[ref.s0.length + i]!);
    }
    if (deltaRps < 0 && useDelta[n]) out.s0.push(deltaRps), out.used0.push(used[n]!);
    for (let i = 0; i < ref.s0.length; i++) {
      const d = ref.s0[i]! + deltaRps;
      if (d < 0 && useDelta[i]) out.s0.push(d), out.used0.push(used[i]!);
    }
    for (let i = ref.s0.length - 1; i >= 0; i--) {
      const d = ref.s0[i]! + deltaRps;
      if (d > 0 && useDelta[i]) out.s1.push(d), out.used1.push(used[i]!);
    }
    if (deltaRps > 0 && useDelta[n]) out.s1.push(deltaRps), out.used1.push(used[n]!);
    for (let i = 0; i < ref.s1.length; i++) {
      const d = ref.s1[i]! + deltaRps;
      if (d > 0 && useDelta[ref.s0.length + i]) out.s1.push(d), out.used1.push(used[ref.s0.length + i]!);
    }
    return out;
  }
  const neg = r.ue();
  const pos = r.ue();
  const out: HevcRps = { s0: [], s1: [], used0: [], used1: [] };
  let poc = 0;
  for (let i = 0; i < neg; i++) {
    poc -= r.ue() + 1;
    out.s0.push(poc);
    out.used0.push(r.bit() === 1);
  }
  poc = 0;
  for (let i = 0; i < pos; i++) {
    poc += r.ue() + 1;
    out.s1.push(poc);
    out.used1.push(r.bit() === 1);
  }
  return out;
}

function hevcProfileTierLevel(r: Reader, maxSubLayersMinus1: number): void {
  r.skip(96); // general profile, tier, level
  const profile: boolean[] = [];
  const level: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profile.push(r.bit() === 1);
    level.push(r.bit() === 1);
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profile[i]) r.skip(88);
    if (level[i]) r.skip(8);
  }
}

function hevcSps(rbsp: Uint8Array): [number, HevcSps] {
  const r = new Reader(rbsp);
  r.skip(16 + 4); // NAL unit header, sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.u(3);
  r.skip(1);
  hevcProfileTierLevel(r, maxSubLayersMinus1);
  const id = r.ue();
  const chromaFormat = r.ue();
  const separateColourPlane = chromaFormat === 3 ? r.bit() === 1 : false;
  const width = r.ue();
  const height = r.ue();
  if (r.bit()) for (let i = 0; i < 4; i++) r.ue(); // conformance window
  r.ue(), r.ue(); // bit depths
  const log2MaxPocLsb = r.ue() + 4;
  const orderingAll = r.bit();
  for (let i = orderingAll ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) r.ue(), r.ue(), r.ue();
  const log2MinCb = r.ue() + 3;
  const log2Ctb = log2MinCb + r.ue();
  r.ue(), r.ue(), r.ue(), r.ue(); // transform sizes and depths
  if (r.bit() && r.bit()) hevcScalingListData(r);
  r.skip(1); // amp_enabled_flag
  const sao = r.bit() === 1;
  if (r.bit()) {
    // pcm
    r.skip(8);
    r.ue(), r.ue();
    r.skip(1);
  }
  const numSets = r.ue();
  const rps: HevcRps[] = [];
  for (let i = 0; i < numSets; i++) rps.push(hevcStRps(r, i, rps));
  const longTermPresent = r.bit() === 1;
  const ltUsedSps: boolean[] = [];
  if (longTermPresent) {
    const n = r.ue();
    for (let i = 0; i < n; i++) {
      r.skip(log2MaxPocLsb); // lt_ref_pic_poc_lsb_sps
      ltUsedSps.push(r.bit() === 1);
    }
  }
  const temporalMvp = r.bit() === 1;
  const ctb = 1 << log2Ctb;
  const picSizeInCtbs = Math.ceil(width / ctb) * Math.ceil(height / ctb);
  return [id, { chromaArrayType: separateColourPlane ? 0 : chromaFormat, separateColourPlane, log2MaxPocLsb, picSizeInCtbs, rps, longTermPresent, ltUsedSps, temporalMvp, sao }];
}

function hevcPps(rbsp: Uint8Array): [number, HevcPps] {
  const r = new Reader(rbsp);
  r.skip(16);
  const id = r.ue();
  const sps = r.ue();
  const dependentSlices = r.bit() === 1;
  const outputFlagPresent = r.bit() === 1;
  const extraSliceHeaderBits = r.u(3);
  r.skip(1); // sign_data_hiding_enabled_flag
  const cabacInitPresent = r.bit() === 1;
  const numRefIdxDefault: [number, number] = [r.ue() + 1, r.ue() + 1];
  r.se(); // init_qp_minus26
  r.skip(1); // constrained_intra_pred_flag
  const transformSkip = r.bit() === 1;
  if (r.bit()) r.ue(); // cu_qp_delta_enabled_flag, diff_cu_qp_delta_depth
  r.se(), r.se();
  const sliceChromaQpOffsets = r.bit() === 1;
  const weightedPred = r.bit() === 1;
  const weightedBipred = r.bit() === 1;
  r.skip(1); // transquant_bypass_enabled_flag
  const tiles = r.bit() === 1;
  const wpp = r.bit() === 1;
  if (tiles) {
    const cols = r.ue() + 1;
    const rows = r.ue() + 1;
    if (!r.bit()) for (let i = 0; i < cols - 1 + rows - 1; i++) r.ue();
    r.skip(1);
  }
  const loopFilterAcrossSlices = r.bit() === 1;
  let deblockingOverride = false;
  let deblockingDisabled = false;
  if (r.bit()) {
    deblockingOverride = r.bit() === 1;
    deblockingDisabled = r.bit() === 1;
    if (!deblockingDisabled) r.se(), r.se();
  }
  if (r.bit()) hevcScalingListData(r);
  const listsModification = r.bit() === 1;
  r.ue(); // log2_parallel_merge_level_minus2
  const headerExtension = r.bit() === 1;
  let chromaQpOffsetList = false;
  if (r.bit()) {
    const range = r.bit();
    if (r.u(7) !== 0) throw new Error('a PPS extension other than the range extension: not read here');
    if (range) {
      if (transformSkip) r.ue();
      r.skip(1);
      chromaQpOffsetList = r.bit() === 1;
    }
  }
  return [id, { sps, dependentSlices, outputFlagPresent, extraSliceHeaderBits, cabacInitPresent, numRefIdxDefault, sliceChromaQpOffsets, weightedPred, weightedBipred, tiles, wpp, loopFilterAcrossSlices, deblockingOverride, deblockingDisabled, listsModification, headerExtension, chromaQpOffsetList }];
}

/** pred_weight_table() (7.3.6.3), single layer: every entry has its flags. */
function hevcPredWeightTable(r: Reader, chromaArrayType: number, refs: [number, number], lists: number): void {
  r.ue();
  if (chromaArrayType !== 0) r.se();
  for (let l = 0; l < lists; l++) {
    const luma: number[] = [];
    const chroma: number[] = [];
    for (let i = 0; i < refs[l]!; i++) luma.push(r.bit());
    if (chromaArrayType !== 0) for (let i = 0; i < refs[l]!; i++) chroma.push(r.bit());
    for (let i = 0; i < refs[l]!; i++) {
      if (luma[i]) r.se(), r.se();
      if (chroma[i]) for (let j = 0; j < 4; j++) r.se();
    }
  }
}

const HEVC_TYPES = ['B', 'P', 'I'];

/** Slice segments of an HEVC Annex-B stream, in decoding order. */
export function hevcSliceExtents(stream: Uint8Array): SliceExtent[] {
  const spss = new Map<number, HevcSps>();
  const ppss = new Map<number, HevcPps>();
  const out: SliceExtent[] = [];
  let picture = -1;
  let current = { type: 'I', pocLsb: 0, sliceSao: false, deblockingDisabled: false };
  for (const nal of splitNals(stream)) {
    const rbsp = toRbsp(stream.subarray(nal.header, nal.end));
    if (nal.type === 33) {
      const [id, s] = hevcSps(rbsp);
      spss.set(id, s);
      continue;
    }
    if (nal.type === 34) {
      const [id, p] = hevcPps(rbsp);
      ppss.set(id, p);
      continue;
    }
    if (nal.type > 21 || (nal.type > 9 && nal.type < 16)) continue; // not a slice segment
    const r = new Reader(rbsp);
    r.skip(16);
    const first = r.bit() === 1;
    if (nal.type >= 16 && nal.type <= 23) r.skip(1); // no_output_of_prior_pics_flag
    const pps = ppss.get(r.ue());
    if (!pps) throw new Error('a slice before its PPS');
    const sps = spss.get(pps.sps);
    if (!sps) throw new Error('a PPS before its SPS');
    let dependent = false;
    if (!first) {
      if (pps.dependentSlices) dependent = r.bit() === 1;
      r.skip(ceilLog2(sps.picSizeInCtbs)); // slice_segment_address
    } else {
      picture++;
    }
    if (!dependent) {
      r.skip(pps.extraSliceHeaderBits);
      const sliceType = r.ue();
      const type = HEVC_TYPES[sliceType];
      if (!type) throw new Error(`slice_type ${sliceType}`);
      if (pps.outputFlagPresent) r.skip(1);
      if (sps.separateColourPlane) r.skip(2);
      let pocLsb = 0;
      let temporalMvp = false;
      let numPicTotalCurr = 0;
      if (nal.type !== 19 && nal.type !== 20) {
        pocLsb = r.u(sps.log2MaxPocLsb);
        let rps: HevcRps | undefined;
        if (!r.bit()) rps = hevcStRps(r, sps.rps.length, sps.rps);
        else rps = sps.rps[sps.rps.length > 1 ? r.u(ceilLog2(sps.rps.length)) : 0];
        if (!rps) throw new Error('short_term_ref_pic_set_idx out of range');
        numPicTotalCurr = [...rps.used0, ...rps.used1].filter(Boolean).length;
        if (sps.longTermPresent) {
          const candidates = sps.ltUsedSps.length;
          const numLtSps = candidates > 0 ? r.ue() : 0;
          const numLtPics = r.ue();
          for (let i = 0; i < numLtSps + numLtPics; i++) {
            if (i < numLtSps) {
              const idx = candidates > 1 ? r.u(ceilLog2(candidates)) : 0;
              if (sps.ltUsedSps[idx]) numPicTotalCurr++;
            } else {
              r.skip(sps.log2MaxPocLsb); // poc_lsb_lt
              if (r.bit()) numPicTotalCurr++;
            }
            if (r.bit()) r.ue(); // delta_poc_msb_present_flag, delta_poc_msb_cycle_lt
          }
        }
        if (sps.temporalMvp) temporalMvp = r.bit() === 1;
      }
      let sliceSao = false;
      if (sps.sao) {
        sliceSao = r.bit() === 1;
        if (sps.chromaArrayType !== 0) sliceSao = (r.bit() === 1) || sliceSao;
      }
      if (type !== 'I') {
        const refs: [number, number] = [...pps.numRefIdxDefault];
        if (r.bit()) {
          refs[0] = r.ue() + 1;
          if (type === 'B') refs[1] = r.ue() + 1;
        }
        const lists = type === 'B' ? 2 : 1;
        if (pps.listsModification && numPicTotalCurr > 1) {
          for (let l = 0; l < lists; l++) if (r.bit()) r.skip(refs[l]! * ceilLog2(numPicTotalCurr));
        }
        if (type === 'B') r.skip(1); // mvd_l1_zero_flag
        if (pps.cabacInitPresent) r.skip(1);
        if (temporalMvp) {
          const fromL0 = type === 'B' ? r.bit() === 1 : true;
          if ((fromL0 && refs[0] > 1) || (!fromL0 && refs[1] > 1)) r.ue();
        }
        if ((pps.weightedPred && type === 'P') || (pps.weightedBipred && type === 'B')) hevcPredWeightTable(r, sps.chromaArrayType, refs, lists);
        r.ue(); // five_minus_max_num_merge_cand
      }
      r.se(); // slice_qp_delta
      if (pps.sliceChromaQpOffsets) r.se(), r.se();
      if (pps.chromaQpOffsetList) r.skip(1);
      let deblockingDisabled = pps.deblockingDisabled;
      if (pps.deblockingOverride && r.bit()) {
        deblockingDisabled = r.bit() === 1;
        if (!deblockingDisabled) r.se(), r.se();
      }
      if (pps.loopFilterAcrossSlices && (sliceSao || !deblockingDisabled)) r.skip(1);
      current = { type, pocLsb, sliceSao, deblockingDisabled };
    }
    if (pps.tiles || pps.wpp) {
      const n = r.ue();
      if (n > 0) {
        const len = r.ue() + 1;
        r.skip(n * len);
      }
    }
    if (pps.headerExtension) r.skip(8 * r.ue());
    // byte_alignment(): alignment_bit_equal_to_one, then zeros to the byte boundary
    if (r.bit() !== 1) throw new Error('byte_alignment() does not start with a 1 bit: the slice header was misread');
    while (r.pos % 8 !== 0) if (r.bit() !== 0) throw new Error('byte_alignment() has a 1 bit after its first: the slice header was misread');
    out.push({ picture, type: current.type, dataStart: r.pos, stopBit: stopBitOf(rbsp), pocLsb: current.pocLsb, log2MaxPocLsb: sps.log2MaxPocLsb, picSizeInBlocks: sps.picSizeInCtbs, cabac: true });
  }
  return out;
}

// ------------------------------------------------------------------------------------ H.264

interface AvcSps {
  chromaArrayType: number;
  separateColourPlane: boolean;
  log2MaxFrameNum: number;
  pocType: number;
  log2MaxPocLsb: number;
  deltaPicOrderAlwaysZero: boolean;
  frameMbsOnly: boolean;
  picSizeInMbs: number;
}

interface AvcPps {
  sps: number;
  cabac: boolean;
  bottomFieldPicOrder: boolean;
  numRefIdxDefault: [number, number];
  weightedPred: boolean;
  weightedBipredIdc: number;
  deblockingControl: boolean;
  redundantPicCnt: boolean;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function avcSps(rbsp: Uint8Array): [number, AvcSps] {
  const r = new Reader(rbsp);
  r.skip(8);
  const profile = r.u(8);
  r.skip(16);
  const id = r.ue();
  let chromaFormat = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlane = r.bit() === 1;
    r.ue(), r.ue();
    r.skip(1);
    if (r.bit()) {
      for (let i = 0; i < (chromaFormat !== 3 ? 8 : 12); i++) {
        if (!r.bit()) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  const pocType = r.ue();
  let log2MaxPocLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  if (pocType === 0) log2MaxPocLsb = r.ue() + 4;
  else if (pocType === 1) {
    deltaPicOrderAlwaysZero = r.bit() === 1;
    r.se(), r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue();
  r.skip(1);
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit() === 1;
  const picSizeInMbs = widthMbs * heightMapUnits * (frameMbsOnly ? 1 : 2);
  return [id, { chromaArrayType: separateColourPlane ? 0 : chromaFormat, separateColourPlane, log2MaxFrameNum, pocType, log2MaxPocLsb, deltaPicOrderAlwaysZero, frameMbsOnly, picSizeInMbs }];
}

function avcPps(rbsp: Uint8Array): [number, AvcPps] {
  const r = new Reader(rbsp);
  r.skip(8);
  const id = r.ue();
  const sps = r.ue();
  const cabac = r.bit() === 1;
  const bottomFieldPicOrder = r.bit() === 1;
  if (r.ue() !== 0) throw new Error('slice groups: not read here');
  const numRefIdxDefault: [number, number] = [r.ue() + 1, r.ue() + 1];
  const weightedPred = r.bit() === 1;
  const weightedBipredIdc = r.u(2);
  r.se(), r.se(), r.se();
  const deblockingControl = r.bit() === 1;
  r.skip(1);
  const redundantPicCnt = r.bit() === 1;
  return [id, { sps, cabac, bottomFieldPicOrder, numRefIdxDefault, weightedPred, weightedBipredIdc, deblockingControl, redundantPicCnt }];
}

const AVC_TYPES = ['P', 'B', 'I', 'SP', 'SI'];

/** Slices of an H.264 Annex-B stream, in decoding order; a picture starts at first_mb_in_slice 0. */
export function avcSliceExtents(stream: Uint8Array): SliceExtent[] {
  const spss = new Map<number, AvcSps>();
  const ppss = new Map<number, AvcPps>();
  const out: SliceExtent[] = [];
  let picture = -1;
  for (const nal of splitNals(stream)) {
    const type = stream[nal.header]! & 0x1f;
    const refIdc = (stream[nal.header]! >> 5) & 3;
    const rbsp = toRbsp(stream.subarray(nal.header, nal.end));
    if (type === 7) {
      const [id, s] = avcSps(rbsp);
      spss.set(id, s);
      continue;
    }
    if (type === 8) {
      const [id, p] = avcPps(rbsp);
      ppss.set(id, p);
      continue;
    }
    if (type !== 1 && type !== 5) continue;
    const r = new Reader(rbsp);
    r.skip(8);
    const firstMb = r.ue();
    const sliceType = AVC_TYPES[r.ue() % 5]!;
    if (sliceType === 'SP' || sliceType === 'SI') throw new Error('SP/SI slices: not read here');
    const pps = ppss.get(r.ue());
    if (!pps) throw new Error('a slice before its PPS');
    const sps = spss.get(pps.sps);
    if (!sps) throw new Error('a PPS before its SPS');
    if (firstMb === 0) picture++;
    if (sps.separateColourPlane) r.skip(2);
    r.skip(sps.log2MaxFrameNum);
    let field = false;
    if (!sps.frameMbsOnly) {
      field = r.bit() === 1;
      if (field) r.skip(1);
    }
    if (type === 5) r.ue(); // idr_pic_id
    let pocLsb = -1;
    if (sps.pocType === 0) {
      pocLsb = r.u(sps.log2MaxPocLsb);
      if (pps.bottomFieldPicOrder && !field) r.se();
    }
    if (sps.pocType === 1 && !sps.deltaPicOrderAlwaysZero) {
      r.se();
      if (pps.bottomFieldPicOrder && !field) r.se();
    }
    if (pps.redundantPicCnt) r.ue();
    if (sliceType === 'B') r.skip(1); // direct_spatial_mv_pred_flag
    const refs: [number, number] = [...pps.numRefIdxDefault];
    if (sliceType !== 'I') {
      if (r.bit()) {
        refs[0] = r.ue() + 1;
        if (sliceType === 'B') refs[1] = r.ue() + 1;
      }
      // ref_pic_list_modification()
      for (let l = 0; l < (sliceType === 'B' ? 2 : 1); l++) {
        if (!r.bit()) continue;
        for (;;) {
          const idc = r.ue();
          if (idc === 3) break;
          if (idc > 3) throw new Error(`modification_of_pic_nums_idc ${idc}`);
          r.ue();
        }
      }
    }
    if ((pps.weightedPred && sliceType === 'P') || (pps.weightedBipredIdc === 1 && sliceType === 'B')) {
      r.ue();
      if (sps.chromaArrayType !== 0) r.ue();
      for (let l = 0; l < (sliceType === 'B' ? 2 : 1); l++) {
        for (let i = 0; i < refs[l]!; i++) {
          if (r.bit()) r.se(), r.se();
          if (sps.chromaArrayType !== 0 && r.bit()) for (let j = 0; j < 4; j++) r.se();
        }
      }
    }
    if (refIdc !== 0) {
      // dec_ref_pic_marking()
      if (type === 5) r.skip(2);
      else if (r.bit()) {
        for (;;) {
          const op = r.ue();
          if (op === 0) break;
          if (op === 1 || op === 3) r.ue();
          if (op === 2) r.ue();
          if (op === 3 || op === 6) r.ue();
          if (op === 4) r.ue();
          if (op > 6) throw new Error(`memory_management_control_operation ${op}`);
        }
      }
    }
    if (pps.cabac && sliceType !== 'I') r.ue(); // cabac_init_idc
    r.se(); // slice_qp_delta
    if (pps.deblockingControl && r.ue() !== 1) r.se(), r.se();
    if (pps.cabac) {
      // cabac_alignment_one_bit
      while (r.pos % 8 !== 0) if (r.bit() !== 1) throw new Error('cabac_alignment_one_bit is 0: the slice header was misread');
    }
    const mbs = sps.frameMbsOnly ? sps.picSizeInMbs : field ? sps.picSizeInMbs / 2 : sps.picSizeInMbs;
    out.push({ picture, type: sliceType, dataStart: r.pos, stopBit: stopBitOf(rbsp), pocLsb, log2MaxPocLsb: sps.log2MaxPocLsb, picSizeInBlocks: mbs, cabac: pps.cabac });
  }
  return out;
}
