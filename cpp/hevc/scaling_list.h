// Scaling lists (clause 7.3.4 syntax, 7.4.5 semantics, Tables 7-5/7-6
// defaults) and the ScalingFactor arrays of clause 7.4.5.
#pragma once
#include <cstdint>

#include "bitstream/bit_reader.h"

namespace codectok {

struct ScalingList {
  // ScalingList[sizeId][matrixId][i], i in coded (up-right diagonal) order;
  // sizeId 0: 16 entries, 1..3: 64 entries. For sizeId 3 matrixId 0..5 are
  // all kept (4:2:0 uses 0 and 3; chroma 32x32 entries mirror the spec's
  // RExt rule and are unused here).
  uint8_t list[4][6][64];
  // scaling_list_dc_coef_minus8 + 8 for sizeId 2 and 3 (16 when default).
  uint8_t dc[4][6];
};

// Fills `sl` with the default lists (Table 7-5 flat 16 for 4x4, Table 7-6 for larger).
void set_default_scaling_list(ScalingList& sl);

// Parses scaling_list_data() (clause 7.3.4), including prediction from a
// reference list (scaling_list_pred_matrix_id_delta) and the defaults.
void parse_scaling_list_data(BitReader& br, ScalingList& sl);

// ScalingFactor m[x][y] for a transform block of size 1 << log2_size
// (2..5) and matrixId (0..5: intra Y, Cb, Cr, inter Y, Cb, Cr; for 32x32
// use 0 or 3), written raster order out[y * n + x], DC substitution included.
void derive_scaling_factor(const ScalingList& sl, int log2_size, int matrix_id, uint8_t* out);

}  // namespace codectok
