#include "score/picture_scores.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace codectok {

PictureArrays arrays_of(const PictureResult& r) {
  PictureArrays a;
  a.frame.width = r.width;
  a.frame.height = r.height;
  a.frame.crop_left = r.crop_left;
  a.frame.crop_right = r.crop_right;
  a.frame.crop_top = r.crop_top;
  a.frame.crop_bottom = r.crop_bottom;
  a.poc = r.poc;
  a.poc_per_frame = r.codec == Codec::kH264 ? 2 : 1;
  a.decode_index = r.decode_index;
  if (r.motion) a.motion = r.motion->data();
  if (r.residual) a.residual = r.residual->data();
  if (r.tu) {
    a.tu = r.tu->data();
    a.tu_rows = r.tu->size() / 13;
    a.has_tu = true;
  }
  if (r.bits) a.bits = r.bits->data();
  return a;
}

PictureScoring::PictureScoring(const ScoreRequest& request) : request_(request) {
  std::sort(request_.score_indices.begin(), request_.score_indices.end());
}

namespace {
bool same_frame(const CodedFrame& a, const CodedFrame& b) {
  return a.width == b.width && a.height == b.height && a.crop_left == b.crop_left && a.crop_top == b.crop_top;
}
}  // namespace

FrameScorer& PictureScoring::scorer_for(const CodedFrame& f) {
  if (!scorer_ || !same_frame(scorer_->frame(), f)) scorer_ = std::make_unique<FrameScorer>(request_.options, request_.geometry, f);
  return *scorer_;
}

PictureChangeEstimator& PictureScoring::change_for(const CodedFrame& f) {
  if (!change_ || !same_frame(change_->frame(), f))
    change_ = std::make_unique<PictureChangeEstimator>(request_.geometry, f, request_.change_request);
  return *change_;
}

void PictureScoring::process(PictureResult& r, PictureScores& out) {
  const ScoringOptions& o = request_.options;
  const bool has_maps = r.motion || r.residual || r.tu || r.bits;
  if (!has_maps) return;
  PictureArrays a = arrays_of(r);
  const PatchGeometry& g = request_.geometry;
  if (a.frame.display_width() != g.src_width || a.frame.display_height() != g.src_height)
    throw std::invalid_argument("picture " + std::to_string(r.decode_index) + " displays " + std::to_string(a.frame.display_width()) + "x" +
                                std::to_string(a.frame.display_height()) + ", the output geometry was made for " + std::to_string(g.src_width) +
                                "x" + std::to_string(g.src_height));
  if (request_.change) {
    change_for(a.frame).estimate(a, out.change);
    out.has_change = true;
  }
  const std::vector<int32_t>& only = request_.score_indices;
  if (request_.score_all || std::binary_search(only.begin(), only.end(), r.decode_index)) {
    auto maps = std::make_shared<SignalMaps>();
    signal_maps(a, o, *maps);
    out.scored = true;
    out.has_camera = maps->has_camera;
    out.camera = maps->camera;
    if (request_.keep_maps) out.maps = maps;
    else scorer_for(a.frame).score(*maps, out.scores);
  }
  r.motion.reset();
  r.residual.reset();
  r.tu.reset();
  r.bits.reset();
  r.cu.reset();
}

}  // namespace codectok
