// Unit tests of the refresh policy's per-picture change signals (cpp/score/picture_change.h) on
// small synthetic pictures whose patch values follow by hand: a 32x32 picture on a 2x2 grid of
// 16-px patches (each patch 4x4 motion blocks and 2x2 bit cells), one rule per patch; a letterboxed
// intra picture for the share of the patch that shows picture.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "score/picture_change.h"
#include "support/check.h"
#include "support/corpus_scores.h"

using namespace codectok;

namespace {

using codectok::test::check;

#define CHECK(cond) check((cond), std::string(#cond) + " (line " + std::to_string(__LINE__) + ")")
#define CHECK_EQ(a, b)                                                                                                \
  do {                                                                                                               \
    const double va_ = (a), vb_ = (b);                                                                               \
    check(va_ == vb_, std::string(#a) + " = " + std::to_string(va_) + ", expected " + std::to_string(vb_) + " (line " + \
                          std::to_string(__LINE__) + ")");                                                           \
  } while (0)

constexpr int kPoc = 10;

// Sets the 4x4 block (c, r) of a 32-wide motion field (8 columns).
void block(std::vector<int16_t>& m, int c, int r, int16_t mode, int16_t mvx) {
  int16_t* o = &m[(static_cast<size_t>(r) * 8 + c) * 8];
  o[0] = mode;
  o[1] = mode == 0 ? 0 : 1;  // list 0
  o[2] = mode == 0 ? 0 : mvx;
  o[3] = 0;
  o[6] = mode == 0 ? -32768 : kPoc - 1;
  o[7] = -32768;
}

// Patch (0, 0): inter, 8 quarter samples = 2 px/frame, 10 bits per 8x8 -> motion 2, bits 10.
// Patch (0, 1): skipped with a merged vector of 2 px/frame, 5 bits per 8x8 -> motion 2, the skip
//   flags' bits dropped: 0.
// Patch (1, 0): the left half intra, the right half inter at a quarter pixel -> intra 0.5, motion
//   8 * 0.25 / 16 = 0.125, below the 0.25 floor: 0; 4 bits per 8x8 kept (intra blocks code something).
// Patch (1, 1): inter, no motion, one 16x16 luma transform block of energy 144 (9 per 4x4 block):
//   coeff residual sqrt(9) = 3; 2 bits per 8x8 kept. abs: |residual| 2 per sample -> 2.
void test_rules_per_patch() {
  std::vector<int16_t> motion(8 * 8 * 8, 0);
  std::vector<float> bits(4 * 4, 0);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) {
      const bool top = r < 4, left = c < 4;
      if (top && left) block(motion, c, r, 1, 8);
      else if (top) block(motion, c, r, 2, 8);
      else if (left) block(motion, c, r, c < 2 ? 0 : 1, 1);
      else block(motion, c, r, 1, 0);
    }
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) bits[r * 4 + c] = r < 2 ? (c < 2 ? 10 : 5) : (c < 2 ? 4 : 2);
  std::vector<int64_t> tu = {
      3, 0, 0, 16, 16, 4, 0, 0, 0, 144, 0, 0, 0,  // luma 16x16 at (16, 16)
      3, 0, 1, 0, 0, 3, 0, 0, 0, 999, 0, 0, 0,    // chroma: not read
  };
  std::vector<int16_t> residual(32 * 32, 0);
  for (int y = 16; y < 32; ++y)
    for (int x = 16; x < 32; ++x) residual[y * 32 + x] = -2;
  PictureArrays a;
  a.frame = CodedFrame{32, 32, 0, 0, 0, 0};
  a.poc = kPoc;
  a.decode_index = 3;
  a.motion = motion.data();
  a.bits = bits.data();
  a.tu = tu.data();
  a.tu_rows = 2;
  a.has_tu = true;
  a.residual = residual.data();
  const PatchGeometry g = test::letterbox_geometry(32, 32, 32, 16);
  CHECK(g.grid_h == 2 && g.grid_w == 2 && g.pad_left == 0 && g.pad_top == 0);

