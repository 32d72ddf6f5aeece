#include "scores.h"
#include "js_errors.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bitstream/parse_error.h"
#include "score/camera_motion.h"
#include "score/frame_scores.h"
#include "score/patch_pooling.h"
#include "score/picture_change.h"
#include "score/refresh_allocator.h"
#include "score/signal_maps.h"

namespace codectok_bindings {

using namespace codectok;

namespace {

const char* const kSignalNames[kSignalCount] = {"motion", "residual", "bits"};

double Num(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw CodedError(o.Env(), "ERR_INVALID_OPTION", std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}
int Int(Napi::Object o, const char* key) { return static_cast<int>(Num(o, key)); }
Napi::Object Obj(Napi::Value v, const char* what) {
  if (!v.IsObject()) throw CodedError(v.Env(), "ERR_INVALID_OPTION", std::string(what) + " must be an object");
  return v.As<Napi::Object>();
}

Compensation ParseCompensation(Napi::Env env, const std::string& s) {
  if (s == "none") return Compensation::kNone;
  if (s == "median") return Compensation::kMedian;
  if (s == "similarity") return Compensation::kSimilarity;
  if (s == "affine") return Compensation::kAffine;
  throw CodedError(env, "ERR_INVALID_OPTION", "unknown compensation " + s);
}
const char* CompensationName(Compensation c) {
  switch (c) {
    case Compensation::kMedian: return "median";
    case Compensation::kSimilarity: return "similarity";
    case Compensation::kAffine: return "affine";
    default: return "none";
  }
}

// Resolved scoring options (src/scores/options.ts ResolvedScoringOptions).
ScoringOptions ParseOptions(Napi::Value v) {
  Napi::Env env = v.Env();
  Napi::Object o = Obj(v, "scoring options");
  ScoringOptions s;
  Napi::Object w = Obj(o.Get("weights"), "weights");
  Napi::Object f = Obj(o.Get("floors"), "floors");
  for (int k = 0; k < kSignalCount; ++k) {
    s.weights[k] = Num(w, kSignalNames[k]);
    s.floors[k] = Num(f, kSignalNames[k]);
  }
  const std::string rs = o.Get("residualSource").ToString().Utf8Value();
  if (rs != "abs" && rs != "coeff") throw CodedError(env, "ERR_INVALID_OPTION", "unknown residual source " + rs);
  s.residual_source = rs == "abs" ? ResidualSource::kAbs : ResidualSource::kCoeff;
  s.compensation = ParseCompensation(env, o.Get("compensation").ToString().Utf8Value());
  s.normalize = o.Get("normalize").ToString().Utf8Value() == "clip" ? NormalizeScope::kClip : NormalizeScope::kFrame;
  s.percentile = Num(o, "percentile");
  s.motion_per_frame = o.Get("motionPerFrame").ToBoolean().Value();
  const std::string mv = o.Get("motionVector").IsString() ? o.Get("motionVector").ToString().Utf8Value() : "mean";
  if (mv != "mean" && mv != "list0-integer") throw CodedError(env, "ERR_INVALID_OPTION", "unknown motion vector source " + mv);
  s.motion_vector = mv == "mean" ? MotionVectorSource::kMean : MotionVectorSource::kList0Integer;
  return s;
}

// src/geometry/output_geometry.ts Geometry.
PatchGeometry ParseGeometry(Napi::Value v) {
  Napi::Object o = Obj(v, "geometry");
  PatchGeometry g;
  g.src_width = Int(o, "srcWidth");
  g.src_height = Int(o, "srcHeight");
  g.scaled_width = Int(o, "scaledWidth");
  g.scaled_height = Int(o, "scaledHeight");
  g.pad_left = Int(o, "padLeft");
  g.pad_top = Int(o, "padTop");
  g.patch = Int(o, "patch");
  g.grid_h = Int(o, "gridH");
  g.grid_w = Int(o, "gridW");
  if (g.src_width <= 0 || g.src_height <= 0 || g.scaled_width <= 0 || g.scaled_height <= 0 || g.patch <= 0 || g.grid_h <= 0 ||
      g.grid_w <= 0 || static_cast<int64_t>(g.grid_h) * g.grid_w > (1 << 24))
    throw CodedError(v.Env(), "ERR_INVALID_OPTION", "invalid output geometry");
  return g;
}

// {width, height, crop: {left, right, top, bottom}} (a picture) or {left, top, right, bottom, width, height} (tokenize's crop).
CodedFrame ParseFrame(Napi::Value v) {
  Napi::Object o = Obj(v, "picture");
  Napi::Object c = o.Has("crop") ? Obj(o.Get("crop"), "crop") : o;
  CodedFrame f;
  f.width = Int(o, "width");
  f.height = Int(o, "height");
  f.crop_left = Int(c, "left");
  f.crop_right = Int(c, "right");
  f.crop_top = Int(c, "top");
  f.crop_bottom = Int(c, "bottom");
  if (f.width <= 0 || f.height <= 0 || f.width > 16888 || f.height > 16888 || f.display_width() <= 0 || f.display_height() <= 0)
    throw CodedError(v.Env(), "ERR_INVALID_OPTION", "invalid picture size or conformance window");
  return f;
}

Napi::Float32Array Floats(Napi::Env env, const std::vector<float>& v) {
  Napi::Float32Array a = Napi::Float32Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(float));
  return a;
}

Napi::Object CameraToJs(Napi::Env env, const CameraMotion& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("model", CompensationName(m.model));
  Napi::Array p = Napi::Array::New(env, m.params.size());
  for (size_t i = 0; i < m.params.size(); ++i) p.Set(static_cast<uint32_t>(i), m.params[i]);
  o.Set("params", p);
  o.Set("blocks", static_cast<double>(m.blocks));
  return o;
}

// src/scores/frame_scores.ts FrameScores.
Napi::Object ScoresToJs(Napi::Env env, const FrameScores& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("fused", Floats(env, s.fused));
  Napi::Object signals = Napi::Object::New(env), raw = Napi::Object::New(env), levels = Napi::Object::New(env);
  for (int k = 0; k < kSignalCount; ++k) {
    if (!s.has[k]) continue;
    signals.Set(kSignalNames[k], Floats(env, s.norm[k]));
    raw.Set(kSignalNames[k], Floats(env, s.raw[k]));
    levels.Set(kSignalNames[k], s.level[k]);
  }
  o.Set("signals", signals);
  o.Set("raw", raw);
  o.Set("levels", levels);
  return o;
}

Napi::Object CellMapToJs(Napi::Env env, const CellMap& m) {
  Napi::Object o = Napi::Object::New(env);
  if (m.integer) {
    Napi::Uint16Array a = Napi::Uint16Array::New(env, m.counts.size());
    if (!m.counts.empty()) std::memcpy(a.Data(), m.counts.data(), m.counts.size() * sizeof(uint16_t));
    o.Set("values", a);
    o.Set("integer", true);
  } else {
    o.Set("values", Floats(env, m.values));
  }
  o.Set("cols", m.cols);
  o.Set("rows", m.rows);
  o.Set("cell", m.cell);
  return o;
}

Napi::Object SummaryToJs(Napi::Env env, const MotionSummary& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("intra", m.intra);
  o.Set("inter", m.inter);
  o.Set("skip", m.skip);
  o.Set("meanMv", m.mean_mv);
  return o;
}

// A JavaScript CellMap ({values, cols, rows, cell, integer?}) copied into a native one.
CellMap CellMapFromJs(Napi::Value v) {
  Napi::Env env = v.Env();
  Napi::Object o = Obj(v, "cell map");
  CellMap m;
  m.cols = Int(o, "cols");
  m.rows = Int(o, "rows");
  m.cell = Int(o, "cell");
  if (m.cols <= 0 || m.rows <= 0 || m.cell <= 0) throw CodedError(env, "ERR_INVALID_OPTION", "cell map: cols, rows and cell must be > 0");
  const size_t n = static_cast<size_t>(m.cols) * m.rows;
  Napi::Value values = o.Get("values");
  const bool integer = o.Get("integer").ToBoolean().Value();
  if (!values.IsTypedArray()) throw CodedError(env, "ERR_INVALID_OPTION", "cell map values must be a typed array");
  Napi::TypedArray t = values.As<Napi::TypedArray>();
  if (t.ElementLength() < n) throw CodedError(env, "ERR_INVALID_OPTION", "cell map values hold fewer than cols * rows cells");
  if (integer && t.TypedArrayType() == napi_uint16_array) {
    m.integer = true;
    const uint16_t* d = values.As<Napi::Uint16Array>().Data();
    m.counts.assign(d, d + n);
  } else if (t.TypedArrayType() == napi_float32_array) {
    const float* d = values.As<Napi::Float32Array>().Data();
    m.values.assign(d, d + n);
  } else {
    throw CodedError(env, "ERR_INVALID_OPTION", "cell map values must be a Float32Array (or a Uint16Array with integer)");
  }
  return m;
}

template <typename T, typename JsArray>
const T* ArrayField(Napi::Object o, const char* key, napi_typedarray_type type, size_t need, size_t* length = nullptr) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw CodedError(o.Env(), "ERR_INVALID_OPTION", std::string("picture.") + key + " has the wrong array type");
  JsArray a = v.As<JsArray>();
  if (a.ElementLength() < need) throw CodedError(o.Env(), "ERR_INVALID_OPTION", std::string("picture.") + key + " is too short for the picture size");
  if (length) *length = a.ElementLength();
  static const T empty{};
  return a.ElementLength() ? a.Data() : &empty;
}

// A JavaScript picture (src/scores/codec_picture.ts CodecPicture) viewed natively (no copy).
PictureArrays PictureFromJs(Napi::Value v) {
  Napi::Object o = Obj(v, "picture");
  PictureArrays a;
  a.frame = ParseFrame(o);
  a.poc = Int(o, "poc");
  if (o.Get("codec").IsString() && o.Get("codec").As<Napi::String>().Utf8Value() == "h264") a.poc_per_frame = 2;
  a.decode_index = Int(o, "decodeIndex");
  const size_t w4 = (a.frame.width + 3) / 4, h4 = (a.frame.height + 3) / 4, w8 = (a.frame.width + 7) / 8, h8 = (a.frame.height + 7) / 8;
  a.motion = ArrayField<int16_t, Napi::Int16Array>(o, "motion", napi_int16_array, w4 * h4 * 8);
  a.residual = ArrayField<int16_t, Napi::Int16Array>(o, "residual", napi_int16_array, static_cast<size_t>(a.frame.width) * a.frame.height);
  a.bits = ArrayField<float, Napi::Float32Array>(o, "bits", napi_float32_array, w8 * h8);
  size_t tu_len = 0;
  a.tu = ArrayField<int64_t, Napi::BigInt64Array>(o, "tu", napi_bigint64_array, 0, &tu_len);
  a.has_tu = a.tu != nullptr;
  a.tu_rows = tu_len / 13;
  return a;
}

// signalMaps(picture, options) -> {motion?, residual?, bits?: CellMap, camera?}
Napi::Value SignalMapsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PictureArrays a = PictureFromJs(info[0]);
  ScoringOptions o = ParseOptions(info[1]);
  SignalMaps s;
  try {
    signal_maps(a, o, s);
  } catch (const std::invalid_argument& e) {
    throw CodedError(env, "ERR_MISSING_DATA", e.what());
  }
  Napi::Object out = Napi::Object::New(env);
  for (int k = 0; k < kSignalCount; ++k)
    if (!s.maps[k].empty()) out.Set(kSignalNames[k], CellMapToJs(env, s.maps[k]));
  if (s.has_camera) out.Set("camera", CameraToJs(env, s.camera));
  return out;
}

