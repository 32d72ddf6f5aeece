// Scores of decoded pictures, computed where they are decoded: the decoder's picture observer
// (StreamDecoder::set_observer, on the decoding thread, in decoding order) turns a picture's codec
// maps into per-patch arrays and drops the maps, so a residual plane that is only pooled is never
// handed on or kept.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "analysis/picture_result.h"
#include "score/frame_scores.h"
#include "score/picture_change.h"
#include "score/score_options.h"
#include "score/signal_maps.h"

namespace codectok {

struct ScoreRequest {
  ScoringOptions options;
  PatchGeometry geometry;
  // Score every picture decoded with arrays, or only those whose decode index is in score_indices.
  bool score_all = true;
  std::vector<int32_t> score_indices;
  // Keep the signal maps of scored pictures (normalize clip scores them all at the end).
  bool keep_maps = false;
  // Every picture decoded with arrays also gets its change signals (the refresh policy's,
  // score/picture_change.h), whether it is scored or not.
  bool change = false;
  ChangeRequest change_request;
};

struct PictureScores {
  bool scored = false;           // the picture had the maps the options need
  FrameScores scores;            // per-frame normalisation (when !keep_maps)
  bool has_camera = false;
  CameraMotion camera;
  std::shared_ptr<const SignalMaps> maps;  // with keep_maps
  bool has_change = false;
  PictureChange change;
};

// The arrays of a picture as PictureResult holds them.
PictureArrays arrays_of(const PictureResult& r);

class PictureScoring {
 public:
  explicit PictureScoring(const ScoreRequest& request);
  const ScoreRequest& request() const { return request_; }
  // Scores r when it carries arrays, then drops the arrays the caller did not ask to keep.
  void process(PictureResult& r, PictureScores& out);

 private:
  FrameScorer& scorer_for(const CodedFrame& f);
  PictureChangeEstimator& change_for(const CodedFrame& f);
  ScoreRequest request_;
  std::unique_ptr<FrameScorer> scorer_;
  std::unique_ptr<PictureChangeEstimator> change_;
};

}  // namespace codectok
