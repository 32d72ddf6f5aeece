// Unit tests of the scoring stage (cpp/score/): percentiles and the median, camera-motion
// estimation (median, similarity and affine IRLS on synthetic motion fields with outliers),
// signal maps (motion per frame, coefficient energy, |residual|), area pooling onto patch grids
// (constant maps, mass, a single hot cell, crop) and fused frame scores.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "score/camera_motion.h"
#include "score/frame_scores.h"
#include "score/motion_summary.h"
#include "score/patch_pooling.h"
#include <cstring>
#include "score/signal_maps.h"
#include "score/statistics.h"
#include "support/check.h"
#include "support/corpus_scores.h"

using namespace codectok;

namespace {

using codectok::test::check;

#define CHECK(cond) check((cond), std::string(#cond) + " (line " + std::to_string(__LINE__) + ")")
#define CHECK_NEAR(a, b, tol)                                                                                            \
  do {                                                                                                                   \
    const double va_ = (a), vb_ = (b);                                                                                   \
    check(std::fabs(va_ - vb_) <= (tol), std::string(#a) + " = " + std::to_string(va_) + ", expected " + std::to_string(vb_) + \
                                             " (line " + std::to_string(__LINE__) + ")");                              \
  } while (0)

// A motion field: every 4x4 block inter (list 0, reference poc - 1) with the vector f(x, y) in quarter samples.
std::vector<int16_t> field(int w, int h, const std::function<void(int, int, int16_t*)>& f) {
  const int cols = (w + 3) / 4, rows = (h + 3) / 4;
  std::vector<int16_t> m(static_cast<size_t>(cols) * rows * 8);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      int16_t* o = &m[(static_cast<size_t>(r) * cols + c) * 8];
      o[0] = 1;
      o[1] = 1;
      o[6] = 9;
      o[7] = -32768;
      f(c, r, o);
    }
  return m;
}

void test_statistics() {
  std::vector<float> v = {5, 1, 4, 2, 3};
  CHECK_NEAR(percentile_of(v.data(), v.size(), 50), 3, 0);
  v = {5, 1, 4, 2, 3};
  CHECK_NEAR(percentile_of(v.data(), v.size(), 95), 4.8, 1e-12);  // numpy: 4 + 0.8
  v = {7};
  CHECK_NEAR(percentile_of(v.data(), v.size(), 95), 7, 0);
  CHECK_NEAR(percentile_of(nullptr, 0, 95), 0, 0);
  std::vector<double> hist(10, 0);
  hist[0] = 2;
  hist[3] = 1;
  hist[9] = 1;  // values 0 0 3 9
  CHECK_NEAR(percentile_histogram(hist.data(), hist.size(), 4, 50), 1.5, 1e-12);
  CHECK_NEAR(percentile_histogram(hist.data(), hist.size(), 4, 100), 9, 0);
  std::vector<double> m = {3, -1, 2, 8};
  CHECK_NEAR(median_of(m.data(), m.size()), 2.5, 0);
  m = {3, -1, 2};
  CHECK_NEAR(median_of(m.data(), m.size()), 2, 0);
}

void test_camera_motion() {
  CodedFrame f{320, 240, 0, 0, 0, 0};
  // A pan of (+8, -4) quarter samples = content moving (-2, +1) px/frame, 10% of blocks outliers.
  auto pan = field(320, 240, [](int c, int r, int16_t* o) {
    o[2] = 8;
    o[3] = -4;
    if ((c * 7 + r * 3) % 10 == 0) o[2] = 100, o[3] = 60;
  });
  Velocities v;
  collect_velocities(pan.data(), f, 10, 1, true, v);
  CHECK(v.n == 80u * 60u);
  CameraMotion m = estimate_camera_motion(v, Compensation::kMedian);
  CHECK_NEAR(m.params[0], -2, 1e-12);
  CHECK_NEAR(m.params[1], 1, 1e-12);
  // Reference distance: the same vectors over 2 pictures are half the velocity.
  for (size_t i = 0; i < pan.size(); i += 8) pan[i + 6] = 8;
  collect_velocities(pan.data(), f, 10, 1, true, v);
  m = estimate_camera_motion(v, Compensation::kMedian);
  CHECK_NEAR(m.params[0], -1, 1e-12);
  // A zoom about the centre plus a pan: similarity and affine recover it despite the outliers.
  const double zoom = 0.02, tx = 1.5, ty = -0.5;
  auto zoomed = field(320, 240, [&](int c, int r, int16_t* o) {
    const double x = c * 4 + 2 - 160.0, y = r * 4 + 2 - 120.0;
    o[2] = static_cast<int16_t>(std::lround(-4 * (zoom * x + tx)));
    o[3] = static_cast<int16_t>(std::lround(-4 * (zoom * y + ty)));
    if ((c * 5 + r * 11) % 9 == 0) o[2] = -200, o[3] = 150;
  });
  collect_velocities(zoomed.data(), f, 10, 1, true, v);
  for (Compensation model : {Compensation::kSimilarity, Compensation::kAffine}) {
    m = estimate_camera_motion(v, model);
    const bool sim = model == Compensation::kSimilarity;
    CHECK_NEAR(m.params[0], zoom, 2e-3);
    CHECK_NEAR(sim ? m.params[2] : m.params[2], tx, 0.1);
    CHECK_NEAR(sim ? m.params[3] : m.params[5], ty, 0.1);
    // The compensated motion of an inlier block is near zero, that of an outlier is not.
    CellMap map;
    PictureArrays a;
    a.frame = f;
    a.poc = 10;
    a.motion = zoomed.data();
    CameraMotion cam;
    motion_map(a, model, true, MotionVectorSource::kMean, map, cam);
    CHECK(map.values[1] < 0.2f);
    CHECK(map.values[0] > 20.0f);  // block (0, 0) is an outlier
  }
  // No inter block: zero parameters.
  std::vector<int16_t> intra(static_cast<size_t>(80) * 60 * 8, 0);
  collect_velocities(intra.data(), f, 10, 1, true, v);
  m = estimate_camera_motion(v, Compensation::kAffine);
  CHECK(m.params.size() == 6u && m.params[2] == 0 && m.blocks == 0u);
}

// kList0Integer reads what FFmpeg exports for H.264 (OneVision-Encoder's motion signal): the
// list-0 vector in whole samples rounded toward zero, 0 for intra blocks and list-1-only blocks,
// every displayed block counted.
void test_list0_integer_vectors() {
  CodedFrame f{16, 8, 0, 4, 0, 0};  // 4x2 blocks, the last column cropped away
  auto m = field(16, 8, [](int c, int r, int16_t* o) {
    o[2] = 7;    // 1.75 px -> 1
    o[3] = -7;   // -1.75 px -> -1
    o[4] = 40;   // list 1, ignored
    o[5] = 40;
    if (c == 1 && r == 0) o[0] = 0;                     // intra
    if (c == 2 && r == 0) o[1] = 2, o[6] = -32768;      // list 1 only
    if (c == 0 && r == 1) o[1] = 3, o[2] = -3, o[3] = 5;  // bi: list 0 (-0.75, 1.25) -> (0, 1)
  });
  Velocities v;
  collect_velocities(m.data(), f, 10, 1, false, v, MotionVectorSource::kList0Integer);
  CHECK(v.n == 6u);  // 3 displayed columns x 2 rows
  const double want_vx[6] = {-1, 0, 0, 0, -1, -1};
  const double want_vy[6] = {1, 0, 0, -1, 1, 1};
  for (int i = 0; i < 6; ++i) {
    CHECK_NEAR(v.vx[i], want_vx[i], 0);
    CHECK_NEAR(v.vy[i], want_vy[i], 0);
  }
  CHECK(v.index[3] == 4);  // row 1 starts at block 4 of the coded grid
  // The median runs over all six (zeros included): vx median of {-1,0,0,0,-1,-1} is -0.5.
  CameraMotion cam = estimate_camera_motion(v, Compensation::kMedian);
  CHECK_NEAR(cam.params[0], -0.5, 0);
  // With kMean the same field gives quarter-sample means of inter blocks only.
  collect_velocities(m.data(), f, 10, 1, false, v, MotionVectorSource::kMean);
  CHECK(v.n == 7u);  // all 8 coded blocks but the intra one
  CHECK_NEAR(v.vx[0], -7.0 / 4, 0);
  CHECK_NEAR(v.vx[3], (3.0 / 4 + 40.0 / 4) / 2, 1e-12);  // the bi block, list 1 taken as pointing forward
}

void test_signal_maps() {
  // Coefficient energy: a luma 8x8 block (log2 3) of energy 64 at (8, 4) spreads 16 per 4x4 block;
  // chroma rows and rows of other pictures are ignored.
  std::vector<int64_t> tu = {
      5, 0, 0, 8, 4, 3, 0, 0, 0, 64, 0, 0, 0,   //
      5, 0, 1, 0, 0, 3, 0, 0, 0, 999, 0, 0, 0,  // chroma
      4, 0, 0, 0, 0, 3, 0, 0, 0, 999, 0, 0, 0,  // another picture
  };
  PictureArrays a;
  a.frame = CodedFrame{32, 16, 0, 0, 0, 0};
  a.decode_index = 5;
  a.tu = tu.data();
  a.tu_rows = 3;
  a.has_tu = true;
  CellMap m;
  coeff_energy_map(a, m);
  CHECK(m.cols == 8 && m.rows == 4 && m.cell == 4);
  CHECK_NEAR(m.values[1 * 8 + 2], 16, 0);
  CHECK_NEAR(m.values[2 * 8 + 3], 16, 0);
  CHECK_NEAR(m.values[0], 0, 0);
  double sum = 0;
  for (float x : m.values) sum += x;
  CHECK_NEAR(sum, 64, 0);
  std::vector<int16_t> res(32 * 16, 0);
  res[3] = -7;
  a.residual = res.data();
  abs_residual_map(a, m);
  CHECK(m.integer && m.counts[3] == 7);
}

// A map of cell x cell blocks over a coded picture of width x height (its values left to fill).
CellMap map_over(int width, int height, int cell) {
  CellMap map;
  map.cols = (width + cell - 1) / cell;
  map.rows = (height + cell - 1) / cell;
  map.cell = cell;
  return map;
}

void test_pooling() {
  // A constant map c gives c on every content patch and preserves the mass, for any cell and patch.
  for (int patch : {14, 16, 32})
    for (int cell : {1, 4, 8}) {
      CodedFrame f{328, 184, 2, 4, 0, 6};  // 322x178 displayed
      PatchGeometry g = test::letterbox_geometry(322, 178, 448, patch);
      CellMap map = map_over(f.width, f.height, cell);
      map.values.assign(static_cast<size_t>(map.cols) * map.rows, 3.0f);
      PatchPooler pooler(g, f.crop_left, f.crop_top);
      std::vector<float> raw, norm;
      pooler.pool(map, 6.0, raw, &norm);
      double total = 0;
      for (int h = 0; h < g.grid_h; ++h)
        for (int w = 0; w < g.grid_w; ++w) {
          const size_t i = static_cast<size_t>(h) * g.grid_w + w;
          const bool content = h * patch >= g.pad_top && (h + 1) * patch <= g.pad_top + g.scaled_height &&
                               w * patch >= g.pad_left && (w + 1) * patch <= g.pad_left + g.scaled_width;
          if (content) {
            CHECK_NEAR(raw[i], 3, 1e-5);
            CHECK_NEAR(norm[i], 0.5, 1e-6);
          }
          CHECK(raw[i] <= 3 + 1e-5);
          total += raw[i] * patch * patch;
        }
      CHECK_NEAR(total / (3.0 * g.scaled_width * g.scaled_height), 1, 1e-4);
    }
  // One hot 4x4 block at coded (100, 60) of a 400x200 picture letterboxed to 400 with 20-px patches.
  PatchGeometry g = test::letterbox_geometry(400, 200, 400, 20);
  CHECK(g.pad_top == 100);
  CellMap map = map_over(400, 200, 4);
  map.values.assign(5000, 0.0f);
  map.values[15 * 100 + 25] = 1;
  PatchPooler pooler(g, 0, 0);
  std::vector<float> raw;
  pooler.pool(map, INFINITY, raw, nullptr);
  const size_t hot = ((100 + 60) / 20) * 20 + 100 / 20;
  for (size_t i = 0; i < raw.size(); ++i) CHECK(i == hot ? std::fabs(raw[i] - 16.0 / 400) < 1e-7 : raw[i] == 0);
}

void test_pooling_rows_at_once() {
  // The raw pooling (several rows at once) gives the bits of the pooling that also normalises (one
  // row at a time): random maps, zeros among them, float and integer, odd row counts, crops.
  uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  for (int patch : {14, 16, 32})
    for (int cell : {4, 8, 16, 64})
      for (bool integer : {false, true}) {
        CodedFrame f{1928, 1088, 2, 6, 0, 8};  // 1920x1080 displayed
        PatchGeometry g = test::letterbox_geometry(1920, 1080, 576, patch);
        CellMap map = map_over(f.width, f.height, cell);
        map.integer = integer;
        const size_t n = static_cast<size_t>(map.cols) * map.rows;
        if (integer) {
          map.counts.resize(n);
          for (auto& c : map.counts) c = next() % 3 == 0 ? 0 : next() % 5000;
        } else {
          map.values.resize(n);
          for (auto& v : map.values) v = next() % 3 == 0 ? 0.0f : static_cast<float>(next() % 100000) / 977.0f;
        }
        PatchPooler pooler(g, f.crop_left, f.crop_top);
        std::vector<float> one_row, norm, at_once;
        pooler.pool(map, 7.5, one_row, &norm);
        pooler.pool(map, INFINITY, at_once, nullptr);
        CHECK(one_row.size() == at_once.size());
        bool same = true;
        for (size_t i = 0; i < one_row.size(); ++i) same &= std::memcmp(&one_row[i], &at_once[i], sizeof(float)) == 0;
        CHECK(same);
      }
}

void test_frame_scores() {
  // Per-frame: the level is the 95th percentile (floored); fused is the weighted mean.
  CodedFrame f{64, 64, 0, 0, 0, 0};
  PatchGeometry g = test::letterbox_geometry(64, 64, 64, 16);
  ScoringOptions o;
  o.weights[kSignalMotion] = 1;
  o.weights[kSignalResidual] = 3;
  SignalMaps s;
  CellMap& mm = s.maps[kSignalMotion];
  mm.cols = mm.rows = 16;
  mm.cell = 4;
  mm.values.assign(256, 0.0f);
  for (int i = 0; i < 64; ++i) mm.values[i] = 2;  // the top 4 block rows: the top patch row
  CellMap& rm = s.maps[kSignalResidual];
  rm.cols = rm.rows = 64;
  rm.cell = 1;
  rm.integer = true;
  rm.counts.assign(64 * 64, 0);
  FrameScorer scorer(o, g, f);
  FrameScores out;
  scorer.score(s, out);
  // motion: 25% of the cells are 2, the 95th percentile is 2 -> top row 1, the rest 0.
  CHECK_NEAR(out.level[kSignalMotion], 2, 0);
  CHECK_NEAR(out.level[kSignalResidual], 1, 0);  // floor
  CHECK_NEAR(out.norm[kSignalMotion][0], 1, 0);
  CHECK_NEAR(out.fused[0], 0.25, 1e-7);
  CHECK_NEAR(out.fused[4], 0, 0);
  CHECK_NEAR(out.raw[kSignalMotion][3], 2, 0);
  // Clip: one level over both frames (the second has twice the motion).
  SignalMaps s2 = s;
  for (float& x : s2.maps[kSignalMotion].values) x *= 2;
  std::vector<FrameScores> clip;
  scorer.score_clip({&s, &s2}, clip);
  CHECK_NEAR(clip[0].level[kSignalMotion], 4, 0);
  CHECK_NEAR(clip[0].norm[kSignalMotion][0], 0.5, 0);
  CHECK_NEAR(clip[1].norm[kSignalMotion][0], 1, 0);
}

void test_motion_summary() {
  // 4 blocks: intra; skip with list 0 (3, 4) quarter samples; inter bi (0, 8) and (6, 8); inter list 1 (0, -4).
  const int16_t m[4 * 8] = {0, 0, 0, 0, 0, 0, -32768, -32768,  //
                            2, 1, 3, 4, 0, 0, 0, -32768,        //
                            1, 3, 0, 8, 6, 8, 0, 4,             //
                            1, 2, 0, 0, 0, -4, -32768, 4};
  MotionSummary s = summarize_motion(m, 4);
  CHECK_NEAR(s.intra, 0.25, 0);
  CHECK_NEAR(s.skip, 0.25, 0);
  CHECK_NEAR(s.inter, 0.5, 0);
  CHECK_NEAR(s.mean_mv, (5.0 + 8 + 10 + 4) / 4 / 4, 1e-12);
  s = summarize_motion(m, 0);
  CHECK(s.intra == 0 && s.mean_mv == 0);
}

}  // namespace

int main() {
  test_motion_summary();
  test_statistics();
  test_camera_motion();
  test_list0_integer_vectors();
  test_signal_maps();
  test_pooling();
  test_pooling_rows_at_once();
  test_frame_scores();
  return codectok::test::report();
}