// src/scores/change.ts NativeChangeRequest: {residualSource, floors: {motion, residual}}.
ChangeRequest ParseChangeRequest(Napi::Value v) {
  Napi::Object o = Obj(v, "change request");
  ChangeRequest r;
  const std::string rs = o.Get("residualSource").ToString().Utf8Value();
  if (rs != "abs" && rs != "coeff") throw CodedError(v.Env(), "ERR_INVALID_OPTION", "unknown residual source " + rs);
  r.residual_source = rs == "abs" ? ResidualSource::kAbs : ResidualSource::kCoeff;
  Napi::Object f = Obj(o.Get("floors"), "floors");
  r.motion_floor = Num(f, "motion");
  r.residual_floor = Num(f, "residual");
  return r;
}

Napi::Object ChangeToJs(Napi::Env env, const PictureChange& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("motion", Floats(env, c.motion));
  o.Set("residual", Floats(env, c.residual));
  o.Set("bits", Floats(env, c.bits));
  o.Set("intra", Floats(env, c.intra));
  return o;
}

// pictureChange(picture, geometry, request) -> {motion, residual, bits, intra: Float32Array}
Napi::Value PictureChangeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PictureArrays a = PictureFromJs(info[0]);
  PatchGeometry g = ParseGeometry(info[1]);
  PictureChangeEstimator estimator(g, a.frame, ParseChangeRequest(info[2]));
  PictureChange c;
  try {
    estimator.estimate(a, c);
  } catch (const std::invalid_argument& e) {
    throw CodedError(env, "ERR_MISSING_DATA", e.what());
  }
  return ChangeToJs(env, c);
}

