// Camera motion of a picture from its inter blocks' motion vectors: the median vector, or a
// robust (IRLS, Tukey weights) similarity / affine fit. Deterministic (no random sampling).
#pragma once
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
