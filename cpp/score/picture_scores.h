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
  // Decode indices [change_from, change_to) also get their raw signals pooled onto the grid:
  // motion magnitude without compensation, coefficient energy, bits (whichever were decoded).
  int32_t change_from = 0, change_to = 0;
};

// Raw (unnormalised) per-patch signals of one picture; empty vectors for signals not decoded.
struct ChangeSignals {
  std::vector<float> motion, energy, bits;
};

struct PictureScores {
  bool scored = false;           // the picture had the maps the options need
  FrameScores scores;            // per-frame normalisation (when !keep_maps)
  bool has_camera = false;
  CameraMotion camera;
  std::shared_ptr<const SignalMaps> maps;  // with keep_maps
  bool has_change = false;
  ChangeSignals change;
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
  FrameScorer& scorer_for(const PictureResult& r);
  ScoreRequest request_;
  std::unique_ptr<FrameScorer> scorer_;
};

}  // namespace codectok