// pictureShare({width, height, crop}, geometry) -> Float32Array
Napi::Value PictureShareJs(const Napi::CallbackInfo& info) {
  CodedFrame f = ParseFrame(info[0]);
  PatchGeometry g = ParseGeometry(info[1]);
  PatchPooler pooler(g, f.crop_left, f.crop_top);
  std::vector<float> share;
  picture_share(f, pooler, share);
  return Floats(info.Env(), share);
}

SignalMaps SignalMapsFromJs(Napi::Value v) {
  Napi::Object o = Obj(v, "frame signals");
  SignalMaps s;
  for (int k = 0; k < kSignalCount; ++k) {
    Napi::Value m = o.Get(kSignalNames[k]);
    if (!m.IsUndefined() && !m.IsNull()) s.maps[k] = CellMapFromJs(m);
  }
  return s;
}

struct MapsHandle {
  std::shared_ptr<const SignalMaps> maps;
};

// scoreSignalMaps(frames: (FrameSignals | handle)[], crop, geometry, options) -> FrameScores[]
// (per frame or over the clip, as options.normalize says).
Napi::Value ScoreSignalMapsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw CodedError(env, "ERR_INVALID_OPTION", "frames must be an array");
  Napi::Array frames = info[0].As<Napi::Array>();
  CodedFrame f = ParseFrame(info[1]);
  PatchGeometry g = ParseGeometry(info[2]);
  ScoringOptions o = ParseOptions(info[3]);
  std::vector<std::shared_ptr<const SignalMaps>> maps;
  for (uint32_t i = 0; i < frames.Length(); ++i) {
    Napi::Value v = frames.Get(i);
    if (v.IsExternal()) maps.push_back(v.As<Napi::External<MapsHandle>>().Data()->maps);
    else maps.push_back(std::make_shared<SignalMaps>(SignalMapsFromJs(v)));
  }
  FrameScorer scorer(o, g, f);
  std::vector<FrameScores> scores;
  if (o.normalize == NormalizeScope::kClip) {
    std::vector<const SignalMaps*> ptrs;
    for (const auto& m : maps) ptrs.push_back(m.get());
    scorer.score_clip(ptrs, scores);
  } else {
    scores.resize(maps.size());
    for (size_t i = 0; i < maps.size(); ++i) scorer.score(*maps[i], scores[i]);
  }
  Napi::Array out = Napi::Array::New(env, scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out.Set(static_cast<uint32_t>(i), ScoresToJs(env, scores[i]));
  return out;
}

