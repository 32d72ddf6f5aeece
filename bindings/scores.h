// Node-API glue of the scoring stage (cpp/score/): the decoder's scoring session (scores computed
// on the decoding thread, attached to the pictures it hands out) and the synchronous functions
// behind src/scores/ and src/geometry/patch_grid.ts. No scoring logic lives here.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "analysis/stream_decoder.h"
#include "score/picture_scores.h"

namespace codectok_bindings {

// Scores of one decoder's pictures, filled on the decoding thread, taken on the JavaScript thread.
class ScoreSession {
 public:
  explicit ScoreSession(const codectok::ScoreRequest& request) : scoring_(request) {}
  // Makes the decoder score each picture as it completes.
  void attach(codectok::StreamDecoder& decoder);
  // Sets picture.scores / picture.camera / picture.signalMaps / picture.change for decode_index.
  void attach_to(Napi::Env env, Napi::Object picture, int32_t decode_index);

 private:
  codectok::PictureScoring scoring_;
  std::mutex mutex_;
  std::unordered_map<int32_t, codectok::PictureScores> ready_;
};

// The `score` option of NativeDecoder: {geometry, options, pictures?, keepMaps?, changeFrom?, changeTo?}.
std::unique_ptr<ScoreSession> MakeScoreSession(Napi::Env env, Napi::Value score);

// Registers signalMaps, scoreSignalMaps, scoreClip, poolToGrid, estimateCameraMotion on exports.
void RegisterScoreFunctions(Napi::Env env, Napi::Object exports);

}  // namespace codectok_bindings