  ChangeRequest coeff{ResidualSource::kCoeff, 0.25, 1};
  PictureChangeEstimator e(g, a.frame, coeff);
  for (float s : e.share()) CHECK_EQ(s, 1);
  PictureChange out;
  e.estimate(a, out);
  const float motion_want[4] = {2, 2, 0, 0}, residual_want[4] = {0, 0, 0, 3}, bits_want[4] = {10, 0, 4, 2}, intra_want[4] = {0, 0, 0.5, 0};
  for (int s = 0; s < 4; ++s) {
    CHECK_EQ(out.motion[s], motion_want[s]);
    CHECK_EQ(out.residual[s], residual_want[s]);
    CHECK_EQ(out.bits[s], bits_want[s]);
    CHECK_EQ(out.intra[s], intra_want[s]);
  }
  // Without the motion floor the quarter pixel of patch (1, 0) shows.
  PictureChangeEstimator no_floor(g, a.frame, ChangeRequest{ResidualSource::kCoeff, 0, 1});
  no_floor.estimate(a, out);
  CHECK_EQ(out.motion[2], 0.125);
  // Energy 9 per block is RMS 3; a floor above 9 calls it noise, and patch (1, 1) then codes nothing:
  // its bits go too.
  PictureChangeEstimator high_floor(g, a.frame, ChangeRequest{ResidualSource::kCoeff, 0.25, 10});
  high_floor.estimate(a, out);
  CHECK_EQ(out.residual[3], 0);
  CHECK_EQ(out.bits[3], 0);
  // abs: the mean |residual|, no square root, no floor.
  PictureChangeEstimator abs(g, a.frame, ChangeRequest{ResidualSource::kAbs, 0.25, 1});
  abs.estimate(a, out);
  CHECK_EQ(out.residual[3], 2);
  CHECK_EQ(out.residual[0], 0);
  // A missing array is named.
  PictureArrays no_bits = a;
  no_bits.bits = nullptr;
  bool threw = false;
  try {
    e.estimate(no_bits, out);
  } catch (const std::invalid_argument& err) {
    threw = std::string(err.what()).find("bits") != std::string::npos;
  }
  CHECK(threw);
}

// A 32x16 intra picture letterboxed into 32x32: each 16-px patch shows 8 rows of picture, so its
// share is 0.5, and its intra share (intra area over picture area) is 1, not 0.5.
void test_letterbox_share() {
  std::vector<int16_t> motion(8 * 4 * 8, 0);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 8; ++c) block(motion, c, r, 0, 0);
  std::vector<float> bits(4 * 2, 3);
  std::vector<int64_t> tu;
  PictureArrays a;
  a.frame = CodedFrame{32, 16, 0, 0, 0, 0};
  a.poc = kPoc;
  a.motion = motion.data();
  a.bits = bits.data();
  a.tu = tu.data();
  a.has_tu = true;
  const PatchGeometry g = test::letterbox_geometry(32, 16, 32, 16);
  CHECK(g.pad_top == 8 && g.scaled_height == 16 && g.grid_h == 2);
  PatchPooler pooler(g, 0, 0);
  std::vector<float> share;
  picture_share(a.frame, pooler, share);
  CHECK(share.size() == 4u);
  PictureChangeEstimator e(g, a.frame, ChangeRequest{ResidualSource::kCoeff, 0.25, 1});
  PictureChange out;
  e.estimate(a, out);
  for (int s = 0; s < 4; ++s) {
    CHECK_EQ(share[s], 0.5);
    CHECK_EQ(e.share()[s], 0.5);
    CHECK_EQ(out.intra[s], 1);
    CHECK_EQ(out.motion[s], 0);
    CHECK_EQ(out.bits[s], 1.5);  // 3 bits per 8x8 over half the patch
  }
}

}  // namespace

int main() {
  test_rules_per_patch();
  test_letterbox_share();
  return codectok::test::report();
}