// poolToGrid(map, crop {left, top}, geometry) -> Float32Array
Napi::Value PoolToGridJs(const Napi::CallbackInfo& info) {
  CellMap m = CellMapFromJs(info[0]);
  Napi::Object crop = Obj(info[1], "crop");
  PatchGeometry g = ParseGeometry(info[2]);
  PatchPooler pooler(g, Int(crop, "left"), Int(crop, "top"));
  std::vector<float> raw;
  pooler.pool(m, INFINITY, raw, nullptr);
  return Floats(info.Env(), raw);
}

// estimateCameraMotion({x, y, vx, vy: Float64Array, n}, model) -> CameraMotion
Napi::Value EstimateCameraMotionJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Obj(info[0], "velocities");
  Velocities v;
  v.n = static_cast<size_t>(Num(o, "n"));
  std::vector<double>* dst[4] = {&v.x, &v.y, &v.vx, &v.vy};
  const char* keys[4] = {"x", "y", "vx", "vy"};
  for (int k = 0; k < 4; ++k) {
    Napi::Value a = o.Get(keys[k]);
    if (!a.IsTypedArray() || a.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        a.As<Napi::Float64Array>().ElementLength() < v.n)
      throw CodedError(env, "ERR_INVALID_OPTION", std::string("velocities.") + keys[k] + " must be a Float64Array of at least n values");
    const double* d = a.As<Napi::Float64Array>().Data();
    dst[k]->assign(d, d + v.n);
  }
  return CameraToJs(env, estimate_camera_motion(v, ParseCompensation(env, info[1].ToString().Utf8Value())));
}

