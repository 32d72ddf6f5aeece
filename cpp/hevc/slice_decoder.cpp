#include "hevc/slice_decoder.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "bitstream/bit_reader.h"
#include "bitstream/parse_error.h"
#include "hevc/block_fill.h"
#include "hevc/part_mode.h"

namespace codectok {

namespace {

// Fills a w4 x h4 region of a per-4x4-block byte map.
template <typename T>
void fill_region(std::vector<T>& a, int stride, int x4, int y4, int w4, int h4, T v) {
  fill_block_bytes(a.data() + static_cast<size_t>(y4) * stride + x4, static_cast<size_t>(stride), w4, h4, v);
}

}  // namespace

SliceDecoder::SliceDecoder(PictureState& pic, const SliceHeader& sh, const SliceRefs& refs, const uint8_t* data,
                           size_t size)
    : pic_(pic), sh_(sh), refs_(refs), sps_(*pic.sps), pps_(*pic.pps), data_(data), size_(size) {
  motion_.avail.width = sps_.width;
  motion_.avail.height = sps_.height;
  motion_.avail.ctb_log2 = sps_.log2_ctb_size;
  motion_.avail.width_in_ctbs = sps_.pic_width_in_ctbs;
  motion_.avail.ctb_slice_addr = pic_.ctb_slice_addr.data();
  motion_.avail.slice_addr_rs = sh_.slice_addr_rs;
  motion_.avail.ctb_addr_rs_to_ts = pps_.ctb_addr_rs_to_ts.data();
  motion_.avail.tile_id = pps_.tile_id.data();
  motion_.pred = pic_.pred.data();
  motion_.pred_mode = pic_.pred_mode.data();
  motion_.w4 = pic_.w4;
  motion_.poc = pic_.poc;
  motion_.refs = &refs_;
  motion_.b_slice = sh_.slice_type == kSliceB;
  motion_.num_ref_idx_active[0] = sh_.num_ref_idx_active[0];
  motion_.num_ref_idx_active[1] = sh_.num_ref_idx_active[1];
  motion_.max_num_merge_cand = sh_.max_num_merge_cand;
  motion_.log2_parallel_merge_level = pps_.log2_parallel_merge_level;
  motion_.temporal_mvp_enabled = sh_.temporal_mvp_enabled;
  motion_.collocated_from_l0 = sh_.collocated_from_l0;
  motion_.collocated_ref_idx = sh_.collocated_ref_idx;
  ctb_log2_ = sps_.log2_ctb_size;
  min_cb_log2_ = sps_.log2_min_cb_size;
  log2_min_cu_qp_delta_size_ = ctb_log2_ - pps_.diff_cu_qp_delta_depth;
  if (sh_.slice_type == kSliceI)
    init_type_ = 0;
  else if (sh_.slice_type == kSliceP)
    init_type_ = sh_.cabac_init_flag ? 2 : 1;
  else
    init_type_ = sh_.cabac_init_flag ? 1 : 2;
}

bool SliceDecoder::available_zs(int xc, int yc, int xn, int yn) const {
  return available_zscan(motion_.avail, xc, yc, xn, yn);
}

// Inside the current CTB the left and upper neighbours of a block always precede it in z-scan
// (the Morton index grows with x and with y); across the CTB edge they lie in the left or upper
// CTB, whose availability (clause 6.4.1: picture, slice, tile) is the same for every block of
// the current CTB and is derived once per CTB (decode()).
bool SliceDecoder::available_left(int x0, int y0) const {
  (void)y0;
  return (x0 & ((1 << ctb_log2_) - 1)) != 0 || ctb_left_available_;
}
bool SliceDecoder::available_up(int x0, int y0) const {
  (void)x0;
  return (y0 & ((1 << ctb_log2_) - 1)) != 0 || ctb_up_available_;
}

void SliceDecoder::decode() {
  const int W = sps_.pic_width_in_ctbs;
  ctb_addr_rs_ = sh_.segment_address;
  ctb_addr_ts_ = pps_.ctb_addr_rs_to_ts[ctb_addr_rs_];
  if (sh_.slice_data_byte_offset > size_) fail(ErrorCode::kTruncated, "slice data missing");
  cabac_.start(data_, size_, sh_.slice_data_byte_offset);
  last_qp_y_ = sh_.dependent_slice_segment ? pic_.ds_last_qp_y : sh_.slice_qp_y;
  double bits_start = cabac_.bits_consumed();
  // Bits map: each coding unit gets the bits from the end of the one before it in its CTB (the
  // split_cu_flags that lead to it included); what the CTB codes outside its coding units (SAO
  // syntax, end_of_slice_segment_flag, end_of_subset_one_bit and the byte alignment after it) is
  // spread over the CTB. The map then sums to total_bits.
  double ctu_start = bits_start;
  bool first = true;
  for (;;) {
    if (pic_.ctb_slice_addr[ctb_addr_rs_] != -1)
      fail(ErrorCode::kInvalidSyntax, "coding tree block " + std::to_string(ctb_addr_rs_) + " is coded twice");
    pic_.ctb_slice_addr[ctb_addr_rs_] = sh_.slice_addr_rs;
    start_ctu_entropy(ctb_addr_rs_, first);
    first = false;
    int rx = ctb_addr_rs_ % W, ry = ctb_addr_rs_ / W;
    const int x_ctb = rx << ctb_log2_, y_ctb = ry << ctb_log2_;
    ctb_left_available_ = available_zs(x_ctb, y_ctb, x_ctb - 1, y_ctb);
    ctb_up_available_ = available_zs(x_ctb, y_ctb, x_ctb, y_ctb - 1);
    if (sh_.sao_luma || sh_.sao_chroma) parse_sao(rx, ry, ctb_addr_rs_, ctb_addr_ts_);
    cu_mark_ = cabac_.bits_consumed();
    const double cu_start = cu_mark_;
    coding_quadtree(x_ctb, y_ctb, ctb_log2_, 0);
    const double cu_bits = cu_mark_ - cu_start;
    if (pps_.entropy_coding_sync_enabled &&
        (ctb_addr_rs_ % W == 1 ||
         (ctb_addr_rs_ > 1 && pps_.tile_id[ctb_addr_ts_] != pps_.tile_id[pps_.ctb_addr_rs_to_ts[ctb_addr_rs_ - 2]]))) {
      pic_.wpp_ctx = ctx_;
      pic_.wpp_ctx_valid = true;
    }
    int end_of_slice_segment = cabac_.decode_terminate();
    if (cabac_.overrun() > 2) fail(ErrorCode::kTruncated, "slice data ended before the last coding tree unit");
    // Without tiles the coding tree blocks come in raster order: a row is done at its last one.
    if (!pps_.tiles_enabled && rx == W - 1) pic_.collocated_rows_decoded(ry + 1);
    ++ctb_addr_ts_;
    if (end_of_slice_segment) {
      spread_ctu_bits(rx, ry, cabac_.bits_consumed() - ctu_start - cu_bits);
      break;
    }
    if (ctb_addr_ts_ >= sps_.pic_size_in_ctbs)
      fail(ErrorCode::kInvalidSyntax, "slice data runs past the last coding tree block");
    ctb_addr_rs_ = pps_.ctb_addr_ts_to_rs[ctb_addr_ts_];
    bool new_tile = pps_.tiles_enabled && pps_.tile_id[ctb_addr_ts_] != pps_.tile_id[ctb_addr_ts_ - 1];
    bool new_row = pps_.entropy_coding_sync_enabled &&
                   (ctb_addr_rs_ % W == 0 ||
                    pps_.tile_id[ctb_addr_ts_] != pps_.tile_id[pps_.ctb_addr_rs_to_ts[ctb_addr_rs_ - 1]]);
    if (new_tile || new_row) {
      if (!cabac_.decode_terminate()) fail(ErrorCode::kInvalidSyntax, "end_of_subset_one_bit is not 1");
      cabac_.start(data_, size_, cabac_.position_after_terminate());
    }
    const double ctu_end = cabac_.bits_consumed();
    spread_ctu_bits(rx, ry, ctu_end - ctu_start - cu_bits);
    ctu_start = ctu_end;
  }
  pic_.total_bits += cabac_.bits_consumed() - bits_start;
  if (pps_.dependent_slice_segments_enabled) {
    pic_.ds_ctx = ctx_;
    pic_.ds_last_qp_y = last_qp_y_;
  }
}

void SliceDecoder::spread_ctu_bits(int rx, int ry, double bits) {
  if (!pic_.bits) return;
  const int n8 = std::max(1, sps_.ctb_size >> 3);
  const int x8 = (rx << ctb_log2_) >> 3, y8 = (ry << ctb_log2_) >> 3;
  const int w8c = std::min(n8, pic_.w8 - x8), h8c = std::min(n8, pic_.h8 - y8);
  const float per_block = static_cast<float>(bits / (w8c * h8c));
  float* b = pic_.bits->data();
  for (int y = 0; y < h8c; ++y)
    for (int x = 0; x < w8c; ++x) b[static_cast<size_t>(y8 + y) * pic_.w8 + x8 + x] += per_block;
}

void SliceDecoder::start_ctu_entropy(int ctb_rs, bool first_in_segment) {
  const int W = sps_.pic_width_in_ctbs;
  int cx = ctb_rs % W, cy = ctb_rs / W;
  const int tile_x0 = pps_.col_bd[pps_.tile_column_of_ctb_x[cx]];
  const bool first_in_tile = cx == tile_x0 && cy == pps_.row_bd[pps_.tile_row_of_ctb_y[cy]];
  if (first_in_tile) {
    init_contexts(ctx_, init_type_, sh_.slice_qp_y);
    last_qp_y_ = sh_.slice_qp_y;
    return;
  }
  if (pps_.entropy_coding_sync_enabled && cx == tile_x0) {
    last_qp_y_ = sh_.slice_qp_y;
    int x0 = cx << ctb_log2_, y0 = cy << ctb_log2_;
    if (available_zs(x0, y0, x0 + sps_.ctb_size, y0 - sps_.ctb_size) && pic_.wpp_ctx_valid)
      ctx_ = pic_.wpp_ctx;
    else
      init_contexts(ctx_, init_type_, sh_.slice_qp_y);
    return;
  }
  if (first_in_segment) {
    if (sh_.dependent_slice_segment)
      ctx_ = pic_.ds_ctx;
    else
      init_contexts(ctx_, init_type_, sh_.slice_qp_y);
  }
}

void SliceDecoder::parse_sao(int rx, int ry, int ctb_rs, int ctb_ts) {
  const int W = sps_.pic_width_in_ctbs;
  bool merge_left = false, merge_up = false;
  if (rx > 0) {
    bool in_slice = ctb_rs > sh_.slice_addr_rs;
    bool in_tile = pps_.tile_id[ctb_ts] == pps_.tile_id[pps_.ctb_addr_rs_to_ts[ctb_rs - 1]];
    if (in_slice && in_tile) merge_left = cabac_.decode(ctx_.state[kCtxSaoMergeFlag]);
  }
  if (ry > 0 && !merge_left) {
    bool in_slice = (ctb_rs - W) >= sh_.slice_addr_rs;
    bool in_tile = pps_.tile_id[ctb_ts] == pps_.tile_id[pps_.ctb_addr_rs_to_ts[ctb_rs - W]];
    if (in_slice && in_tile) merge_up = cabac_.decode(ctx_.state[kCtxSaoMergeFlag]);
  }
  if (merge_left || merge_up) return;
  int type_cb = 0;
  for (int c = 0; c < 3; ++c) {
    if ((c == 0 && !sh_.sao_luma) || (c > 0 && !sh_.sao_chroma)) continue;
    int type;
    if (c < 2) {
      type = cabac_.decode(ctx_.state[kCtxSaoTypeIdx]) ? (cabac_.decode_bypass() ? 2 : 1) : 0;
      if (c == 1) type_cb = type;
    } else {
      type = type_cb;
    }
    if (type == 0) continue;
    int bd = c == 0 ? sps_.bit_depth_luma : sps_.bit_depth_chroma;
    int cmax = (1 << (std::min(bd, 10) - 5)) - 1;
    int abs_v[4];
    for (int i = 0; i < 4; ++i) {
      int v = 0;
      while (v < cmax && cabac_.decode_bypass()) ++v;
      abs_v[i] = v;
    }
    if (type == 1) {
      for (int i = 0; i < 4; ++i)
        if (abs_v[i]) cabac_.decode_bypass();
      cabac_.decode_bypass_bits(5);
    } else if (c < 2) {
      cabac_.decode_bypass_bits(2);
    }
  }
}

int SliceDecoder::decode_split_cu_flag(int x0, int y0, int depth) {
  int inc = 0;
  if (available_left(x0, y0) && pic_.ct_depth[static_cast<size_t>(y0 >> 2) * pic_.w4 + ((x0 - 1) >> 2)] > depth)
    ++inc;
  if (available_up(x0, y0) && pic_.ct_depth[static_cast<size_t>((y0 - 1) >> 2) * pic_.w4 + (x0 >> 2)] > depth)
    ++inc;
  return cabac_.decode(ctx_.state[kCtxSplitCuFlag + inc]);
}

int SliceDecoder::decode_cu_skip_flag(int x0, int y0) {
  int inc = 0;
  if (available_left(x0, y0) && pic_.pred_mode[static_cast<size_t>(y0 >> 2) * pic_.w4 + ((x0 - 1) >> 2)] == kModeSkip)
    ++inc;
  if (available_up(x0, y0) && pic_.pred_mode[static_cast<size_t>((y0 - 1) >> 2) * pic_.w4 + (x0 >> 2)] == kModeSkip)
    ++inc;
  return cabac_.decode(ctx_.state[kCtxCuSkipFlag + inc]);
}

void SliceDecoder::start_quantization_group(int x_qg, int y_qg) {
  // clause 8.6.1: qPY_PRED from the left and above QGs inside the same CTB.
  int prev = last_qp_y_;
  int mask = (1 << ctb_log2_) - 1;
  int qa = prev, qb = prev;
  if ((x_qg & mask) != 0) qa = pic_.qp_y[static_cast<size_t>(y_qg >> 2) * pic_.w4 + ((x_qg - 1) >> 2)];
  if ((y_qg & mask) != 0) qb = pic_.qp_y[static_cast<size_t>((y_qg - 1) >> 2) * pic_.w4 + (x_qg >> 2)];
  qp_y_pred_ = (qa + qb + 1) >> 1;
  cu_qp_delta_val_ = 0;
  is_cu_qp_delta_coded_ = false;
}

void SliceDecoder::coding_quadtree(int x0, int y0, int log2_size, int depth) {
  int size = 1 << log2_size;
  int split;
  if (x0 + size <= sps_.width && y0 + size <= sps_.height && log2_size > min_cb_log2_)
    split = decode_split_cu_flag(x0, y0, depth);
  else
    split = log2_size > min_cb_log2_;
  if (log2_size >= log2_min_cu_qp_delta_size_) start_quantization_group(x0, y0);
  if (split) {
    int half = size >> 1;
    coding_quadtree(x0, y0, log2_size - 1, depth + 1);
    if (x0 + half < sps_.width) coding_quadtree(x0 + half, y0, log2_size - 1, depth + 1);
    if (y0 + half < sps_.height) coding_quadtree(x0, y0 + half, log2_size - 1, depth + 1);
    if (x0 + half < sps_.width && y0 + half < sps_.height) coding_quadtree(x0 + half, y0 + half, log2_size - 1, depth + 1);
  } else {
    coding_unit(x0, y0, log2_size);
  }
}

int SliceDecoder::decode_part_mode(bool intra, int log2_cb) {
  uint16_t* c = &ctx_.state[kCtxPartMode];
  if (intra) return cabac_.decode(c[0]) ? k2Nx2N : kNxN;
  if (cabac_.decode(c[0])) return k2Nx2N;
  if (log2_cb == min_cb_log2_) {
    if (cabac_.decode(c[1])) return k2NxN;
    if (log2_cb == 3) return kNx2N;
    return cabac_.decode(c[2]) ? kNx2N : kNxN;
  }
  if (!sps_.amp_enabled) return cabac_.decode(c[1]) ? k2NxN : kNx2N;
  if (cabac_.decode(c[1])) {
    if (cabac_.decode(c[3])) return k2NxN;
    return cabac_.decode_bypass() ? k2NxnD : k2NxnU;
  }
  if (cabac_.decode(c[3])) return kNx2N;
  return cabac_.decode_bypass() ? knRx2N : knLx2N;
}

void SliceDecoder::coding_unit(int x0, int y0, int log2_size) {
  const double bits_start = cu_mark_;
  const int n = 1 << log2_size;
  const int x4 = x0 >> 2, y4 = y0 >> 2, n4 = n >> 2;
  const int w4c = std::min(n4, pic_.w4 - x4), h4c = std::min(n4, pic_.h4 - y4);
  merge_flag_2nx2n_ = false;
  cu_transquant_bypass_ = pps_.transquant_bypass_enabled ? cabac_.decode(ctx_.state[kCtxCuTransquantBypassFlag]) : false;
  bool skip = false;
  if (sh_.slice_type != kSliceI) skip = decode_cu_skip_flag(x0, y0);
  fill_region<uint8_t>(pic_.ct_depth, pic_.w4, x4, y4, w4c, h4c, static_cast<uint8_t>(ctb_log2_ - log2_size));
  qp_y_ = ((qp_y_pred_ + cu_qp_delta_val_ + 52 + 2 * sps_.qp_bd_offset_y) % (52 + sps_.qp_bd_offset_y)) -
          sps_.qp_bd_offset_y;
  int part_mode = k2Nx2N;
  if (skip) {
    cu_pred_mode_ = kModeSkip;
    fill_region<uint8_t>(pic_.pred_mode, pic_.w4, x4, y4, w4c, h4c, kModeSkip);
    prediction_unit(x0, y0, n, n, x0, y0, log2_size, 0, k2Nx2N, true);
    clear_residual(x0, y0, n);
    finish_cu(x0, y0, log2_size, part_mode, kModeSkip, bits_start);
    return;
  }
  bool intra = true;
  if (sh_.slice_type != kSliceI) intra = cabac_.decode(ctx_.state[kCtxPredModeFlag]);
  cu_pred_mode_ = intra ? kModeIntra : kModeInter;
  fill_region<uint8_t>(pic_.pred_mode, pic_.w4, x4, y4, w4c, h4c, cu_pred_mode_);
  if (intra && pic_.motion) {
    static constexpr int16_t kIntraEntry[8] = {kModeIntra, 0, 0, 0, 0, 0, -32768, -32768};
    store_motion(x4, y4, w4c, h4c, kIntraEntry);
  }
  if (!intra || log2_size == min_cb_log2_) part_mode = decode_part_mode(intra, log2_size);
  cu_part_mode_ = part_mode;
  bool pcm = false;
  if (intra) {
    if (part_mode == k2Nx2N && sps_.pcm_enabled && log2_size >= sps_.log2_min_pcm_cb_size &&
        log2_size <= sps_.log2_max_pcm_cb_size)
      pcm = cabac_.decode_terminate();
    if (pcm) {
      fill_region<uint8_t>(pic_.intra_mode, pic_.w4, x4, y4, w4c, h4c, 1);
      pcm_sample(x0, y0, log2_size);
    } else {
      int parts = part_mode == kNxN ? 4 : 1;
      int prev[4] = {0, 0, 0, 0}, mpm[4] = {0, 0, 0, 0}, rem[4] = {0, 0, 0, 0};
      for (int j = 0; j < parts; ++j) prev[j] = cabac_.decode(ctx_.state[kCtxPrevIntraLumaPredFlag]);
      for (int j = 0; j < parts; ++j) {
        if (prev[j]) {
          int v = 0;
          while (v < 2 && cabac_.decode_bypass()) ++v;
          mpm[j] = v;
        } else {
          rem[j] = static_cast<int>(cabac_.decode_bypass_bits(5));
        }
      }
      int chroma = 4;
      if (cabac_.decode(ctx_.state[kCtxIntraChromaPredMode])) chroma = static_cast<int>(cabac_.decode_bypass_bits(2));
      derive_intra_modes(x0, y0, log2_size, parts == 4, prev, mpm, rem, chroma);
    }
  } else {
    const int h = n >> 1, q = n >> 2;
    switch (part_mode) {
      case k2Nx2N: prediction_unit(x0, y0, n, n, x0, y0, log2_size, 0, part_mode, false); break;
      case k2NxN:
        prediction_unit(x0, y0, n, h, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0, y0 + h, n, h, x0, y0, log2_size, 1, part_mode, false);
        break;
      case kNx2N:
        prediction_unit(x0, y0, h, n, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0 + h, y0, h, n, x0, y0, log2_size, 1, part_mode, false);
        break;
      case k2NxnU:
        prediction_unit(x0, y0, n, q, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0, y0 + q, n, n - q, x0, y0, log2_size, 1, part_mode, false);
        break;
      case k2NxnD:
        prediction_unit(x0, y0, n, n - q, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0, y0 + n - q, n, q, x0, y0, log2_size, 1, part_mode, false);
        break;
      case knLx2N:
        prediction_unit(x0, y0, q, n, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0 + q, y0, n - q, n, x0, y0, log2_size, 1, part_mode, false);
        break;
      case knRx2N:
        prediction_unit(x0, y0, n - q, n, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0 + n - q, y0, q, n, x0, y0, log2_size, 1, part_mode, false);
        break;
      default:  // kNxN
        prediction_unit(x0, y0, h, h, x0, y0, log2_size, 0, part_mode, false);
        prediction_unit(x0 + h, y0, h, h, x0, y0, log2_size, 1, part_mode, false);
        prediction_unit(x0, y0 + h, h, h, x0, y0, log2_size, 2, part_mode, false);
        prediction_unit(x0 + h, y0 + h, h, h, x0, y0, log2_size, 3, part_mode, false);
        break;
    }
  }
  bool rqt_root_cbf = !pcm;
  if (!pcm && !intra && !(part_mode == k2Nx2N && merge_flag_2nx2n_))
    rqt_root_cbf = cabac_.decode(ctx_.state[kCtxRqtRootCbf]);
  if (rqt_root_cbf) {
    intra_split_ = intra && part_mode == kNxN;
    max_trafo_depth_ = intra ? sps_.max_transform_hierarchy_depth_intra + (intra_split_ ? 1 : 0)
                             : sps_.max_transform_hierarchy_depth_inter;
    transform_tree(x0, y0, x0, y0, log2_size, 0, 0, true, true);
  } else {
    clear_residual(x0, y0, n);  // PCM, or an inter CU without coded residual
  }
  finish_cu(x0, y0, log2_size, part_mode, cu_pred_mode_, bits_start);
}

void SliceDecoder::clear_residual(int x0, int y0, int size) {
  if (!pic_.residual) return;
  const int w = std::min(size, pic_.width - x0), h = std::min(size, pic_.height - y0);
  int16_t* plane = pic_.residual->data();
  for (int y = 0; y < h; ++y) std::fill_n(plane + static_cast<size_t>(y0 + y) * pic_.width + x0, w, int16_t{0});
}

void SliceDecoder::finish_cu(int x0, int y0, int log2_size, int part_mode, uint8_t mode, double bits_start) {
  const int n = 1 << log2_size;
  fill_region<int8_t>(pic_.qp_y, pic_.w4, x0 >> 2, y0 >> 2, std::min(n >> 2, pic_.w4 - (x0 >> 2)),
                      std::min(n >> 2, pic_.h4 - (y0 >> 2)), static_cast<int8_t>(qp_y_));
  last_qp_y_ = qp_y_;
  const int x8 = x0 >> 3, y8 = y0 >> 3, n8 = std::max(1, n >> 3);
  const int w8c = std::min(n8, pic_.w8 - x8), h8c = std::min(n8, pic_.h8 - y8);
  if (pic_.cu_map) {
    const int16_t entry[4] = {static_cast<int16_t>(log2_size), 0, static_cast<int16_t>(qp_y_), mode};
    int16_t* origin = pic_.cu_map->data() + (static_cast<size_t>(y8) * pic_.w8 + x8) * 4;
    fill_block_entries<sizeof(entry)>(origin, static_cast<size_t>(pic_.w8), w8c, h8c, entry);
    // part_mode is recorded at the coding unit's top-left 8x8 block only (0 elsewhere),
    // as the reference decoder of the corpus records it.
    origin[1] = static_cast<int16_t>(part_mode);
  }
  const double bits_end = cabac_.bits_consumed();
  cu_mark_ = bits_end;
  if (pic_.bits) {
    const float per_block = static_cast<float>((bits_end - bits_start) / (n8 * n8));
    fill_block_entries<sizeof(float)>(pic_.bits->data() + static_cast<size_t>(y8) * pic_.w8 + x8,
                                      static_cast<size_t>(pic_.w8), w8c, h8c, &per_block);
  }
}

void SliceDecoder::pcm_sample(int x0, int y0, int log2_size) {
  (void)x0;
  (void)y0;
  size_t pos = cabac_.position_after_terminate();
  size_t n = size_t{1} << (2 * log2_size);
  size_t bits = n * sps_.pcm_bit_depth_luma + 2 * (n / 4) * sps_.pcm_bit_depth_chroma;
  size_t bytes = (bits + 7) / 8;
  if (pos + bytes > size_) fail(ErrorCode::kTruncated, "PCM samples run past the end of the slice data");
  cabac_.start(data_, size_, pos + bytes);
}

void SliceDecoder::derive_intra_modes(int x0, int y0, int log2_cb, int nxn, const int* prev_flag, const int* mpm_idx,
                                      const int* rem_mode, int chroma_syntax) {
  int n = 1 << log2_cb;
  int pb = nxn ? n >> 1 : n;
  int parts = nxn ? 4 : 1;
  for (int j = 0; j < parts; ++j) {
    int xp = x0 + (j & 1) * pb, yp = y0 + (j >> 1) * pb;
    int cand_a = 1, cand_b = 1;
    if (available_left(xp, yp)) {
      size_t i = static_cast<size_t>(yp >> 2) * pic_.w4 + ((xp - 1) >> 2);
      if (pic_.pred_mode[i] == kModeIntra) cand_a = pic_.intra_mode[i];
    }
    if (available_up(xp, yp) && (yp - 1) >= ((yp >> ctb_log2_) << ctb_log2_)) {
      size_t i = static_cast<size_t>((yp - 1) >> 2) * pic_.w4 + (xp >> 2);
      if (pic_.pred_mode[i] == kModeIntra) cand_b = pic_.intra_mode[i];
    }
    int list[3];
    if (cand_a == cand_b) {
      if (cand_a < 2) {
        list[0] = 0; list[1] = 1; list[2] = 26;
      } else {
        list[0] = cand_a;
        list[1] = 2 + ((cand_a + 29) % 32);
        list[2] = 2 + ((cand_a - 2 + 1) % 32);
      }
    } else {
      list[0] = cand_a;
      list[1] = cand_b;
      if (cand_a != 0 && cand_b != 0)
        list[2] = 0;
      else if (cand_a != 1 && cand_b != 1)
        list[2] = 1;
      else
        list[2] = 26;
    }
    int mode;
    if (prev_flag[j]) {
      mode = list[mpm_idx[j]];
    } else {
      std::sort(list, list + 3);
      mode = rem_mode[j];
      for (int i = 0; i < 3; ++i)
        if (mode >= list[i]) ++mode;
    }
    int x4 = xp >> 2, y4 = yp >> 2, p4 = pb >> 2;
    fill_region<uint8_t>(pic_.intra_mode, pic_.w4, x4, y4, std::min(p4, pic_.w4 - x4), std::min(p4, pic_.h4 - y4),
                         static_cast<uint8_t>(mode));
  }
  int luma = pic_.intra_mode[static_cast<size_t>(y0 >> 2) * pic_.w4 + (x0 >> 2)];
  if (chroma_syntax == 4) {
    intra_pred_mode_c_ = luma;
  } else {
    static const int kModes[4] = {0, 26, 10, 1};
    intra_pred_mode_c_ = kModes[chroma_syntax] == luma ? 34 : kModes[chroma_syntax];
  }
}

void SliceDecoder::transform_tree(int x0, int y0, int x_base, int y_base, int log2_size, int depth, int blk_idx,
                                  bool parent_cbf_cb, bool parent_cbf_cr) {
  int split;
  if (log2_size <= sps_.log2_max_tb_size && log2_size > sps_.log2_min_tb_size && depth < max_trafo_depth_ &&
      !(intra_split_ && depth == 0)) {
    split = cabac_.decode(ctx_.state[kCtxSplitTransformFlag + 5 - log2_size]);
  } else {
    bool inter_split = sps_.max_transform_hierarchy_depth_inter == 0 && cu_pred_mode_ == kModeInter &&
                       cu_part_mode_ != k2Nx2N && depth == 0;
    split = log2_size > sps_.log2_max_tb_size || (intra_split_ && depth == 0) || inter_split;
  }
  bool cbf_cb = false, cbf_cr = false;
  if (log2_size > 2) {
    if (depth == 0 || parent_cbf_cb) cbf_cb = cabac_.decode(ctx_.state[kCtxCbfChroma + depth]);
    if (depth == 0 || parent_cbf_cr) cbf_cr = cabac_.decode(ctx_.state[kCtxCbfChroma + depth]);
  } else if (depth > 0) {
    cbf_cb = parent_cbf_cb;
    cbf_cr = parent_cbf_cr;
  }
  if (split) {
    int half = 1 << (log2_size - 1);
    transform_tree(x0, y0, x0, y0, log2_size - 1, depth + 1, 0, cbf_cb, cbf_cr);
    transform_tree(x0 + half, y0, x0, y0, log2_size - 1, depth + 1, 1, cbf_cb, cbf_cr);
    transform_tree(x0, y0 + half, x0, y0, log2_size - 1, depth + 1, 2, cbf_cb, cbf_cr);
    transform_tree(x0 + half, y0 + half, x0, y0, log2_size - 1, depth + 1, 3, cbf_cb, cbf_cr);
  } else {
    bool cbf_luma = true;
    if (cu_pred_mode_ == kModeIntra || depth != 0 || cbf_cb || cbf_cr)
      cbf_luma = cabac_.decode(ctx_.state[kCtxCbfLuma + (depth == 0 ? 1 : 0)]);
    transform_unit(x0, y0, x_base, y_base, log2_size, depth, blk_idx, cbf_luma, cbf_cb, cbf_cr);
  }
}

void SliceDecoder::decode_cu_qp_delta() {
  int v = 0;
  if (cabac_.decode(ctx_.state[kCtxCuQpDeltaAbs])) {
    v = 1;
    while (v < 5 && cabac_.decode(ctx_.state[kCtxCuQpDeltaAbs + 1])) ++v;
    if (v == 5) {
      int k = 0;
      while (cabac_.decode_bypass()) {
        v += 1 << k;
        if (++k > 20) fail(ErrorCode::kInvalidSyntax, "cu_qp_delta_abs too large");
      }
      v += static_cast<int>(cabac_.decode_bypass_bits(k));
    }
  }
  int sign = v ? cabac_.decode_bypass() : 0;
  cu_qp_delta_val_ = sign ? -v : v;
  int lo = -(26 + sps_.qp_bd_offset_y / 2), hi = 25 + sps_.qp_bd_offset_y / 2;
  if (cu_qp_delta_val_ < lo || cu_qp_delta_val_ > hi) fail(ErrorCode::kInvalidSyntax, "CuQpDeltaVal out of range");
  is_cu_qp_delta_coded_ = true;
  qp_y_ = ((qp_y_pred_ + cu_qp_delta_val_ + 52 + 2 * sps_.qp_bd_offset_y) % (52 + sps_.qp_bd_offset_y)) -
          sps_.qp_bd_offset_y;
}

void SliceDecoder::transform_unit(int x0, int y0, int x_base, int y_base, int log2_size, int depth, int blk_idx,
                                  bool cbf_luma, bool cbf_cb, bool cbf_cr) {
  (void)depth;
  if (!cbf_luma) clear_residual(x0, y0, 1 << log2_size);
  bool cbf_chroma = cbf_cb || cbf_cr;
  if (!cbf_luma && !cbf_chroma) return;
  if (pps_.cu_qp_delta_enabled && !is_cu_qp_delta_coded_) decode_cu_qp_delta();
  if (cbf_luma) residual_coding(x0, y0, log2_size, 0);
  if (log2_size > 2) {
    if (cbf_cb) residual_coding(x0, y0, log2_size - 1, 1);
    if (cbf_cr) residual_coding(x0, y0, log2_size - 1, 2);
  } else if (blk_idx == 3) {
    if (cbf_cb) residual_coding(x_base, y_base, 2, 1);
    if (cbf_cr) residual_coding(x_base, y_base, 2, 2);
  }
}

}  // namespace codectok
