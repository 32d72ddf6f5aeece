#include "h264/slice_decoder.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bitstream/parse_error.h"
#include "h264/cabac_mb_syntax.h"
#include "h264/cabac_residual.h"
#include "h264/cavlc.h"
#include "h264/mb_types.h"

namespace codectok {
namespace h264 {

namespace {
// Position (4x4 units) of luma4x4BlkIdx inside the macroblock (6.4.3).
constexpr uint8_t kBlkX[16] = {0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3};
constexpr uint8_t kBlkY[16] = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3};
inline int blk_of(int x, int y) { return ((y >> 1) << 3) | ((x >> 1) << 2) | ((y & 1) << 1) | (x & 1); }
}  // namespace

SliceDecoder::SliceDecoder(PictureState& pic, const SliceHeader& sh, const RefLists& refs, int slice_index,
                           int32_t cur_poc, const uint8_t* rbsp, size_t size)
    : pic_(pic),
      sh_(sh),
      sps_(*sh.sps),
      pps_(*sh.pps),
      refs_(refs),
      slice_(slice_index),
      mp_(pic, sh, refs, slice_index, cur_poc),
      data_(rbsp),
      size_(size),
      br_(rbsp, size),
      use_cabac_(sh.pps->cabac),
      qp_(sh.qp),
      qp_bd_offset_(6 * (sh.sps->bit_depth_luma - 8)),
      w4_(static_cast<size_t>(pic.w4)),
      mb_base_(pic.mb.data()),
      nnz_base_(pic.nnz.data()),
      mvd_base_(pic.mvd.data()),
      mb_slice_base_(pic.motion->mb_slice.data()) {
  pic_.add_slice(slice_index, refs);
  keep_levels_ = pic_.residual || pic_.block_sink;
  if (keep_levels_) {
    for (int i = 0; i < 6; ++i) compute_level_scale_4x4(pps_.scaling.list4x4[i], ls4_[i]);
    for (int i = 0; i < 2; ++i) compute_level_scale_8x8(pps_.scaling.list8x8[i], ls8_[i]);
  }
}

void SliceDecoder::decode() {
  br_.skip(sh_.header_bits);
  const int total = pic_.w_mbs * pic_.h_mbs;
  int addr = static_cast<int>(sh_.first_mb);
  if (use_cabac_) {
    // cabac_alignment_one_bit, then the engine starts at the byte boundary.
    br_.byte_align();
    init_contexts(sh_.is_intra(), sh_.cabac_init_idc, sh_.qp, ctx_);
    cabac_.start(data_, size_, br_.bit_position() / 8);
    last_bits_ = cabac_.bits_consumed();
  } else {
    last_bits_ = static_cast<double>(br_.bit_position());
  }
  bool more = true;
  do {
    if (addr >= total) fail(ErrorCode::kInvalidSyntax, "slice data runs past the last macroblock");
    bool coded = true;
    if (!sh_.is_intra()) {
      if (!use_cabac_) {
        uint32_t run = br_.ue();
        if (run > static_cast<uint32_t>(total - addr))
          fail(ErrorCode::kInvalidSyntax, "mb_skip_run past the last macroblock");
        for (uint32_t i = 0; i < run; ++i) decode_skip(addr++);
        if (run > 0) {
          coded = br_.more_rbsp_data();
          if (coded && addr >= total) fail(ErrorCode::kInvalidSyntax, "slice data runs past the last macroblock");
        }
      } else {
        begin_macroblock(addr);
        if (read_skip_flag()) {
          coded = false;
          decode_skip(addr);
        }
      }
    }
    if (coded) decode_macroblock(addr);
    if (!use_cabac_) {
      more = br_.more_rbsp_data();
      if (coded) ++addr;
    } else {
      more = !decode_end_of_slice_flag(cabac_);
      if (use_cabac_) {
        const double now = cabac_.bits_consumed();
        pic_.total_bits += now - last_bits_;
        if (pic_.bits) {
          const float per = static_cast<float>((now - last_bits_) / 4);
          const int bw = pic_.w_mbs * 2;
          float* b = pic_.bits->data() + static_cast<size_t>(mb_y_ * 2) * bw + mb_x_ * 2;
          b[0] += per, b[1] += per, b[bw] += per, b[bw + 1] += per;
        }
        last_bits_ = now;
      }
      ++addr;
    }
  } while (more);
  if (use_cabac_ && cabac_.overrun() > 2) fail(ErrorCode::kTruncated, "slice data ended inside a macroblock");
}

void SliceDecoder::begin_macroblock(int addr) {
  const int w_mbs = pic_.w_mbs;
  if (addr == mb_addr_ + 1) {  // the next one (no division)
    if (++mb_x_ == w_mbs) mb_x_ = 0, ++mb_y_;
  } else {
    mb_x_ = addr % w_mbs;
    mb_y_ = addr / w_mbs;
  }
  mb_addr_ = addr;
  cur_mb_ = mb_base_ + addr;
  if (cur_mb_->slice >= 0) fail(ErrorCode::kInvalidSyntax, "a macroblock is coded twice in one picture");
  const bool avail_a = mb_x_ > 0 && cur_mb_[-1].slice == slice_;
  const bool avail_b = mb_y_ > 0 && cur_mb_[-w_mbs].slice == slice_;
  mb_a_ = avail_a ? cur_mb_ - 1 : nullptr;
  mb_b_ = avail_b ? cur_mb_ - w_mbs : nullptr;
  const size_t at4 = static_cast<size_t>(mb_y_ * 4) * w4_ + static_cast<size_t>(mb_x_ * 4);
  mvd_mb_ = mvd_base_ + at4 * 4;
  nnz_mb_ = nnz_base_ + at4;
  mb_slice_base_[addr] = slice_;
  mp_.set_macroblock(mb_x_, mb_y_, cur_mb_, avail_a, avail_b);
}

const MbInfo* SliceDecoder::mb_at(int x4, int y4) const {
  if (x4 < 0) return y4 < 0 ? nullptr : mb_a();
  if (y4 < 0) return mb_b();
  return cur_mb_;
}

// ------------------------------------------------------------------ syntax elements

bool SliceDecoder::read_skip_flag() {
  const MbInfo* a = mb_a();
  const MbInfo* b = mb_b();
  int inc = (a && !is_skip(a->kind)) + (b && !is_skip(b->kind));
  return decode_mb_skip_flag(cabac_, ctx_, sh_.is_b(), inc);
}

SliceDecoder::MbType SliceDecoder::read_mb_type() {
  if (!use_cabac_) {
    uint32_t v = br_.ue();
    if (sh_.is_intra()) {
      if (v > 25) fail(ErrorCode::kInvalidSyntax, "mb_type " + std::to_string(v) + " in an I slice");
      return {true, static_cast<int>(v)};
    }
    const uint32_t n_inter = sh_.is_b() ? 23 : 5;
    if (v < n_inter) return {false, static_cast<int>(v)};
    if (v - n_inter > 25) fail(ErrorCode::kInvalidSyntax, "mb_type " + std::to_string(v) + " out of range");
    return {true, static_cast<int>(v - n_inter)};
  }
  const MbInfo* a = mb_a();
  const MbInfo* b = mb_b();
  if (sh_.is_intra()) {
    const int inc = (a && a->kind != kMbI4x4 && a->kind != kMbI8x8) + (b && b->kind != kMbI4x4 && b->kind != kMbI8x8);
    return {true, decode_mb_type_i(cabac_, ctx_, inc)};
  }
  if (!sh_.is_b()) {
    const int t = decode_mb_type_p(cabac_, ctx_);
    return t < 5 ? MbType{false, t} : MbType{true, t - 5};
  }
  const int inc = (a && a->kind != kMbBSkip && a->kind != kMbBDirect16x16) +
                  (b && b->kind != kMbBSkip && b->kind != kMbBDirect16x16);
  const int t = decode_mb_type_b(cabac_, ctx_, inc);
  return t < 23 ? MbType{false, t} : MbType{true, t - 23};
}

int SliceDecoder::read_sub_mb_type() {
  if (!use_cabac_) {
    uint32_t v = br_.ue();
    if (v > (sh_.is_b() ? 12u : 3u)) fail(ErrorCode::kInvalidSyntax, "sub_mb_type " + std::to_string(v));
    return static_cast<int>(v);
  }
  return sh_.is_b() ? decode_sub_mb_type_b(cabac_, ctx_) : decode_sub_mb_type_p(cabac_, ctx_);
}

int SliceDecoder::read_ref_idx(int list, int x4, int y4) {
  const int max = sh_.num_ref_idx_active[list] - 1;
  int v;
  if (!use_cabac_) {
    v = max == 1 ? 1 - static_cast<int>(br_.u(1)) : static_cast<int>(br_.ue());
  } else {
    auto cond = [&](int nx, int ny) -> int {
      const MbInfo* m = mb_at(nx, ny);
      if (!m || is_intra(m->kind) || is_skip(m->kind)) return 0;
      const int px = (nx + 4) & 3, py = (ny + 4) & 3;
      const int q = (py >> 1) * 2 + (px >> 1);
      if (m->direct_mask & (1 << q)) return 0;
      int ref;
      if (m == cur_mb_) ref = cur_ref_[list][q];
      else ref = pic_.motion->blocks[static_cast<size_t>(mb_y_ * 4 + ny) * pic_.w4 + mb_x_ * 4 + nx].ref_idx[list];
      return ref > 0 ? 1 : 0;
    };
    v = decode_ref_idx(cabac_, ctx_, cond(x4 - 1, y4) + 2 * cond(x4, y4 - 1));
  }
  if (v < 0 || v > max) fail(ErrorCode::kInvalidSyntax, "ref_idx " + std::to_string(v) + " out of range");
  return v;
}

int SliceDecoder::read_mvd(int list, int comp, int x4, int y4) {
  if (!use_cabac_) return br_.se();
  // The blocks left and above (in the macroblocks A and B at the edge).
  const ptrdiff_t w4 = static_cast<ptrdiff_t>(w4_);
  const uint8_t* at = mvd_mb_ + (y4 * w4 + x4) * 4 + list * 2 + comp;
  int sum = 0;
  if (x4 > 0 || mb_a_) sum += at[-4];
  if (y4 > 0 || mb_b_) sum += at[-w4 * 4];
  return decode_mvd(cabac_, ctx_, comp, mvd_ctx_inc(sum));
}

namespace {
// One list's |mvd| pair of a partition W blocks wide into the picture's CABAC context array.
template <int W>
inline void fill_abs_mvd(uint8_t* at, size_t stride, int h4, uint16_t pair) {
  for (int y = 0; y < h4; ++y, at += stride)
    for (int x = 0; x < W; ++x) std::memcpy(at + 4 * x, &pair, 2);
}
}  // namespace

void SliceDecoder::store_abs_mvd(int list, int x4, int y4, int w4, int h4, const int16_t mvd[2]) {
  const uint8_t pair_bytes[2] = {static_cast<uint8_t>(std::min(std::abs(static_cast<int>(mvd[0])), 127)),
                                 static_cast<uint8_t>(std::min(std::abs(static_cast<int>(mvd[1])), 127))};
  uint16_t pair;
  std::memcpy(&pair, pair_bytes, 2);
  const size_t stride = w4_ * 4;
  uint8_t* at = mvd_mb_ + (static_cast<size_t>(y4) * w4_ + static_cast<size_t>(x4)) * 4 + list * 2;
  switch (w4) {
    case 4: fill_abs_mvd<4>(at, stride, h4, pair); break;
    case 2: fill_abs_mvd<2>(at, stride, h4, pair); break;
    default: fill_abs_mvd<1>(at, stride, h4, pair); break;
  }
}

int SliceDecoder::read_cbp(bool intra) {
  const int chroma_array_type = sps_.chroma_format_idc;
  if (!use_cabac_) return read_coded_block_pattern(br_, intra, chroma_array_type);
  auto neighbour = [](const MbInfo* m) {
    return m ? cabac_neighbour_cbp(true, is_skip(m->kind), m->kind == kMbIPCM, m->cbp)
             : cabac_neighbour_cbp(false, false, false, 0);
  };
  return decode_coded_block_pattern(cabac_, ctx_, neighbour(mb_a()), neighbour(mb_b()),
                                    chroma_array_type == 1 || chroma_array_type == 2);
}

bool SliceDecoder::read_transform8x8() {
  if (!use_cabac_) return br_.u(1) != 0;
  const MbInfo* a = mb_a();
  const MbInfo* b = mb_b();
  return decode_transform_size_8x8_flag(cabac_, ctx_, (a && a->transform8x8) + (b && b->transform8x8));
}

int SliceDecoder::read_qp_delta() {
  int v;
  if (!use_cabac_) {
    v = br_.se();
  } else {
    v = decode_mb_qp_delta(cabac_, ctx_, prev_qp_delta_ != 0 ? 1 : 0);
  }
  const int lim = 26 + qp_bd_offset_ / 2;
  if (v < -lim || v > lim - 1) fail(ErrorCode::kInvalidSyntax, "mb_qp_delta " + std::to_string(v) + " out of range");
  return v;
}

void SliceDecoder::read_intra_modes(bool t8x8) {
  const int n = t8x8 ? 4 : 16;
  for (int i = 0; i < n; ++i) {
    if (!use_cabac_) {
      if (!br_.u(1)) br_.u(3);
    } else if (!decode_prev_intra_pred_mode_flag(cabac_, ctx_)) {
      decode_rem_intra_pred_mode(cabac_, ctx_);
    }
  }
}

int SliceDecoder::read_intra_chroma_pred_mode() {
  int v;
  if (!use_cabac_) {
    v = static_cast<int>(br_.ue());
  } else {
    const MbInfo* a = mb_a();
    const MbInfo* b = mb_b();
    auto cond = [](const MbInfo* m) {
      return m && is_intra(m->kind) && m->kind != kMbIPCM && m->chroma_pred_mode != 0;
    };
    v = decode_intra_chroma_pred_mode(cabac_, ctx_, cond(a) + cond(b));
  }
  if (v > 3) fail(ErrorCode::kInvalidSyntax, "intra_chroma_pred_mode " + std::to_string(v));
  return v;
}

// ------------------------------------------------------------------ macroblocks

void SliceDecoder::decode_skip(int addr) {
  if (!use_cabac_) begin_macroblock(addr);
  MbInfo& m = *cur_mb_;
  m = MbInfo{};
  m.slice = slice_;
  m.qp = static_cast<int8_t>(qp_);
  prev_qp_delta_ = 0;
  // Pointers in locals: the byte stores would otherwise reload them from pic_.
  const size_t w4 = w4_;
  uint8_t* nnz = nnz_mb_;
  uint8_t* mvd = mvd_mb_;
  for (int y = 0; y < 4; ++y, nnz += w4, mvd += w4 * 4) {
    std::memset(nnz, 0, 4);
    std::memset(mvd, 0, 16);
  }
  std::memset(&pic_.nnz_chroma[static_cast<size_t>(addr) * 8], 0, 8);
  if (sh_.is_b()) {
    m.kind = kMbBSkip;
    m.partitioning = kPart16x16;
    m.direct_mask = 0xF;
    mp_.direct(0xF);
  } else {
    m.kind = kMbPSkip;
    m.partitioning = kPart16x16;
    int16_t mv[2][2] = {};
    mp_.p_skip(mv[0]);
    const int ref[2] = {0, -1};
    mp_.store(0, 0, 4, 4, ref, mv);
  }
  finish_macroblock(addr, 0);
}

void SliceDecoder::decode_macroblock(int addr) {
  if (!use_cabac_ || sh_.is_intra()) begin_macroblock(addr);
  MbInfo& m = *cur_mb_;
  m = MbInfo{};
  m.slice = slice_;
  const size_t w4 = w4_;
  uint8_t* mvd = mvd_mb_;
  for (int y = 0; y < 4; ++y, mvd += w4 * 4) std::memset(mvd, 0, 16);
  MbType t = read_mb_type();
  if (t.intra) {
    // Intra macroblocks have no motion: both lists unused.
    const int16_t zero[2][2] = {};
    const int none[2] = {-1, -1};
    mp_.store(0, 0, 4, 4, none, zero);
    if (t.type == 25) decode_pcm(m);
    else decode_intra(m, t.type);
  } else {
    decode_inter(m, t.type);
  }
  double bits = 0;
  if (!use_cabac_) {
    const double now = static_cast<double>(br_.bit_position());
    bits = now - last_bits_;
    last_bits_ = now;
  }
  finish_macroblock(addr, bits);
}

void SliceDecoder::finish_macroblock(int addr, double bits) {
  (void)addr;
  MbInfo& m = *cur_mb_;
  ++pic_.decoded_mbs;
  if (!use_cabac_) {
    pic_.total_bits += bits;
    if (pic_.bits) {
      const float per = static_cast<float>(bits / 4);
      const int bw = pic_.w_mbs * 2;
      float* b = pic_.bits->data() + static_cast<size_t>(mb_y_ * 2) * bw + mb_x_ * 2;
      b[0] = per, b[1] = per, b[bw] = per, b[bw + 1] = per;
    }
  }
  if (pic_.cu) {
    const size_t bw = static_cast<size_t>(pic_.w_mbs) * 2;
    const int16_t mode = is_intra(m.kind) ? 0 : (is_skip(m.kind) ? 2 : 1);
    const int16_t entry[4] = {4, m.partitioning, m.qp, mode};
    int16_t* c = pic_.cu->data() + (static_cast<size_t>(mb_y_ * 2) * bw + mb_x_ * 2) * 4;
    std::memcpy(c, entry, 8);
    std::memcpy(c + 4, entry, 8);
    std::memcpy(c + bw * 4, entry, 8);
    std::memcpy(c + bw * 4 + 4, entry, 8);
  }
}

void SliceDecoder::decode_pcm(MbInfo& m) {
  m.kind = kMbIPCM;
  m.partitioning = kPart16x16;
  m.cbp = 0x2F;
  m.cbf = 0xFFFFFFFFu;
  m.qp = static_cast<int8_t>(qp_);
  prev_qp_delta_ = 0;
  const int chroma_samples = sps_.chroma_format_idc == 0 ? 0 : 128;
  const size_t pcm_bits =
      static_cast<size_t>(256 * sps_.bit_depth_luma) + static_cast<size_t>(chroma_samples) * sps_.bit_depth_chroma;
  if (!use_cabac_) {
    br_.byte_align();
    br_.skip(pcm_bits);
  } else {
    const size_t pos = cabac_.position_after_terminate();
    const size_t next = pos + pcm_bits / 8;
    if (next > size_) fail(ErrorCode::kTruncated, "slice data ended inside I_PCM samples");
    cabac_.start(data_, size_, next);
  }
  for (int y = 0; y < 4; ++y)
    std::memset(&pic_.nnz[static_cast<size_t>(mb_y_ * 4 + y) * pic_.w4 + mb_x_ * 4], 16, 4);
  std::memset(&pic_.nnz_chroma[static_cast<size_t>(mb_addr_) * 8], 16, 8);
}

void SliceDecoder::decode_intra(MbInfo& m, int type) {
  bool i16 = type != 0;
  if (!i16) {
    bool t8 = pps_.transform_8x8_mode && read_transform8x8();
    m.transform8x8 = t8;
    m.kind = t8 ? kMbI8x8 : kMbI4x4;
    m.partitioning = kPart8x8;
    read_intra_modes(t8);
  } else {
    m.kind = kMbI16x16;
    m.partitioning = kPart16x16;
    m.cbp = static_cast<uint8_t>((type >= 13 ? 15 : 0) | ((((type - 1) / 4) % 3) << 4));
  }
  if (sps_.chroma_format_idc == 1 || sps_.chroma_format_idc == 2)
    m.chroma_pred_mode = static_cast<uint8_t>(read_intra_chroma_pred_mode());
  if (!i16) m.cbp = static_cast<uint8_t>(read_cbp(true));
  decode_residual(m, i16);
}

void SliceDecoder::decode_inter(MbInfo& m, int type) {
  const bool b_slice = sh_.is_b();
  const InterMbType& mt = b_slice ? kBMbTypes[type] : kPMbTypes[type];
  m.kind = kMbInter;
  m.partitioning = mt.partitioning;
  bool no_sub_8x8_smaller = true;
  for (int l = 0; l < 2; ++l)
    for (int q = 0; q < 4; ++q) cur_ref_[l][q] = -1;
  if (b_slice && type == kBDirect16x16) {
    m.kind = kMbBDirect16x16;
    m.direct_mask = 0xF;
    mp_.direct(0xF);
    no_sub_8x8_smaller = sps_.direct_8x8_inference;
  } else if (mt.partitioning == kPart8x8) {
    int sub[4];
    for (int i = 0; i < 4; ++i) sub[i] = read_sub_mb_type();
    const SubMbType* st = b_slice ? kBSubMbTypes : kPSubMbTypes;
    for (int i = 0; i < 4; ++i) {
      if (b_slice && sub[i] == kBDirect8x8) {
        m.direct_mask |= static_cast<uint8_t>(1 << i);
        if (!sps_.direct_8x8_inference) no_sub_8x8_smaller = false;
      } else if (st[sub[i]].num_parts > 1) {
        no_sub_8x8_smaller = false;
      }
    }
    int ref[2][4] = {{-1, -1, -1, -1}, {-1, -1, -1, -1}};
    for (int l = 0; l < 2; ++l) {
      for (int i = 0; i < 4; ++i) {
        if ((m.direct_mask >> i) & 1) continue;
        if (!(st[sub[i]].pred & (1 << l))) continue;
        if (sh_.num_ref_idx_active[l] > 1 && type != kP8x8Ref0) ref[l][i] = read_ref_idx(l, (i & 1) * 2, (i >> 1) * 2);
        else ref[l][i] = 0;
        cur_ref_[l][i] = static_cast<int8_t>(ref[l][i]);
      }
    }
    int16_t mvd[2][4][4][2] = {};
    for (int l = 0; l < 2; ++l) {
      for (int i = 0; i < 4; ++i) {
        if (((m.direct_mask >> i) & 1) || !(st[sub[i]].pred & (1 << l))) continue;
        const SubMbType& s = st[sub[i]];
        const int sw = kSubPartW[s.shape], shh = kSubPartH[s.shape];
        for (int j = 0; j < s.num_parts; ++j) {
          const int x4 = (i & 1) * 2 + (s.shape == 3 ? (j & 1) : (s.shape == 2 ? j : 0));
          const int y4 = (i >> 1) * 2 + (s.shape == 3 ? (j >> 1) : (s.shape == 1 ? j : 0));
          for (int c = 0; c < 2; ++c) {
            int v = read_mvd(l, c, x4, y4);
            if (v < -32768 || v > 32767) fail(ErrorCode::kInvalidSyntax, "mvd out of range");
            mvd[l][i][j][c] = static_cast<int16_t>(v);
          }
          if (use_cabac_) store_abs_mvd(l, x4, y4, sw, shh, mvd[l][i][j]);
        }
      }
    }
    // Motion vectors, in sub-macroblock order.
    if (m.direct_mask) mp_.direct(m.direct_mask);
    for (int i = 0; i < 4; ++i) {
      if ((m.direct_mask >> i) & 1) continue;
      const SubMbType& s = st[sub[i]];
      const int sw = kSubPartW[s.shape], shh = kSubPartH[s.shape];
      for (int j = 0; j < s.num_parts; ++j) {
        const int x4 = (i & 1) * 2 + (s.shape == 3 ? (j & 1) : (s.shape == 2 ? j : 0));
        const int y4 = (i >> 1) * 2 + (s.shape == 3 ? (j >> 1) : (s.shape == 1 ? j : 0));
        int part_ref[2];
        int16_t mv[2][2] = {};
        for (int l = 0; l < 2; ++l) {
          part_ref[l] = (s.pred & (1 << l)) ? ref[l][i] : -1;
          if (part_ref[l] < 0) continue;
          int16_t mvp[2];
          mp_.predict(l, ref[l][i], x4, y4, sw, shh, 0, mvp);
          mv[l][0] = static_cast<int16_t>(mvp[0] + mvd[l][i][j][0]);
          mv[l][1] = static_cast<int16_t>(mvp[1] + mvd[l][i][j][1]);
        }
        mp_.store(x4, y4, sw, shh, part_ref, mv);
      }
    }
  } else {
    const int n = mt.num_parts;
    int ref[2][2] = {{-1, -1}, {-1, -1}};
    auto part_xy = [&](int p, int& x4, int& y4, int& w, int& h) {
      if (mt.partitioning == kPart16x16) x4 = 0, y4 = 0, w = 4, h = 4;
      else if (mt.partitioning == kPart16x8) x4 = 0, y4 = p * 2, w = 4, h = 2;
      else x4 = p * 2, y4 = 0, w = 2, h = 4;
    };
    for (int l = 0; l < 2; ++l) {
      for (int p = 0; p < n; ++p) {
        if (!(mt.pred[p] & (1 << l))) continue;
        int x4, y4, w, h;
        part_xy(p, x4, y4, w, h);
        ref[l][p] = sh_.num_ref_idx_active[l] > 1 ? read_ref_idx(l, x4, y4) : 0;
        for (int q = 0; q < 4; ++q) {
          const int qx = (q & 1) * 2, qy = (q >> 1) * 2;
          if (qx >= x4 && qx < x4 + w && qy >= y4 && qy < y4 + h) cur_ref_[l][q] = static_cast<int8_t>(ref[l][p]);
        }
      }
    }
    int16_t mvd[2][2][2] = {};
    for (int l = 0; l < 2; ++l) {
      for (int p = 0; p < n; ++p) {
        if (!(mt.pred[p] & (1 << l))) continue;
        int x4, y4, w, h;
        part_xy(p, x4, y4, w, h);
        for (int c = 0; c < 2; ++c) {
          int v = read_mvd(l, c, x4, y4);
          if (v < -32768 || v > 32767) fail(ErrorCode::kInvalidSyntax, "mvd out of range");
          mvd[l][p][c] = static_cast<int16_t>(v);
        }
        if (use_cabac_) store_abs_mvd(l, x4, y4, w, h, mvd[l][p]);
      }
    }
    for (int p = 0; p < n; ++p) {
      int x4, y4, w, h;
      part_xy(p, x4, y4, w, h);
      const int shape = mt.partitioning == kPart16x8 ? 1 : (mt.partitioning == kPart8x16 ? 2 : 0);
      int part_ref[2];
      int16_t mv[2][2] = {};
      for (int l = 0; l < 2; ++l) {
        part_ref[l] = (mt.pred[p] & (1 << l)) ? ref[l][p] : -1;
        if (part_ref[l] < 0) continue;
        int16_t mvp[2];
        mp_.predict(l, ref[l][p], x4, y4, w, h, shape, mvp);
        mv[l][0] = static_cast<int16_t>(mvp[0] + mvd[l][p][0]);
        mv[l][1] = static_cast<int16_t>(mvp[1] + mvd[l][p][1]);
      }
      mp_.store(x4, y4, w, h, part_ref, mv);
    }
  }
  m.cbp = static_cast<uint8_t>(read_cbp(false));
  if ((m.cbp & 0xF) && pps_.transform_8x8_mode && no_sub_8x8_smaller)
    m.transform8x8 = read_transform8x8();
  decode_residual(m, false);
}

// ------------------------------------------------------------------ residual

int SliceDecoder::luma_nc(int x4, int y4) const {
  // x4, y4 inside the macroblock; neighbours left and above (clause 9.2.1).
  int n = 0, count = 0;
  auto get = [&](int nx, int ny) {
    const MbInfo* m = mb_at(nx, ny);
    if (!m) return;
    const int px = mb_x_ * 4 + nx, py = mb_y_ * 4 + ny;
    n += pic_.nnz[static_cast<size_t>(py) * pic_.w4 + px];
    ++count;
  };
  get(x4 - 1, y4);
  get(x4, y4 - 1);
  return count == 2 ? (n + 1) >> 1 : n;
}

int SliceDecoder::chroma_nc(int c, int bx, int by) const {
  int n = 0, count = 0;
  auto get = [&](int nx, int ny) {
    const MbInfo* m;
    size_t addr;
    if (nx < 0) {
      m = mb_a();
      addr = static_cast<size_t>(mb_addr_ - 1);
      nx = 1;
    } else if (ny < 0) {
      m = mb_b();
      addr = static_cast<size_t>(mb_addr_ - pic_.w_mbs);
      ny = 1;
    } else {
      m = cur_mb_;
      addr = static_cast<size_t>(mb_addr_);
    }
    if (!m) return;
    n += pic_.nnz_chroma[addr * 8 + c * 4 + ny * 2 + nx];
    ++count;
  };
  get(bx - 1, by);
  get(bx, by - 1);
  return count == 2 ? (n + 1) >> 1 : n;
}

namespace {
// The bit of coded_block_flag_inc_luma's word holding condTermFlagA (left) and B (above) of
// each luma4x4BlkIdx: the block inside the macroblock (bits 0..15) or, at its left / upper
// edge, the neighbouring macroblock's row (16 + y) / column (20 + x).
struct CbfNeighbourBits {
  uint8_t left[16], up[16];
};
constexpr CbfNeighbourBits make_cbf_neighbour_bits() {
  // The block to the left and above inside the macroblock (luma4x4BlkIdx), -1 at its edge.
  constexpr int8_t kLeft[16] = {-1, 0, -1, 2, 1, 4, 3, 6, -1, 8, -1, 10, 9, 12, 11, 14};
  constexpr int8_t kUp[16] = {-1, -1, 0, 1, -1, -1, 4, 5, 2, 3, 8, 9, 6, 7, 12, 13};
  CbfNeighbourBits t{};
  for (int blk = 0; blk < 16; ++blk) {
    t.left[blk] = static_cast<uint8_t>(kLeft[blk] >= 0 ? kLeft[blk] : 16 + kBlkY[blk]);
    t.up[blk] = static_cast<uint8_t>(kUp[blk] >= 0 ? kUp[blk] : 20 + kBlkX[blk]);
  }
  return t;
}
constexpr CbfNeighbourBits kCbfNeighbourBits = make_cbf_neighbour_bits();
}  // namespace

[[gnu::always_inline]] inline int SliceDecoder::coded_block_flag_inc_luma(int blk, uint32_t cbf, uint32_t edges) {
  const uint32_t word = (cbf & 0xFFFFu) | edges;
  return static_cast<int>(((word >> kCbfNeighbourBits.left[blk]) & 1) + 2 * ((word >> kCbfNeighbourBits.up[blk]) & 1));
}

int SliceDecoder::coded_block_flag_inc_chroma_ac(int c, int blk, bool intra) const {
  const int bx = blk & 1, by = blk >> 1;
  const int shift = c ? kCbfCrAcShift : kCbfCbAcShift;
  auto cond = [&](int nx, int ny) -> int {
    const MbInfo* m = nx < 0 ? mb_a() : (ny < 0 ? mb_b() : cur_mb_);
    if (!m) return intra ? 1 : 0;
    const int b = ((ny + 2) & 1) * 2 + ((nx + 2) & 1);
    return (m->cbf >> (shift + b)) & 1;
  };
  return cond(bx - 1, by) + 2 * cond(bx, by - 1);
}

int SliceDecoder::coded_block_flag_inc_dc(uint32_t bit, int which, bool intra) const {
  (void)which;
  auto cond = [&](const MbInfo* m) -> int {
    if (!m) return intra ? 1 : 0;
    return (m->cbf & bit) ? 1 : 0;
  };
  return cond(mb_a()) + 2 * cond(mb_b());
}

void SliceDecoder::decode_residual(MbInfo& m, bool intra16x16) {
  const int cbp_luma = m.cbp & 0xF, cbp_chroma = m.cbp >> 4;
  const bool intra = is_intra(m.kind);
  uint8_t* nnz_rows[4];
  nnz_rows[0] = nnz_mb_;
  for (int y = 1; y < 4; ++y) nnz_rows[y] = nnz_rows[y - 1] + w4_;
  uint8_t* nnz_c = &pic_.nnz_chroma[static_cast<size_t>(mb_addr_) * 8];
  for (int y = 0; y < 4; ++y) std::memset(nnz_rows[y], 0, 4);
  std::memset(nnz_c, 0, 8);
  m.cbf = 0;
  if (cbp_luma == 0 && cbp_chroma == 0 && !intra16x16) {
    m.qp = static_cast<int8_t>(qp_);
    prev_qp_delta_ = 0;
    return;  // no level is read (output_residual / output_transform_blocks are not called)
  }
  // The levels the outputs read. CAVLC and the DC blocks: every list that is parsed is cleared
  // by its parser (coeffLevel[0..maxNumCoeff-1]). The other CABAC blocks write their non-zero
  // levels only, with their positions (which the transform block statistics read): their lists
  // are cleared here for the luma residual, which reads them whole. What is skipped is cleared
  // here where it is read.
  const bool clear_lists = keep_levels_ && (pic_.residual || !use_cabac_);
  int32_t* const levels_out = keep_levels_ ? luma_ : nullptr;
  if (keep_levels_) {
    if (!intra16x16) std::memset(luma_dc_, 0, sizeof(luma_dc_));
    if (sps_.chroma_format_idc != 1 || !cbp_chroma) std::memset(chroma_dc_, 0, sizeof(chroma_dc_));
    if (clear_lists && (!(cbp_chroma & 2) || use_cabac_)) std::memset(chroma_ac_, 0, sizeof(chroma_ac_));
  }
  const int dq = read_qp_delta();
  prev_qp_delta_ = dq;
  qp_ = ((qp_ + dq + 52 + 2 * qp_bd_offset_) % (52 + qp_bd_offset_)) - qp_bd_offset_;
  m.qp = static_cast<int8_t>(qp_);
  // Luma.
  if (intra16x16) {
    int n;
    if (!use_cabac_) n = residual_block_cavlc(br_, luma_nc(0, 0), 0, 15, 16, luma_dc_);
    else n = residual_block_cabac(cabac_, ctx_, kCatLumaDc16x16, coded_block_flag_inc_dc(kCbfLumaDc, 0, true), 0, 15,
                                  16, keep_levels_ ? luma_dc_ : nullptr);
    if (n) m.cbf |= kCbfLumaDc;
  }
  // coded_block_flag of the luma blocks along the left and upper edges (right column of
  // macroblock A, bottom row of B, by row / column; CABAC contexts).
  uint32_t cbf_left = 0, cbf_up = 0;
  if (use_cabac_) {
    const MbInfo* a = mb_a();
    const MbInfo* b = mb_b();
    cbf_left = !a ? (intra ? 0xFu : 0u)
                  : ((a->cbf >> 5) & 1) | ((a->cbf >> 7) & 1) << 1 | ((a->cbf >> 13) & 1) << 2 | ((a->cbf >> 15) & 1) << 3;
    cbf_up = !b ? (intra ? 0xFu : 0u)
                : ((b->cbf >> 10) & 1) | ((b->cbf >> 11) & 1) << 1 | ((b->cbf >> 14) & 1) << 2 | ((b->cbf >> 15) & 1) << 3;
  }
  const uint32_t cbf_edges = cbf_left << 16 | cbf_up << 20;  // coded_block_flag_inc_luma's edge bits
  // Locals: the stores to the level arrays would otherwise reload them from m each time.
  const bool t8x8 = m.transform8x8;
  uint32_t cbf = m.cbf;
  for (int b8 = 0; b8 < 4; ++b8) {
    if (!((cbp_luma >> b8) & 1) || (clear_lists && use_cabac_)) {
      if (clear_lists) std::memset(&luma_[64 * b8], 0, 64 * sizeof(luma_[0]));
      if (!((cbp_luma >> b8) & 1)) continue;
    }
    if (t8x8 && use_cabac_) {
      int n = residual_block_cabac_8x8(cabac_, ctx_, levels_out ? &luma_[64 * b8] : nullptr, pos8_[b8]);
      for (int k = 0; k < 4; ++k) {
        const int blk = b8 * 4 + k;
        nnz_rows[kBlkY[blk]][kBlkX[blk]] = static_cast<uint8_t>(n);
        if (n) cbf |= 1u << blk;
      }
      continue;
    }
    if (use_cabac_) {
      // CABAC 4x4 blocks (luma or Intra16x16 AC): their own loop, the common case.
      const int cat = intra16x16 ? kCatLumaAc16x16 : kCatLuma4x4;
      for (int k = 0; k < 4; ++k) {
        const int blk = b8 * 4 + k;
        int32_t* list = nullptr;
        if (levels_out) {
          list = &luma_[16 * blk + (intra16x16 ? 1 : 0)];
          if (intra16x16) luma_[16 * blk] = 0;  // the DC's place (Intra16x16DCLevel is apart)
        }
        const int n = residual_block_cabac_4x4(cabac_, ctx_, cat, coded_block_flag_inc_luma(blk, cbf, cbf_edges),
                                               list, pos4_[blk]);
        nnz_rows[kBlkY[blk]][kBlkX[blk]] = static_cast<uint8_t>(n);
        if (n) cbf |= 1u << blk;
      }
      continue;
    }
    for (int k = 0; k < 4; ++k) {
      const int blk = b8 * 4 + k;
      const int x4 = kBlkX[blk], y4 = kBlkY[blk];
      int n;
      // CAVLC 8x8: the four 4x4 parts interleave into one 8x8 list (7.3.5.3.2).
      int32_t* list = t8x8 ? tmp_ : intra16x16 ? &luma_[16 * blk + 1] : &luma_[16 * blk];
      if (intra16x16) luma_[16 * blk] = 0;  // the DC's place (Intra16x16DCLevel is apart)
      const int nc = luma_nc(x4, y4);
      n = intra16x16 ? residual_block_cavlc(br_, nc, 0, 14, 15, list) : residual_block_cavlc(br_, nc, 0, 15, 16, list);
      if (t8x8)
        for (int i = 0; i < 16; ++i) luma_[64 * b8 + 4 * i + k] = tmp_[i];
      nnz_rows[y4][x4] = static_cast<uint8_t>(n);
      if (n) cbf |= 1u << blk;
    }
  }
  m.cbf = cbf;
  // Chroma (4:2:0).
  if (sps_.chroma_format_idc == 1 && cbp_chroma) {
    for (int c = 0; c < 2; ++c) {
      int n;
      const uint32_t bit = c ? kCbfCrDc : kCbfCbDc;
      if (!use_cabac_) n = residual_block_cavlc(br_, kNcChromaDc420, 0, 3, 4, chroma_dc_[c]);
      else
        n = residual_block_cabac(cabac_, ctx_, kCatChromaDc, coded_block_flag_inc_dc(bit, c, intra), 0, 3, 4,
                                 keep_levels_ ? chroma_dc_[c] : nullptr);
      if (n) m.cbf |= bit;
    }
    if (cbp_chroma & 2) {
      for (int c = 0; c < 2; ++c) {
        for (int blk = 0; blk < 4; ++blk) {
          int n;
          if (!use_cabac_) {
            n = residual_block_cavlc(br_, chroma_nc(c, blk & 1, blk >> 1), 0, 14, 15, &chroma_ac_[c][blk][1]);
          } else {
            n = residual_block_cabac_4x4(cabac_, ctx_, kCatChromaAc, coded_block_flag_inc_chroma_ac(c, blk, intra),
                                         keep_levels_ ? &chroma_ac_[c][blk][1] : nullptr, pos_chroma_[c][blk]);
            if (n) m.cbf |= 1u << ((c ? kCbfCrAcShift : kCbfCbAcShift) + blk);
          }
          nnz_c[c * 4 + blk] = static_cast<uint8_t>(n);
        }
      }
    }
  } else if (sps_.chroma_format_idc != 0 && sps_.chroma_format_idc != 1 && cbp_chroma) {
    fail(ErrorCode::kUnsupported, "unsupported H.264 chroma format");
  }
  if (pic_.residual) output_residual(m, intra16x16);
  if (pic_.block_sink) output_transform_blocks(m, intra16x16);
}

void SliceDecoder::output_residual(const MbInfo& m, bool intra16x16) {
  const bool intra = is_intra(m.kind);
  const LumaTransform t = intra16x16 ? LumaTransform::kIntra16x16 : m.transform8x8 ? LumaTransform::k8x8
                                                                                   : LumaTransform::k4x4;
  int16_t r[256];
  macroblock_luma_residual(t, luma_, luma_dc_, qp_ + qp_bd_offset_, ls4_[intra ? 0 : 3], ls8_[intra ? 0 : 1], false, r);
  const int w = pic_.w_mbs * 16;
  int16_t* out = pic_.residual->data() + static_cast<size_t>(mb_y_ * 16) * w + mb_x_ * 16;
  for (int y = 0; y < 16; ++y) std::memcpy(out + static_cast<size_t>(y) * w, r + y * 16, 32);
}

int SliceDecoder::chroma_qp(int c) const {
  // Table 8-15: QPC as a function of qPI.
  static constexpr uint8_t kQpc[22] = {29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36,
                                       36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39};
  const int off = 6 * (sps_.bit_depth_chroma - 8);
  const int qpi = std::clamp(qp_ + pps_.chroma_qp_index_offset[c], -off, 51);
  return (qpi < 30 ? qpi : kQpc[qpi - 30]) + off;
}

// Inline: a call per coded block, with the frame of its two 64-entry arrays.
[[gnu::always_inline]] inline void SliceDecoder::emit_block(int c_idx, int x0, int y0, int log2_size, bool intra, int qp, const int32_t* list,
                              int num_levels, const uint8_t* positions, bool dc) {
  // The inverse scan (clause 8.5.6) of the levels up to the last non-zero one, the
  // positions of the non-zero levels (in scan order) on the way.
  const int n = 1 << (2 * log2_size);
  const uint8_t* const zigzag = log2_size == 2 ? kZigzag4x4 : kZigzag8x8;
  int32_t raster[64];
  if (log2_size == 2) std::fill_n(raster, 16, 0);  // constant sizes: inline stores, no call
  else std::fill_n(raster, 64, 0);
  uint32_t nonzero[64];
  int nnz = 0;
  if (positions) {
    // The parser's list indices of the non-zero levels (after the DC at index 0 when dc).
    if (dc && list[0]) {
      raster[zigzag[0]] = list[0];
      nonzero[nnz++] = (static_cast<uint32_t>(zigzag[0]) << 16) | static_cast<uint16_t>(list[0]);
    }
    const int offset = dc ? 1 : 0;
    for (int i = 0; nnz < num_levels; ++i) {
      const int k = positions[i] + offset;
      const int32_t v = list[k];
      const uint32_t pos = zigzag[k];
      raster[pos] = v;
      nonzero[nnz++] = (pos << 16) | static_cast<uint16_t>(v);
    }
    pic_.block_sink->transform_block(transform_block_levels(c_idx, x0, y0, log2_size, intra, qp, raster, nonzero, nnz));
    return;
  }
  for (int k = 0; k < n && nnz < num_levels; ++k) {
    const int32_t v = list[k];
    if (!v) continue;
    const uint32_t pos = zigzag[k];
    raster[pos] = v;
    nonzero[nnz++] = (pos << 16) | static_cast<uint16_t>(v);
  }
  if (!nnz) return;
  pic_.block_sink->transform_block(transform_block_levels(c_idx, x0, y0, log2_size, intra, qp, raster, nonzero, nnz));
}

// One row per coded 4x4 / 8x8 block; the DC levels of Intra16x16 luma and of
// chroma are put back at position 0 of the block they belong to.
void SliceDecoder::output_transform_blocks(const MbInfo& m, bool intra16x16) {
  const bool intra = is_intra(m.kind);
  const int x0 = mb_x_ * 16, y0 = mb_y_ * 16;
  const int qpy = qp_ + qp_bd_offset_;
  const int cbp_luma = m.cbp & 0xF, cbp_chroma = m.cbp >> 4;
  // Blocks without a level are skipped here (emit_block would drop them after scanning them).
  const uint8_t* nnz = nnz_mb_;
  const size_t w4 = w4_;
  if (m.transform8x8) {
    for (int b8 = 0; b8 < 4; ++b8) {
      if (!((cbp_luma >> b8) & 1)) continue;
      // CABAC: the 8x8 block's count in each of its 4x4 entries; CAVLC: one count per interleaved part.
      const uint8_t* q = nnz + static_cast<size_t>(b8 >> 1) * 2 * w4 + (b8 & 1) * 2;
      const int levels = use_cabac_ ? q[0] : q[0] + q[1] + q[w4] + q[w4 + 1];
      emit_block(0, x0 + (b8 & 1) * 8, y0 + (b8 >> 1) * 8, 3, intra, qpy, &luma_[64 * b8], levels,
                 use_cabac_ ? pos8_[b8] : nullptr, false);
    }
  } else if (!intra16x16) {
    // The coded blocks: those with a coded_block_flag (CABAC) or a non-zero count (CAVLC).
    for (uint32_t coded = m.cbf & 0xFFFFu; coded; coded &= coded - 1) {
      const int blk = __builtin_ctz(coded);
      const int levels = nnz[kBlkY[blk] * w4 + kBlkX[blk]];
      emit_block(0, x0 + kBlkX[blk] * 4, y0 + kBlkY[blk] * 4, 2, intra, qpy, &luma_[16 * blk], levels,
                 use_cabac_ ? pos4_[blk] : nullptr, false);
    }
  } else {
    int32_t dc[16];
    inverse_scan_4x4(luma_dc_, dc);
    for (int blk = 0; blk < 16; ++blk) {
      int32_t* list = &luma_[16 * blk];
      const int at = kBlkY[blk] * 4 + kBlkX[blk];
      if (intra16x16) list[0] = dc[at];
      const int levels = nnz[kBlkY[blk] * w4 + kBlkX[blk]] + (intra16x16 && list[0] ? 1 : 0);
      if (!levels) continue;
      emit_block(0, x0 + kBlkX[blk] * 4, y0 + kBlkY[blk] * 4, 2, intra, qpy, list, levels,
                 use_cabac_ ? pos4_[blk] : nullptr, intra16x16);
    }
  }
  if (sps_.chroma_format_idc != 1 || !cbp_chroma) return;
  const uint8_t* nnz_c = &pic_.nnz_chroma[static_cast<size_t>(mb_addr_) * 8];
  for (int c = 0; c < 2; ++c) {
    const int qpc = chroma_qp(c);
    for (int blk = 0; blk < 4; ++blk) {
      chroma_ac_[c][blk][0] = chroma_dc_[c][blk];
      const int levels = nnz_c[c * 4 + blk] + (chroma_dc_[c][blk] ? 1 : 0);
      if (!levels) continue;
      emit_block(c + 1, x0 + (blk & 1) * 8, y0 + (blk >> 1) * 8, 2, intra, qpc, chroma_ac_[c][blk], levels,
                 use_cabac_ ? pos_chroma_[c][blk] : nullptr, true);
    }
  }
}

}  // namespace h264
}  // namespace codectok