// motionSummary(motion: Int16Array) -> {intra, inter, skip, meanMv}
Napi::Value MotionSummaryJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int16_array)
    throw CodedError(env, "ERR_INVALID_OPTION", "motion must be an Int16Array");
  Napi::Int16Array m = info[0].As<Napi::Int16Array>();
  return SummaryToJs(env, summarize_motion(m.Data(), m.ElementLength() / 8));
}

// allocateRefresh({T, S, gridW, group, seams, change: Float32Array [T][S], weight?: Float32Array [S], budget})
//   -> {kept: Int32Array (flat t*S+s, ascending), tokenChange: Float32Array, lambda, steps, tieTokens, seamMoves}
Napi::Value AllocateRefreshJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Obj(info[0], "refresh request");
  RefreshRequest r;
  r.T = Int(o, "T");
  r.S = Int(o, "S");
  r.budget = static_cast<int64_t>(Num(o, "budget"));
  r.grid_w = Int(o, "gridW");
  r.group = Int(o, "group");
  r.seams = o.Get("seams").ToBoolean().Value();
  if (r.T < 1 || r.S < 1) throw CodedError(env, "ERR_INVALID_OPTION", "refresh: T and S must be positive");
  Napi::Value c = o.Get("change");
  if (!c.IsTypedArray() || c.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      c.As<Napi::Float32Array>().ElementLength() != size_t(r.T) * r.S)
    throw CodedError(env, "ERR_INVALID_OPTION", "refresh: change must be a Float32Array of T * S values");
  r.change = c.As<Napi::Float32Array>().Data();
  Napi::Value w = o.Get("weight");
  if (!w.IsUndefined() && !w.IsNull()) {
    if (!w.IsTypedArray() || w.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        w.As<Napi::Float32Array>().ElementLength() != size_t(r.S))
      throw CodedError(env, "ERR_INVALID_OPTION", "refresh: weight must be a Float32Array of S values");
    r.weight = w.As<Napi::Float32Array>().Data();
  }
  RefreshAllocation a;
  try {
    a = allocate_refresh(r);
  } catch (const std::invalid_argument& e) {
    throw CodedError(env, "ERR_INVALID_OPTION", e.what());
  }
  Napi::Object out = Napi::Object::New(env);
  Napi::Int32Array kept = Napi::Int32Array::New(env, a.kept.size());
  if (!a.kept.empty()) std::memcpy(kept.Data(), a.kept.data(), a.kept.size() * sizeof(int32_t));
  out.Set("kept", kept);
  out.Set("tokenChange", Floats(env, a.token_change));
  out.Set("lambda", a.lambda);
  out.Set("steps", a.steps);
  out.Set("tieTokens", a.tie_tokens);
  out.Set("seamMoves", a.seam_moves);
  return out;
}

}  // namespace

