#include "score/signal_maps.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "score/js_math.h"

namespace codectok {

namespace {
constexpr int kTuColumns = 13;

void float_map(CellMap& out, int cols, int rows, int cell) {
  out.cols = cols;
  out.rows = rows;
  out.cell = cell;
  out.integer = false;
  out.counts.clear();
  out.values.assign(static_cast<size_t>(cols) * rows, 0.0f);
}
}  // namespace

void motion_map(const PictureArrays& p, Compensation model, bool per_frame, MotionVectorSource source, CellMap& out,
                CameraMotion& camera) {
  float_map(out, (p.frame.width + 3) / 4, (p.frame.height + 3) / 4, 4);
  if (model == Compensation::kNone) {  // no fit: each velocity's length as it comes
    camera = estimate_camera_motion(Velocities{}, model);
    // The blocks of a prediction unit share their velocity: its length is computed once per run.
    double last_vx = NAN, last_vy = NAN;
    float last = 0;
    for_each_velocity(p.motion, p.frame, p.poc, p.poc_per_frame, per_frame, source, [&](int32_t i, double, double, double vx, double vy) {
      if (vx != last_vx || vy != last_vy) {
        last_vx = vx;
        last_vy = vy;
        last = static_cast<float>(js_hypot(vx, vy));
      }
      out.values[i] = last;
      ++camera.blocks;
    });
    return;
  }
  Velocities v;
  collect_velocities(p.motion, p.frame, p.poc, p.poc_per_frame, per_frame, v, source);
  camera = estimate_camera_motion(v, model);
  for (size_t i = 0; i < v.n; ++i) {
    double px, py;
    predict_camera(camera, v.x[i], v.y[i], px, py);
    out.values[v.index[i]] = static_cast<float>(js_hypot(v.vx[i] - px, v.vy[i] - py));
  }
}

void raw_motion_map(const PictureArrays& p, bool per_frame, MotionVectorSource source, CellMap& out) {
  CameraMotion none;
  motion_map(p, Compensation::kNone, per_frame, source, out, none);
}

void abs_residual_map(const PictureArrays& p, CellMap& out) {
  out.cols = p.frame.width;
  out.rows = p.frame.height;
  out.cell = 1;
  out.integer = true;
  out.values.clear();
  const size_t n = static_cast<size_t>(out.cols) * out.rows;
  out.counts.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const int x = p.residual[i];
    out.counts[i] = static_cast<uint16_t>(x < 0 ? -x : x);
  }
}

void coeff_energy_map(const PictureArrays& p, CellMap& out) {
  const int cols = (p.frame.width + 3) / 4;
  const int rows = (p.frame.height + 3) / 4;
  float_map(out, cols, rows, 4);
  for (size_t i = 0; i < p.tu_rows; ++i) {
    const int64_t* t = p.tu + i * kTuColumns;
    if (t[2] != 0) continue;  // luma only
    if (t[0] != p.decode_index) continue;
    const int x0 = static_cast<int>(t[3] >> 2);
    const int y0 = static_cast<int>(t[4] >> 2);
    const int s = std::max(1, (1 << static_cast<int>(t[5])) >> 2);
    const double e = static_cast<double>(t[9]) / (s * s);
    for (int y = y0; y < std::min(rows, y0 + s); ++y)
      for (int x = x0; x < std::min(cols, x0 + s); ++x) {
        float& v = out.values[static_cast<size_t>(y) * cols + x];
        v = static_cast<float>(static_cast<double>(v) + e);
      }
  }
}

void bits_map(const PictureArrays& p, CellMap& out) {
  const int cols = (p.frame.width + 7) / 8;
  const int rows = (p.frame.height + 7) / 8;
  float_map(out, cols, rows, 8);
  std::copy(p.bits, p.bits + out.values.size(), out.values.begin());
}

void signal_maps(const PictureArrays& p, const ScoringOptions& o, SignalMaps& out) {
  auto need = [&](const void* a, const char* field, const char* option) {
    if (!a)
      throw std::invalid_argument("picture poc " + std::to_string(p.poc) + " has no " + field +
                                  " data (decode it with the " + option + " option)");
  };
  // Emptied, their storage kept: a caller that reuses `out` (the refresh change of every picture)
  // does not allocate and fault in fresh maps per picture.
  for (CellMap& m : out.maps) {
    m.cols = m.rows = 0;
    m.values.clear();
    m.counts.clear();
  }
  out.has_camera = false;
  if (o.weights[kSignalMotion] > 0) {
    need(p.motion, "motion", "motion");
    motion_map(p, o.compensation, o.motion_per_frame, o.motion_vector, out.maps[kSignalMotion], out.camera);
    out.has_camera = true;
  }
  if (o.weights[kSignalResidual] > 0) {
    if (o.residual_source == ResidualSource::kAbs) {
      need(p.residual, "residual", "residual");
      abs_residual_map(p, out.maps[kSignalResidual]);
    } else {
      need(p.has_tu ? static_cast<const void*>(&p) : nullptr, "tu", "tuStats");
      coeff_energy_map(p, out.maps[kSignalResidual]);
    }
  }
  if (o.weights[kSignalBits] > 0) {
    need(p.bits, "bits", "bits");
    bits_map(p, out.maps[kSignalBits]);
  }
}

}  // namespace codectok
