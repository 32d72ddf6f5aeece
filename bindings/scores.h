// Node-API glue of the scoring stage (cpp/score/): the decoder's scoring session (scores computed
// on the decoding thread, attached to the pictures it hands out) and the synchronous functions
// behind src/scores/ and src/geometry/patch_grid.ts. No scoring logic lives here.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "stream/stream_decoder.h"
#include "score/motion_summary.h"
#include "score/picture_scores.h"

namespace codectok_bindings {

// Scores (and motion summaries) of one decoder's pictures, filled on the decoding thread, taken on
// the JavaScript thread.
class ScoreSession {
 public:
  ScoreSession(std::unique_ptr<codectok::PictureScoring> scoring, bool summary, bool hand_out_motion)
      : scoring_(std::move(scoring)), summary_(summary), hand_out_motion_(hand_out_motion) {}
  // The decoder's picture observer that scores each picture as it completes
  // (StreamDecoder::set_observer, whichever the codec).
  codectok::StreamDecoder::PictureObserver observer();
  // Sets picture.scores / camera / signalMaps / change / summary for decode_index.
  void attach_to(Napi::Env env, Napi::Object picture, int32_t decode_index);

 private:
  struct Extras {
    codectok::PictureScores scores;
    bool has_summary = false;
    codectok::MotionSummary summary;
  };
  std::unique_ptr<codectok::PictureScoring> scoring_;
  bool summary_, hand_out_motion_;
  std::mutex mutex_;
  std::unordered_map<int32_t, Extras> ready_;
};

// From NativeDecoder's options: `score` ({geometry, options, pictures?, keepMaps?, change?}) and
// `summary` (true: each picture gets its motion summary; its motion field is handed out only when
// `motion` was asked too). Null when neither is set.
std::unique_ptr<ScoreSession> MakeScoreSession(Napi::Object options);

// Registers signalMaps, scoreSignalMaps, poolToGrid, estimateCameraMotion, motionSummary,
// pictureChange, pictureShare, allocateRefresh on exports.
void RegisterScoreFunctions(Napi::Env env, Napi::Object exports);

}  // namespace codectok_bindings