StreamDecoder::PictureObserver ScoreSession::observer() {
  return [this](PictureResult& r) {
    Extras x;
    if (summary_ && r.motion) {
      x.has_summary = true;
      x.summary = summarize_motion(r.motion->data(), r.motion->size() / 8);
      if (!hand_out_motion_) r.motion.reset();
    }
    if (scoring_) {
      try {
        scoring_->process(r, x.scores);
      } catch (const std::invalid_argument& e) {
        ParseError err(ErrorCode::kUnsupported, e.what());
        err.picture = r.decode_index;
        throw err;
      }
    }
    if (!x.has_summary && !x.scores.scored && !x.scores.has_change) return;
    std::lock_guard<std::mutex> lock(mutex_);
    ready_[r.decode_index] = std::move(x);
  };
}

void ScoreSession::attach_to(Napi::Env env, Napi::Object picture, int32_t decode_index) {
  Extras x;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = ready_.find(decode_index);
    if (it == ready_.end()) return;
    x = std::move(it->second);
    ready_.erase(it);
  }
  if (x.has_summary) picture.Set("summary", SummaryToJs(env, x.summary));
  const PictureScores& s = x.scores;
  if (s.scored) {
    if (s.maps) {
      picture.Set("signalMaps", Napi::External<MapsHandle>::New(env, new MapsHandle{s.maps}, [](Napi::Env, MapsHandle* h) { delete h; }));
    } else {
      picture.Set("scores", ScoresToJs(env, s.scores));
    }
    if (s.has_camera) picture.Set("camera", CameraToJs(env, s.camera));
  }
  if (s.has_change) picture.Set("change", ChangeToJs(env, s.change));
}

std::unique_ptr<ScoreSession> MakeScoreSession(Napi::Object options) {
  Napi::Value score = options.Get("score");
  const bool summary = options.Get("summary").ToBoolean().Value();
  Napi::Value motion = options.Get("motion");
  const bool hand_out_motion = motion.IsUndefined() || motion.ToBoolean().Value();
  std::unique_ptr<PictureScoring> scoring;
  if (!score.IsUndefined() && !score.IsNull()) {
    Napi::Object o = Obj(score, "score");
    ScoreRequest r;
    r.options = ParseOptions(o.Get("options"));
    r.geometry = ParseGeometry(o.Get("geometry"));
    r.keep_maps = o.Get("keepMaps").ToBoolean().Value();
    Napi::Value pics = o.Get("pictures");
    if (pics.IsArray()) {
      Napi::Array a = pics.As<Napi::Array>();
      r.score_all = false;
      for (uint32_t i = 0; i < a.Length(); ++i) r.score_indices.push_back(a.Get(i).ToNumber().Int32Value());
    }
    Napi::Value change = o.Get("change");
    if (!change.IsUndefined() && !change.IsNull()) {
      r.change = true;
      r.change_request = ParseChangeRequest(change);
    }
    scoring = std::make_unique<PictureScoring>(r);
  }
  if (!scoring && !summary) return nullptr;
  return std::make_unique<ScoreSession>(std::move(scoring), summary, hand_out_motion);
}

void RegisterScoreFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("signalMaps", Napi::Function::New(env, Guarded<SignalMapsJs>, "signalMaps"));
  exports.Set("scoreSignalMaps", Napi::Function::New(env, Guarded<ScoreSignalMapsJs>, "scoreSignalMaps"));
  exports.Set("poolToGrid", Napi::Function::New(env, Guarded<PoolToGridJs>, "poolToGrid"));
  exports.Set("estimateCameraMotion", Napi::Function::New(env, Guarded<EstimateCameraMotionJs>, "estimateCameraMotion"));
  exports.Set("motionSummary", Napi::Function::New(env, Guarded<MotionSummaryJs>, "motionSummary"));
  exports.Set("pictureChange", Napi::Function::New(env, Guarded<PictureChangeJs>, "pictureChange"));
  exports.Set("pictureShare", Napi::Function::New(env, Guarded<PictureShareJs>, "pictureShare"));
  exports.Set("allocateRefresh", Napi::Function::New(env, Guarded<AllocateRefreshJs>, "allocateRefresh"));
}

}  // namespace codectok_bindings
