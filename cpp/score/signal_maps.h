// Raw (unnormalised) signal maps of one picture at the codec map's resolution: compensated motion
// per 4x4 block, |residual| per luma sample or coefficient energy per 4x4 block, bits per 8x8 block.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "score/camera_motion.h"
#include "score/score_options.h"

namespace codectok {

// cols x rows cells of cell x cell luma samples of the coded picture, row-major. Integer maps
// (|residual|) keep uint16 values and take their percentile from a histogram.
struct CellMap {
  int cols = 0, rows = 0, cell = 1;
  bool integer = false;
  std::vector<float> values;     // when !integer
  std::vector<uint16_t> counts;  // when integer
  bool empty() const { return cols == 0; }
};

// What a picture provides (arrays in the layouts of cpp/analysis/picture_result.h; null when absent).
struct PictureArrays {
  CodedFrame frame;
  int32_t poc = 0;
  // POC units per frame: 2 for H.264 (fields), 1 for HEVC; motion per frame divides by it.
  int32_t poc_per_frame = 1;
  int32_t decode_index = 0;
  const int16_t* motion = nullptr;    // [ceil(H/4)][ceil(W/4)][8]
  const int16_t* residual = nullptr;  // [H][W]
  const int64_t* tu = nullptr;        // [tu_rows][13]
  size_t tu_rows = 0;
  bool has_tu = false;               // transform statistics were decoded (tu_rows may be 0)
  const float* bits = nullptr;        // [ceil(H/8)][ceil(W/8)]
};

struct SignalMaps {
  CellMap maps[kSignalCount];
  bool has_camera = false;
  CameraMotion camera;
};

// Compensated motion magnitude per 4x4 block and the camera motion removed; intra blocks are 0
// with kMean and count as a zero vector with kList0Integer.
void motion_map(const PictureArrays& p, Compensation model, bool per_frame, MotionVectorSource source, CellMap& out,
                CameraMotion& camera);
// Motion magnitude per 4x4 block without compensation (what refresh pools for every picture).
void raw_motion_map(const PictureArrays& p, bool per_frame, MotionVectorSource source, CellMap& out);
void abs_residual_map(const PictureArrays& p, CellMap& out);
// Sum of squared levels of the luma transform blocks of the picture, spread over their area, per 4x4 block.
void coeff_energy_map(const PictureArrays& p, CellMap& out);
void bits_map(const PictureArrays& p, CellMap& out);

// The maps the options ask for. Throws std::invalid_argument naming the missing array.
void signal_maps(const PictureArrays& p, const ScoringOptions& o, SignalMaps& out);

}  // namespace codectok
