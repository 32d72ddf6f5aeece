// H.264 residual reconstruction up to the residual sample values (clause 8.5):
// inverse zig-zag scans, LevelScale4x4 / LevelScale8x8, scaling
// (dequantisation) of 4x4 and 8x8 blocks, the Intra16x16 luma DC and 4:2:0
// chroma DC transforms, the 4x4 / 8x8 inverse integer transforms and the
// transform-bypass (lossless) path.
//
// Blocks are raster arrays: element [y * N + x] is column x, row y (the
// specification's c_ij with i = row y, j = column x). Scaling lists are taken
// in coded (zig-zag) order as the SPS / PPS carry them (the lists themselves,
// their defaults and fall-back rules live in parameter_sets.h).
#pragma once
#include <cstdint>

namespace codectok {
namespace h264 {

// Frame zig-zag scans (Tables 8-12 and 8-13, frame column): scan index ->
// raster position x + N * y.
extern const uint8_t kZigzag4x4[16];
extern const uint8_t kZigzag8x8[64];

// LevelScale4x4(m, i, j) = weightScale4x4(i, j) * normAdjust4x4(m, i, j)
// (clause 8.5.9), [m = qP % 6][raster position]; likewise 8x8.
struct LevelScale4x4 {
  int32_t v[6][16];
};
struct LevelScale8x8 {
  int32_t v[6][64];
};
void compute_level_scale_4x4(const uint8_t scaling_list_zigzag[16], LevelScale4x4& out);
void compute_level_scale_8x8(const uint8_t scaling_list_zigzag[64], LevelScale8x8& out);

// coeffLevel list (scan order) -> raster block c.
void inverse_scan_4x4(const int32_t list[16], int32_t c[16]);
void inverse_scan_8x8(const int32_t list[64], int32_t c[64]);

// Scaling of a 4x4 block (clause 8.5.12.1), in place: c -> d. qP is QP'Y (or
// the chroma qP, QP'C) including QpBdOffset. dc_from_dc_transform: the block's
// DC is the already scaled output of the Intra16x16 / chroma DC transform
// (Intra16x16 luma and 4:2:0 chroma blocks) and is left as it is.
void scale_4x4(int32_t c[16], int qP, const LevelScale4x4& ls, bool dc_from_dc_transform);
// Scaling of an 8x8 block (clause 8.5.13.1), in place.
void scale_8x8(int32_t c[64], int qP, const LevelScale8x8& ls);

// Intra16x16 luma DC (clause 8.5.10): c is the 4x4 raster of
// Intra16x16DCLevel after inverse_scan_4x4; dcY[y * 4 + x] is the DC of the
// 4x4 luma block whose top-left sample is (4x, 4y).
void inverse_luma_dc_16x16(const int32_t c[16], int qP, const LevelScale4x4& ls, int32_t dcY[16]);
// 4:2:0 chroma DC (clause 8.5.11): c = ChromaDCLevel[0..3] (raster of the 2x2
// chroma blocks), qP = QP'C; dcC[y * 2 + x] is the DC of the chroma 4x4 block (4x, 4y).
void inverse_chroma_dc_420(const int32_t c[4], int qP, const LevelScale4x4& ls, int32_t dcC[4]);

// Inverse transforms (clauses 8.5.12.2 and 8.5.13.2) with the final
// r_ij = (h_ij + 32) >> 6: d -> residual r.
void inverse_transform_4x4(const int32_t d[16], int32_t r[16]);
void inverse_transform_8x8(const int32_t d[64], int32_t r[64]);

// The whole path of one block, from its coefficient list (scan order) to
// the residual r (raster): inverse scan, scaling, inverse transform; or, with
// transform_bypass, r = the inverse-scanned list. For 4x4 blocks whose DC
// comes from a DC transform (Intra16x16 luma, 4:2:0 chroma), pass that DC as
// `dc` (list[0] is then ignored; the AC list occupies list[1..15]); else nullptr.
void residual_4x4(const int32_t list[16], int qP, const LevelScale4x4& ls, const int32_t* dc, bool transform_bypass,
                  int32_t r[16]);
void residual_8x8(const int32_t list[64], int qP, const LevelScale8x8& ls, bool transform_bypass, int32_t r[64]);

// The luma residual of one macroblock (frame scan), from its coefficient
// lists as residual_block_cavlc / residual_block_cabac return them:
// - k4x4: levels[16 * luma4x4BlkIdx + k], k = 0..15;
// - kIntra16x16: levels[16 * luma4x4BlkIdx + 1 + k] = Intra16x16ACLevel k
//   (k = 0..14; levels[16 * luma4x4BlkIdx] is ignored) and dc_levels[0..15]
//   = Intra16x16DCLevel;
// - k8x8: levels[64 * luma8x8BlkIdx + k], k = 0..63.
// qP = QP'Y; ls4 / ls8: the LevelScale of the macroblock's (intra or inter)
// Y list. residual[y * 16 + x], saturated to int16. Blocks whose lists are all
// zero give zeros without a transform. Transform bypass does not apply the
// clause 8.5.15 accumulation (it needs the prediction modes; see
// bypass_intra_accumulate).
enum class LumaTransform { k4x4, k8x8, kIntra16x16 };
void macroblock_luma_residual(LumaTransform transform, const int32_t levels[256], const int32_t dc_levels[16],
                              int qP, const LevelScale4x4& ls4, const LevelScale8x8& ls8, bool transform_bypass,
                              int16_t residual[256]);

// TransformBypassModeFlag (qpprime_y_zero_transform_bypass_flag and QP'Y 0):
// no scaling and no transform, DC transforms included (dcY = c, dcC = c):
// the residual is the coefficient block itself, r = c; for Intra_NxN /
// Intra16x16 blocks predicted vertically or horizontally, clause 8.5.15
// accumulates it along the prediction direction (in place, n x n raster).
void bypass_intra_accumulate(int32_t r[], int n, bool vertical);

}  // namespace h264
}  // namespace codectok
