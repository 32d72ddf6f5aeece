#include "score/picture_change.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace codectok {

namespace {
constexpr int16_t kModeIntra = 0;  // pred_mode of a motion record (cpp/analysis/picture_result.h)
constexpr int16_t kModeSkip = 2;
constexpr double kRaw = std::numeric_limits<double>::infinity();  // pool without normalising
}  // namespace

void picture_share(const CodedFrame& f, PatchPooler& pooler, std::vector<float>& out) {
  CellMap ones;
  ones.cols = (f.width + 7) / 8;
  ones.rows = (f.height + 7) / 8;
  ones.cell = 8;
  ones.values.assign(static_cast<size_t>(ones.cols) * ones.rows, 1.0f);
  pooler.pool(ones, kRaw, out, nullptr);
  for (float& v : out) v = std::min(1.0f, v);
}

PictureChangeEstimator::PictureChangeEstimator(const PatchGeometry& g, const CodedFrame& f, const ChangeRequest& r)
    : request_(r), frame_(f), pooler_(g, f.crop_left, f.crop_top) {
  for (double& w : maps_options_.weights) w = 1;
  maps_options_.residual_source = r.residual_source;
  maps_options_.compensation = Compensation::kNone;
  maps_options_.motion_per_frame = true;
  maps_options_.motion_vector = MotionVectorSource::kMean;
  picture_share(f, pooler_, share_);
}

void PictureChangeEstimator::estimate(const PictureArrays& p, PictureChange& out) {
  signal_maps(p, maps_options_, maps_);  // throws on a missing array
  const int cols4 = (p.frame.width + 3) / 4, rows4 = (p.frame.height + 3) / 4;
  // A skipped CU (>= 8x8, so the 4x4 block at the corner of each 8x8 cell tells) codes no change.
  CellMap& bits = maps_.maps[kSignalBits];
  for (int r = 0; r < bits.rows; ++r)
    for (int c = 0; c < bits.cols; ++c)
      if (2 * r < rows4 && 2 * c < cols4 && p.motion[(static_cast<size_t>(2 * r) * cols4 + 2 * c) * 8] == kModeSkip)
        bits.values[static_cast<size_t>(r) * bits.cols + c] = 0;
  const size_t n = pooler_.cells();
  pooler_.pool(maps_.maps[kSignalResidual], kRaw, out.residual, nullptr);
  // RMS level; below one quantisation step per patch it is re-quantisation noise (an encoder
  // refining a still picture after an intra picture), not change.
  if (request_.residual_source == ResidualSource::kCoeff)
    for (float& v : out.residual) v = v < request_.residual_floor ? 0.0f : static_cast<float>(std::sqrt(static_cast<double>(v)));
  pooler_.pool(maps_.maps[kSignalMotion], kRaw, out.motion, nullptr);
  intra_.cols = cols4;
  intra_.rows = rows4;
  intra_.cell = 4;
  intra_.values.resize(static_cast<size_t>(cols4) * rows4);
  for (size_t i = 0; i < intra_.values.size(); ++i) intra_.values[i] = p.motion[i * 8] == kModeIntra ? 1.0f : 0.0f;
  pooler_.pool(intra_, kRaw, out.intra, nullptr);
  for (size_t i = 0; i < n; ++i)
    out.intra[i] = share_[i] > 0 ? static_cast<float>(std::min(1.0, static_cast<double>(out.intra[i]) / share_[i])) : 0.0f;
  // Below the vectors' precision over the patch: no motion.
  for (float& v : out.motion)
    if (v < request_.motion_floor) v = 0;
  pooler_.pool(bits, kRaw, out.bits, nullptr);
  for (size_t i = 0; i < n; ++i)
    if (out.motion[i] == 0 && out.residual[i] == 0 && out.intra[i] == 0) out.bits[i] = 0;
}

}  // namespace codectok
