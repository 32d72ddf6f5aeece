// Camera motion of a picture from its inter blocks' motion vectors: the median vector, or a
// robust (IRLS, Tukey weights) similarity / affine fit. Deterministic (no random sampling).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "score/score_options.h"

namespace codectok {

// Content velocity of each (inter) 4x4 block, at its centre relative to the display centre.
struct Velocities {
  std::vector<double> x, y, vx, vy;
  std::vector<int32_t> index;  // block index in the 4x4 grid
  size_t n = 0;
};

// From the motion field layout int16 [ceil(H/4)][ceil(W/4)][8] (pred_mode, inter_dir, mv0x, mv0y,
// mv1x, mv1y, refpoc0, refpoc1). A block at x matching the reference at x + mv moves at
// -mv / ((poc - refpoc) / poc_per_frame) (per_frame) or -mv with list 1 taken as pointing forward.
// kMean: inter blocks only, the mean of their lists; kList0Integer: every displayed block, its
// list-0 vector in whole samples (0 without one), see score_options.h.
void collect_velocities(const int16_t* motion, const CodedFrame& f, int32_t poc, int32_t poc_per_frame, bool per_frame,
                        Velocities& out, MotionVectorSource source = MotionVectorSource::kMean);

// The same velocities handed one by one to visit(index, x, y, vx, vy), in raster order, without
// storing them (collect_velocities stores them; an uncompensated motion map needs no store).
template <typename Visit>
void for_each_velocity(const int16_t* mv, const CodedFrame& f, int32_t poc, int32_t poc_per_frame, bool per_frame,
                       MotionVectorSource source, Visit&& visit) {
  const int cols = (f.width + 3) / 4;
  const int rows = (f.height + 3) / 4;
  const double cx = f.crop_left + f.display_width() / 2.0;
  const double cy = f.crop_top + f.display_height() / 2.0;
  auto distance = [&](int ref) {
    if (!per_frame) return 1.0;
    const double d = ref == -32768 ? 1 : static_cast<double>(poc - ref) / poc_per_frame;
    return d == 0 ? 1.0 : d;
  };
  if (source == MotionVectorSource::kList0Integer) {
    // Every displayed block, as FFmpeg exports H.264 vectors: list 0 in whole samples (C division
    // truncates toward zero), 0 where the block has no list-0 vector.
    const int c0 = f.crop_left / 4, c1 = std::min(cols, (f.crop_left + f.display_width() + 3) / 4);
    const int r0 = f.crop_top / 4, r1 = std::min(rows, (f.crop_top + f.display_height() + 3) / 4);
    for (int r = r0; r < r1; ++r) {
      for (int c = c0; c < c1; ++c) {
        const int32_t i = r * cols + c;
        const int16_t* o = mv + static_cast<size_t>(i) * 8;
        const bool l0 = o[0] != 0 && (o[1] & 1);
        visit(i, c * 4 + 2 - cx, r * 4 + 2 - cy, l0 ? -static_cast<double>(o[2] / 4) / distance(o[6]) : 0.0,
              l0 ? -static_cast<double>(o[3] / 4) / distance(o[6]) : 0.0);
      }
    }
    return;
  }
  // The blocks of a prediction unit repeat its record (lists, vectors, references): its velocity
  // is derived once per run of equal records.
  const int16_t* last = nullptr;
  double last_vx = 0, last_vy = 0;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int32_t i = r * cols + c;
      const int16_t* o = mv + static_cast<size_t>(i) * 8;
      if (o[0] == 0) continue;  // intra
      if (!(last && std::equal(o + 1, o + 8, last + 1))) {
        const int dir = o[1];
        double sx = 0, sy = 0;
        int k = 0;
        for (int l = 0; l < 2; ++l) {
          if (!(dir & (1 << l))) continue;
          const double d = per_frame ? distance(o[6 + l]) : l == 0 ? 1 : -1;  // list 1 usually points forward in time
          sx += -static_cast<double>(o[2 + 2 * l]) / 4 / d;
          sy += -static_cast<double>(o[3 + 2 * l]) / 4 / d;
          ++k;
        }
        if (k == 0) continue;
        last = o;
        last_vx = sx / k;
        last_vy = sy / k;
      }
      visit(i, c * 4 + 2 - cx, r * 4 + 2 - cy, last_vx, last_vy);
    }
  }
}

struct CameraMotion {
  Compensation model = Compensation::kNone;
  // median/none [tx, ty]; similarity [a, b, tx, ty]; affine [a11, a12, tx, a21, a22, ty].
  std::vector<double> params;
  size_t blocks = 0;  // inter blocks the model was fitted on
};

CameraMotion estimate_camera_motion(const Velocities& v, Compensation model);
// The camera's velocity at (x, y) (display-centred coordinates).
void predict_camera(const CameraMotion& m, double x, double y, double& px, double& py);

}  // namespace codectok
