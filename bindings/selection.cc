#include "selection.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "js_errors.h"
#include "score/select_top_k.h"
#include "tensors/patch_gather.h"
#if defined(CODECTOK_HAVE_CUDA)
#include "cuda/gpu_residual.h"
#include "cuda/gpu_select.h"
#endif

namespace codectok_bindings {

using namespace codectok;

namespace {

int64_t Int(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw CodedError(o.Env(), "ERR_INVALID_OPTION", std::string(key) + " must be a number");
  return static_cast<int64_t>(v.As<Napi::Number>().DoubleValue());
}

template <typename A>
A Typed(Napi::Value v, const char* what) {
  if (!v.IsTypedArray()) throw CodedError(v.Env(), "ERR_INVALID_OPTION", std::string(what) + " must be a typed array");
  return v.As<A>();
}

Napi::Int32Array Ints(Napi::Env env, const std::vector<int32_t>& v) {
  Napi::Int32Array a = Napi::Int32Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = v[i];
  return a;
}

// "" when the GPU can run, else why not.
std::string CudaUnavailable() {
#if defined(CODECTOK_HAVE_CUDA)
  return cuda::cuda_unavailable_reason();
#else
  return "built without CUDA";
#endif
}

// cudaInfo(): {built, devices, reason}: never throws (no driver reads as 0 devices).
Napi::Value CudaInfoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
#if defined(CODECTOK_HAVE_CUDA)
  o.Set("built", true);
#else
  o.Set("built", false);
#endif
  const std::string why = CudaUnavailable();
#if defined(CODECTOK_HAVE_CUDA)
  o.Set("devices", why.empty() ? cuda::cuda_device_count() : 0);
#else
  o.Set("devices", 0);
#endif
  o.Set("reason", why);
  return o;
}

// selectTopK(scores: Float32Array [T*S], intra: Uint8Array [T], content: Uint8Array [S],
//   {T, gridH, gridW, static, budget, iframes, keepFirst, padding, staticFallback, order, keys?}, device)
//   -> {flat: Int32Array, denseSlots: Int32Array, mandatory, staticFallback, device,
//       keys?: Float64Array (with keys: true, the rank key codec_rank_key of each patch of flat)}
Napi::Value SelectTopKJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float32Array scores = Typed<Napi::Float32Array>(info[0], "scores");
  Napi::Uint8Array intra = Typed<Napi::Uint8Array>(info[1], "intra");
  Napi::Uint8Array content = Typed<Napi::Uint8Array>(info[2], "content");
  if (!info[3].IsObject()) throw CodedError(env, "ERR_INVALID_OPTION", "selection options must be an object");
  Napi::Object o = info[3].As<Napi::Object>();
  const std::string device = info[4].IsString() ? info[4].As<Napi::String>().Utf8Value() : "cpu";
  TopKVolume v;
  v.T = static_cast<int>(Int(o, "T"));
  v.grid_h = static_cast<int>(Int(o, "gridH"));
  v.grid_w = static_cast<int>(Int(o, "gridW"));
  v.is_static = o.Get("static").ToBoolean().Value();
  const int64_t S = static_cast<int64_t>(v.grid_h) * v.grid_w;
  if (v.T < 1 || S < 1 || static_cast<int64_t>(scores.ElementLength()) != v.T * S ||
      static_cast<int64_t>(intra.ElementLength()) != v.T || static_cast<int64_t>(content.ElementLength()) != S)
    throw CodedError(env, "ERR_INVALID_OPTION", "score volume arrays do not match T x gridH x gridW");
  v.scores = scores.Data();
  v.intra = intra.Data();
  v.content = content.Data();
  TopKOptions t;
  t.budget = Int(o, "budget");
  if (t.budget < 1) throw CodedError(env, "ERR_INVALID_OPTION", "budget must be >= 1");
  const std::string ifr = o.Get("iframes").ToString().Utf8Value();
  t.iframes = ifr == "dense" ? IFramePolicy::kDense : ifr == "score" ? IFramePolicy::kScore : IFramePolicy::kZero;
  t.keep_first = o.Get("keepFirst").ToBoolean().Value();
  t.padding_exclude = o.Get("padding").ToString().Utf8Value() != "include";
  t.static_fallback = o.Get("staticFallback").ToBoolean().Value();
  t.order = o.Get("order").ToString().Utf8Value() == "score" ? SelectionOrder::kScore : SelectionOrder::kThw;
  TopKSelection r;
  std::string ran = "cpu";
  if (device == "cuda" && t.order == SelectionOrder::kThw) {
#if defined(CODECTOK_HAVE_CUDA)
    const std::string why = CudaUnavailable();
    if (!why.empty()) throw CodedError(env, "ERR_UNSUPPORTED", "device cuda: " + why);
    cuda::GpuSelector gpu;
    cuda::SelectClip c;
    c.T = v.T;
    c.grid_h = v.grid_h;
    c.grid_w = v.grid_w;
    c.intra = v.intra;
    c.content = v.content;
    c.is_static = v.is_static;
    std::vector<std::vector<int32_t>> flat;
    gpu.select(v.scores, false, scores.ElementLength(), &c, 1, t, flat);
    r = select_dense_part(v, t);  // the dense slots the kernel used (codec_dense_slots)
    r.flat = std::move(flat[0]);
    ran = "cuda";
#else
    throw CodedError(env, "ERR_UNSUPPORTED", "device cuda: built without CUDA");
#endif
  } else {
    r = select_top_k(v, t);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("flat", Ints(env, r.flat));
  out.Set("denseSlots", Ints(env, r.dense_slots));
  out.Set("mandatory", r.mandatory);
  out.Set("staticFallback", r.static_fallback);
  out.Set("device", ran);
  if (o.Get("keys").ToBoolean().Value()) {
    Napi::Float64Array keys = Napi::Float64Array::New(env, r.flat.size());
    for (size_t j = 0; j < r.flat.size(); ++j) {
      const int64_t i = r.flat[j], slot = i / S;
      keys[j] = codec_rank_key(v.scores[i], v.intra[slot] != 0, v.content[i - slot * S] != 0, t);
    }
    out.Set("keys", keys);
  }
  return out;
}

// gatherPatches(rgb: Uint8Array, {frameWidth, frameHeight, patch, layout, dtype, mean, std},
//   rows: Int32Array [(row, h, w) ...], out: Uint8Array | Float32Array)
Napi::Value GatherPatchesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array rgb = Typed<Napi::Uint8Array>(info[0], "rgb");
  if (!info[1].IsObject()) throw CodedError(env, "ERR_INVALID_OPTION", "gather options must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  Napi::Int32Array rows = Typed<Napi::Int32Array>(info[2], "rows");
  GatherSpec spec;
  spec.frame_width = static_cast<int>(Int(o, "frameWidth"));
  spec.frame_height = static_cast<int>(Int(o, "frameHeight"));
  spec.patch = static_cast<int>(Int(o, "patch"));
  spec.layout = o.Get("layout").ToString().Utf8Value() == "nchw" ? PatchLayout::kNchw : PatchLayout::kNhwc;
  spec.float32 = o.Get("dtype").ToString().Utf8Value() == "float32";
  if (spec.patch < 1 || spec.frame_width < 1 || spec.frame_height < 1 ||
      rgb.ElementLength() < static_cast<size_t>(spec.frame_width) * spec.frame_height * 3)
    throw CodedError(env, "ERR_INVALID_OPTION", "frame smaller than its geometry");
  if (spec.float32) {
    Napi::Value mv = o.Get("mean"), sv = o.Get("std");
    if (!mv.IsArray() || !sv.IsArray()) throw CodedError(env, "ERR_INVALID_OPTION", "mean and std must be arrays");
    Napi::Array m = mv.As<Napi::Array>(), s = sv.As<Napi::Array>();
    for (uint32_t c = 0; c < 3; ++c) {
      spec.mean[c] = m.Get(c).ToNumber().DoubleValue();
      spec.std[c] = s.Get(c).ToNumber().DoubleValue();
    }
  }
  if (rows.ElementLength() % 3) throw CodedError(env, "ERR_INVALID_OPTION", "rows must hold (row, h, w) triples");
  const size_t count = rows.ElementLength() / 3;
  std::vector<GatherRow> r(count);
  const size_t per = static_cast<size_t>(spec.patch) * spec.patch * 3;
  size_t out_len = 0;
  void* out = nullptr;
  if (spec.float32) {
    Napi::Float32Array a = Typed<Napi::Float32Array>(info[3], "out");
    out = a.Data();
    out_len = a.ElementLength();
  } else {
    Napi::Uint8Array a = Typed<Napi::Uint8Array>(info[3], "out");
    out = a.Data();
    out_len = a.ElementLength();
  }
  for (size_t k = 0; k < count; ++k) {
    r[k] = {rows[3 * k], rows[3 * k + 1], rows[3 * k + 2]};
    if (r[k].row < 0 || (static_cast<size_t>(r[k].row) + 1) * per > out_len)
      throw CodedError(env, "ERR_INVALID_OPTION", "row " + std::to_string(r[k].row) + " outside the output");
  }
  try {
    gather_patches(rgb.Data(), spec, r.data(), count, out);
  } catch (const std::invalid_argument& e) {
    throw CodedError(env, "ERR_INVALID_OPTION", e.what());
  }
  return env.Undefined();
}

}  // namespace

void RegisterSelectionFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("selectTopK", Napi::Function::New(env, Guarded<SelectTopKJs>, "selectTopK"));
  exports.Set("gatherPatches", Napi::Function::New(env, Guarded<GatherPatchesJs>, "gatherPatches"));
  exports.Set("cudaInfo", Napi::Function::New(env, Guarded<CudaInfoJs>, "cudaInfo"));
}

}  // namespace codectok_bindings
