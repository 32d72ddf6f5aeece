// Scaling lists: clause 7.3.4 (syntax), 7.4.5 (semantics, ScalingFactor),
// Tables 7-5 and 7-6 (defaults).
#include "hevc/scaling_list.h"

#include <cstring>
#include <string>

#include "bitstream/parse_error.h"
#include "hevc/scan_order.h"

namespace codectok {
namespace {

// Table 7-6, i = 0..63 in up-right diagonal order (sizeId 1..3).
constexpr uint8_t kDefaultIntra8x8[64] = {
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 17, 16, 17, 16, 17, 18,
    17, 18, 18, 17, 18, 21, 19, 20, 21, 20, 19, 21, 24, 22, 22, 24,
    24, 22, 22, 24, 25, 25, 27, 30, 27, 25, 25, 29, 31, 35, 35, 31,
    29, 36, 41, 44, 41, 36, 47, 54, 54, 47, 65, 70, 65, 88, 88, 115};
constexpr uint8_t kDefaultInter8x8[64] = {
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 18,
    18, 18, 18, 18, 18, 20, 20, 20, 20, 20, 20, 20, 24, 24, 24, 24,
    24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 28, 28, 28, 28, 28,
    28, 33, 33, 33, 33, 33, 41, 41, 41, 41, 54, 54, 54, 71, 71, 91};

void set_default_list(ScalingList& sl, int size_id, int matrix_id) {
  if (size_id == 0) {
    std::memset(sl.list[0][matrix_id], 16, 16);
    std::memset(sl.list[0][matrix_id] + 16, 0, 48);
  } else {
    std::memcpy(sl.list[size_id][matrix_id], matrix_id < 3 ? kDefaultIntra8x8 : kDefaultInter8x8, 64);
  }
  sl.dc[size_id][matrix_id] = 16;
}

}  // namespace

void set_default_scaling_list(ScalingList& sl) {
  for (int size_id = 0; size_id < 4; ++size_id)
    for (int matrix_id = 0; matrix_id < 6; ++matrix_id) set_default_list(sl, size_id, matrix_id);
}

void parse_scaling_list_data(BitReader& br, ScalingList& sl) {
  for (int size_id = 0; size_id < 4; ++size_id) {
    const int step = size_id == 3 ? 3 : 1;
    const int coef_num = size_id == 0 ? 16 : 64;
    for (int matrix_id = 0; matrix_id < 6; matrix_id += step) {
      const bool pred_mode_flag = br.flag();
      if (!pred_mode_flag) {
        const uint32_t delta = br.ue();
        if (delta > static_cast<uint32_t>(matrix_id / step))
          fail(ErrorCode::kInvalidSyntax,
               "scaling_list_pred_matrix_id_delta out of range: " + std::to_string(delta));
        if (delta == 0) {
          set_default_list(sl, size_id, matrix_id);
        } else {
          const int ref = matrix_id - static_cast<int>(delta) * step;
          std::memcpy(sl.list[size_id][matrix_id], sl.list[size_id][ref], 64);
          sl.dc[size_id][matrix_id] = sl.dc[size_id][ref];
        }
      } else {
        int next_coef = 8;
        if (size_id > 1) {
          const int32_t dc_minus8 = br.se();
          if (dc_minus8 < -7 || dc_minus8 > 247)
            fail(ErrorCode::kInvalidSyntax,
                 "scaling_list_dc_coef_minus8 out of range: " + std::to_string(dc_minus8));
          next_coef = dc_minus8 + 8;
          sl.dc[size_id][matrix_id] = static_cast<uint8_t>(next_coef);
        } else {
          sl.dc[size_id][matrix_id] = 16;  // not used for 4x4 / 8x8
        }
        for (int i = 0; i < coef_num; ++i) {
          const int32_t delta_coef = br.se();
          if (delta_coef < -128 || delta_coef > 127)
            fail(ErrorCode::kInvalidSyntax,
                 "scaling_list_delta_coef out of range: " + std::to_string(delta_coef));
          next_coef = (next_coef + delta_coef + 256) % 256;
          if (next_coef == 0) fail(ErrorCode::kInvalidSyntax, "ScalingList entry equal to 0");
          sl.list[size_id][matrix_id][i] = static_cast<uint8_t>(next_coef);
        }
        if (coef_num < 64) std::memset(sl.list[size_id][matrix_id] + coef_num, 0, 64 - coef_num);
      }
    }
  }
  // ChromaArrayType == 3 rule (7.4.5): the 32x32 chroma factors come from the
  // 16x16 chroma lists (same 8x8 list upsampled by 4, same DC).
  for (int matrix_id : {1, 2, 4, 5}) {
    std::memcpy(sl.list[3][matrix_id], sl.list[2][matrix_id], 64);
    sl.dc[3][matrix_id] = sl.dc[2][matrix_id];
  }
}

void derive_scaling_factor(const ScalingList& sl, int log2_size, int matrix_id, uint8_t* out) {
  if (log2_size < 2 || log2_size > 5 || matrix_id < 0 || matrix_id > 5)
    fail(ErrorCode::kInvalidSyntax, "derive_scaling_factor: bad block size or matrixId");
  const int size_id = log2_size - 2;
  const int n = 1 << log2_size;
  const uint8_t* list = sl.list[size_id][matrix_id];
  if (size_id == 0) {
    const ScanPos* scan = scan_order(2, 0);  // up-right diagonal, clause 6.5.3
    for (int i = 0; i < 16; ++i) out[scan[i].y * 4 + scan[i].x] = list[i];
    return;
  }
  // 8x8 coded list, replicated by `rep` = 1, 2 or 4 in each direction.
  const ScanPos* scan = scan_order(3, 0);
  const int rep = n >> 3;
  for (int i = 0; i < 64; ++i) {
    const int x0 = scan[i].x * rep, y0 = scan[i].y * rep;
    for (int dy = 0; dy < rep; ++dy)
      for (int dx = 0; dx < rep; ++dx) out[(y0 + dy) * n + x0 + dx] = list[i];
  }
  if (size_id >= 2) out[0] = sl.dc[size_id][matrix_id];
}

}  // namespace codectok
