// Node-API glue over the C++ core (cpp/stream/stream_decoder.h): no decoding
// logic lives here.
//
//   const d = new NativeDecoder({codec: 'hevc' | 'h264' (default 'hevc'), motion, cu, bits, tuStats, residual});
//   await d.push(uint8array)  -> Picture[] (the pictures that became ready; with
//                                maxPicturesPerCall at most that many: push an
//                                empty array to get the rest)
//   await d.finish()          -> Picture[] (every remaining picture)
//   d.cancel()                -> the job in progress stops at its next NAL unit
//                                (ERR_CANCELLED), and so does every later one
//   await d.restart(start)    -> [] ; decodes another stream (a planner's next segment) from
//                                `start`, with the memory of the finished one (StreamDecoder::restart)
//   option start: {decodeIndex, continuesSequence, prevTid0Poc} -> DecodeOptions::start
//                                (a segment that begins at a planner's cut point)
//
//   const p = new SegmentPlanner({codec, limits});   (cpp/stream/segment_planner.h)
//   p.push(uint8array) -> {cuts: [{offset, firstSliceOffset, start, parameterSets: Uint8Array}], planned}
//   p.finish()         -> the same, planned = Infinity
// synchronous, on the calling thread (it reads headers only: microseconds per picture).
//
// push() and finish() run StreamDecoder::push/finish and drain next() on the
// libuv thread pool (UV_THREADPOOL_SIZE threads, 4 by default), so several
// decoders decode in parallel. One decoder runs one job at a time: calls made
// while a job runs are queued and run in call order.
//
// The input: push(data) copies `data` before it returns, so the decoder never
// reads the caller's memory on the thread pool. The caller may reuse, modify,
// transfer or detach its buffer as soon as push() has returned, even while the
// job is queued or running (the parser pushes the next chunk ahead of the
// pictures being consumed, from buffers a source may reuse). What the caller
// may not do is expect push() to see later writes: the bytes are those of the
// moment of the call.
//
// Options are checked strictly, before any decoding: an unknown name, a flag
// that is not a boolean, or a count or picture index that is not a
// non-negative integer (NaN, 1.5, -1, '3') throws a TypeError (RangeError for
// out-of-range numbers) with code ERR_INVALID_OPTION naming the option. The
// `limits` object (DecodeLimits by their JavaScript names: maxLumaPictureSize,
// maxPictureDimension, maxDpbSize, maxSliceSegmentsPerPicture,
// maxTilesPerPicture, maxNalUnitSize) takes positive integers only.
//
// Arrays are not copied: each typed array views the core's
// shared_ptr<vector<T>> storage through an external ArrayBuffer whose
// finalizer releases the shared_ptr.
//
// Errors: a codectok::ParseError rejects with an Error whose `code` is
// error_code_name(), plus `byteOffset` and `picture` (-1 when unknown); any
// other exception rejects with code ERR_INTERNAL. After a rejection the decoder
// is unusable: later calls reject with ERR_INVALID_STATE, as do calls after
// finish().
#include <napi.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/picture_result.h"
#include "stream/segment_planner.h"
#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"
#include "hevc/picture_order_count.h"
#include "js_errors.h"
#include "scores.h"
#include "selection.h"

namespace {

using codectok::DecodeOptions;
using codectok::ParseError;
using codectok::PictureResult;
using codectok::StreamDecoder;

struct JobError {
  bool set = false;
  std::string code;
  std::string message;
  int64_t byte_offset = -1;
  int32_t picture = -1;
};

Napi::Error MakeError(Napi::Env env, const JobError& e) {
  Napi::Error err = Napi::Error::New(env, e.message);
  Napi::Object obj = err.Value();
  obj.Set("code", Napi::String::New(env, e.code));
  obj.Set("byteOffset", Napi::Number::New(env, static_cast<double>(e.byte_offset)));
  obj.Set("picture", Napi::Number::New(env, e.picture));
  return err;
}

JobError StateError(const std::string& message) {
  JobError e;
  e.set = true;
  e.code = "ERR_INVALID_STATE";
  e.message = message;
  return e;
}

// Wraps shared storage in an external ArrayBuffer (zero copy). The storage is
// released by the ArrayBuffer's finalizer (at garbage collection) or earlier by
// releasePicture(), which detaches the ArrayBuffer first so JavaScript can no
// longer reach the memory. Both run on the JavaScript thread.
struct BufferHolder {
  std::shared_ptr<void> storage;
  int64_t bytes = 0;
  bool released = false;
};
// data pointer -> holder; per thread, since each worker thread has its own
// JavaScript environment whose buffers it creates, releases and finalizes.
thread_local std::unordered_map<void*, BufferHolder*> g_live_buffers;

void ReleaseHolder(Napi::Env env, BufferHolder* h) {
  if (h->released) return;
  h->released = true;
  h->storage.reset();  // back to the decoder's pool
  Napi::MemoryManagement::AdjustExternalMemory(env, -h->bytes);
}

template <typename T>
Napi::ArrayBuffer ExternalBuffer(Napi::Env env, const std::shared_ptr<codectok::HugePageVector<T>>& storage) {
  if (storage->empty()) return Napi::ArrayBuffer::New(env, 0);
  auto* holder = new BufferHolder{storage, static_cast<int64_t>(storage->size() * sizeof(T)), false};
  void* data = static_cast<void*>(storage->data());
  g_live_buffers[data] = holder;
  // Tell V8 about the memory it keeps alive, so it collects (and the decoder
  // recycles) picture buffers as fast as they are dropped.
  Napi::MemoryManagement::AdjustExternalMemory(env, holder->bytes);
  return Napi::ArrayBuffer::New(
      env, data, static_cast<size_t>(holder->bytes),
      [](Napi::Env e, void* d, BufferHolder* h) {
        auto it = g_live_buffers.find(d);
        if (it != g_live_buffers.end() && it->second == h) g_live_buffers.erase(it);
        ReleaseHolder(e, h);
        delete h;
      },
      holder);
}

// derivePoc(poc, prevTid0Poc, maxPocLsb): the POC of a picture whose POC is `poc` when derived from
// another prevTid0Pic (cpp/hevc/picture_order_count.h). maxPocLsb: a power of two from 16 to 65536.
Napi::Value DerivePoc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  for (size_t i = 0; i < 3; ++i)
    if (info.Length() <= i || !info[i].IsNumber()) throw codectok_bindings::CodedError(env, "ERR_INVALID_OPTION", "derivePoc(poc, prevTid0Poc, maxPocLsb): three integers");
  const int poc = info[0].As<Napi::Number>().Int32Value(), prev = info[1].As<Napi::Number>().Int32Value();
  const int max_lsb = info[2].As<Napi::Number>().Int32Value();
  if (max_lsb < 16 || max_lsb > 65536 || (max_lsb & (max_lsb - 1)) != 0)
    throw codectok_bindings::CodedError(env, "ERR_INVALID_OPTION", "derivePoc: maxPocLsb must be a power of two from 16 to 65536");
  return Napi::Number::New(env, codectok::derive_poc(codectok::poc_lsb(poc, max_lsb), prev, max_lsb));
}

// releasePicture(picture): detaches the picture's typed arrays and returns their
// memory to the decoder now, instead of at garbage collection.
Napi::Value ReleasePicture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) return env.Undefined();
  Napi::Object pic = info[0].As<Napi::Object>();
  for (const char* key : {"motion", "cu", "bits", "residual", "tu"}) {
    Napi::Value v = pic.Get(key);
    if (!v.IsTypedArray()) continue;
    Napi::ArrayBuffer ab = v.As<Napi::TypedArray>().ArrayBuffer();
    if (ab.IsDetached() || ab.ByteLength() == 0) continue;
    auto it = g_live_buffers.find(ab.Data());
    if (it == g_live_buffers.end()) continue;  // not one of ours
    BufferHolder* h = it->second;
    g_live_buffers.erase(it);
    ab.Detach();
    ReleaseHolder(env, h);
  }
  return env.Undefined();
}

template <typename T>
Napi::Value TypedArray(Napi::Env env, const std::shared_ptr<codectok::HugePageVector<T>>& storage,
                       napi_typedarray_type type) {
  Napi::ArrayBuffer buffer = ExternalBuffer(env, storage);
  return Napi::TypedArrayOf<T>::New(env, storage->size(), buffer, 0, type);
}

Napi::Array IntArray(Napi::Env env, const std::vector<int32_t>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), values[i]);
  return out;
}

Napi::Object PictureToJs(Napi::Env env, const PictureResult& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("codec", p.codec == codectok::Codec::kH264 ? "h264" : "hevc");
  o.Set("poc", p.poc);
  o.Set("decodeIndex", p.decode_index);
  o.Set("nalType", p.nal_type);
  o.Set("temporalId", p.temporal_id);
  o.Set("disposable", p.disposable);
  o.Set("maxPocLsb", p.max_poc_lsb);
  o.Set("irap", p.irap);
  o.Set("newSequence", p.new_sequence);
  o.Set("rasl", p.rasl);
  o.Set("pocAnchor", p.poc_anchor);
  o.Set("width", p.width);
  o.Set("height", p.height);
  o.Set("bitDepth", p.bit_depth);
  Napi::Object crop = Napi::Object::New(env);
  crop.Set("left", p.crop_left);
  crop.Set("right", p.crop_right);
  crop.Set("top", p.crop_top);
  crop.Set("bottom", p.crop_bottom);
  o.Set("crop", crop);
  Napi::Array slices = Napi::Array::New(env, p.slices.size());
  for (size_t i = 0; i < p.slices.size(); ++i) {
    const auto& s = p.slices[i];
    Napi::Object so = Napi::Object::New(env);
    so.Set("type", std::string(1, s.type));
    so.Set("address", s.address);
    so.Set("dependent", s.dependent);
    so.Set("qpDelta", s.qp_delta);
    so.Set("refL0", IntArray(env, s.ref_l0));
    so.Set("refL1", IntArray(env, s.ref_l1));
    so.Set("byteOffset", static_cast<double>(s.byte_offset));
    so.Set("byteSize", static_cast<double>(s.byte_size));
    slices.Set(static_cast<uint32_t>(i), so);
  }
  o.Set("slices", slices);
  o.Set("totalBits", p.total_bits);
  if (p.motion) o.Set("motion", TypedArray(env, p.motion, napi_int16_array));
  if (p.cu) o.Set("cu", TypedArray(env, p.cu, napi_int16_array));
  if (p.bits) o.Set("bits", TypedArray(env, p.bits, napi_float32_array));
  if (p.residual) o.Set("residual", TypedArray(env, p.residual, napi_int16_array));
  if (p.tu) o.Set("tu", TypedArray(env, p.tu, napi_bigint64_array));
  return o;
}

// A TypeError / RangeError with code ERR_INVALID_OPTION.
template <typename E>
[[noreturn]] void ThrowInvalidOption(Napi::Env env, const std::string& message) {
  E err = E::New(env, message);
  err.Value().Set("code", Napi::String::New(env, "ERR_INVALID_OPTION"));
  throw err;
}

std::string Describe(Napi::Value v) {
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsNumber() || v.IsBoolean() || v.IsNull() || v.IsUndefined()) return v.ToString().Utf8Value();
  return v.IsArray() ? "an array" : v.IsFunction() ? "a function" : "an object";
}

// A non-negative integer that fits int32 (a picture count or decode index).
int32_t NonNegativeInt32(Napi::Env env, Napi::Value v, const std::string& what) {
  if (!v.IsNumber()) ThrowInvalidOption<Napi::TypeError>(env, what + " must be a number, got " + Describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (std::isnan(d) || std::trunc(d) != d)
    ThrowInvalidOption<Napi::TypeError>(env, what + " must be an integer, got " + Describe(v));
  if (d < 0 || d > 2147483647.0)
    ThrowInvalidOption<Napi::RangeError>(env, what + " must be between 0 and 2147483647, got " + Describe(v));
  return static_cast<int32_t>(d);
}

// A positive integer up to `max` (a limit).
int64_t PositiveInteger(Napi::Env env, Napi::Value v, const std::string& what, double max) {
  if (!v.IsNumber()) ThrowInvalidOption<Napi::TypeError>(env, what + " must be a number, got " + Describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (std::isnan(d) || std::trunc(d) != d)
    ThrowInvalidOption<Napi::TypeError>(env, what + " must be an integer, got " + Describe(v));
  if (d < 1 || d > max)
    ThrowInvalidOption<Napi::RangeError>(env, what + " must be between 1 and " + std::to_string(static_cast<int64_t>(max)) +
                                                  ", got " + Describe(v));
  return static_cast<int64_t>(d);
}

// The `limits` option: DecodeLimits by their JavaScript names, each a positive integer; an
// unknown name is an error.
void ParseLimits(Napi::Env env, Napi::Value value, codectok::DecodeLimits& limits) {
  if (!value.IsObject() || value.IsArray() || value.IsFunction())
    ThrowInvalidOption<Napi::TypeError>(env, "option limits must be an object, got " + Describe(value));
  Napi::Object o = value.As<Napi::Object>();
  struct Wide {
    const char* name;
    int64_t codectok::DecodeLimits::*field;
  };
  struct Narrow {
    const char* name;
    int32_t codectok::DecodeLimits::*field;
  };
  static constexpr Wide kWide[] = {
      {"maxLumaPictureSize", &codectok::DecodeLimits::max_luma_picture_size},
      {"maxNalUnitSize", &codectok::DecodeLimits::max_nal_unit_size},
  };
  static constexpr Narrow kNarrow[] = {
      {"maxPictureDimension", &codectok::DecodeLimits::max_picture_dimension},
      {"maxDpbSize", &codectok::DecodeLimits::max_dpb_size},
      {"maxSliceSegmentsPerPicture", &codectok::DecodeLimits::max_slice_segments_per_picture},
      {"maxTilesPerPicture", &codectok::DecodeLimits::max_tiles_per_picture},
  };
  Napi::Array names = o.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).ToString().Utf8Value();
    bool known = false;
    for (const Wide& l : kWide) known = known || name == l.name;
    for (const Narrow& l : kNarrow) known = known || name == l.name;
    if (!known) {
      std::string list;
      for (const Wide& l : kWide) list += std::string(list.empty() ? "" : ", ") + l.name;
      for (const Narrow& l : kNarrow) list += std::string(", ") + l.name;
      ThrowInvalidOption<Napi::TypeError>(env, "unknown limit '" + name + "' (known: " + list + ")");
    }
  }
  for (const Wide& l : kWide) {
    Napi::Value v = o.Get(l.name);
    if (!v.IsUndefined()) limits.*(l.field) = PositiveInteger(env, v, std::string("limits.") + l.name, 9007199254740991.0);
  }
  for (const Narrow& l : kNarrow) {
    Napi::Value v = o.Get(l.name);
    if (!v.IsUndefined())
      limits.*(l.field) = static_cast<int32_t>(PositiveInteger(env, v, std::string("limits.") + l.name, 2147483647.0));
  }
}

// The `start` option: {decodeIndex, continuesSequence, prevTid0Poc} (a planner's cut point).
codectok::StreamStart ParseStart(Napi::Env env, Napi::Value value) {
  if (!value.IsObject() || value.IsArray() || value.IsFunction())
    ThrowInvalidOption<Napi::TypeError>(env, "option start must be an object, got " + Describe(value));
  Napi::Object o = value.As<Napi::Object>();
  codectok::StreamStart s;
  s.decode_index = NonNegativeInt32(env, o.Get("decodeIndex"), "start.decodeIndex");
  Napi::Value continues = o.Get("continuesSequence");
  if (!continues.IsBoolean())
    ThrowInvalidOption<Napi::TypeError>(env, "start.continuesSequence must be a boolean, got " + Describe(continues));
  s.continues_sequence = continues.As<Napi::Boolean>().Value();
  Napi::Value poc = o.Get("prevTid0Poc");
  const double d = poc.IsNumber() ? poc.As<Napi::Number>().DoubleValue() : std::nan("");
  if (std::isnan(d) || std::trunc(d) != d || d < -2147483648.0 || d > 2147483647.0)
    ThrowInvalidOption<Napi::TypeError>(env, "start.prevTid0Poc must be an int32, got " + Describe(poc));
  s.prev_tid0_poc = static_cast<int32_t>(d);
  return s;
}

Napi::Object StartToJs(Napi::Env env, const codectok::StreamStart& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("decodeIndex", s.decode_index);
  o.Set("continuesSequence", s.continues_sequence);
  o.Set("prevTid0Poc", s.prev_tid0_poc);
  return o;
}

// The options object of new NativeDecoder(options), checked strictly.
DecodeOptions ParseOptions(Napi::Env env, Napi::Value value) {
  DecodeOptions options;
  if (value.IsUndefined() || value.IsNull()) return options;
  if (!value.IsObject() || value.IsArray() || value.IsFunction())
    ThrowInvalidOption<Napi::TypeError>(env, "options must be an object, got " + Describe(value));
  Napi::Object o = value.As<Napi::Object>();
  struct Flag {
    const char* name;
    bool DecodeOptions::*field;
  };
  static constexpr Flag kFlags[] = {
      {"motion", &DecodeOptions::motion},     {"cu", &DecodeOptions::cu},
      {"bits", &DecodeOptions::bits},         {"tuStats", &DecodeOptions::tu_stats},
      {"residual", &DecodeOptions::residual}, {"headersOnly", &DecodeOptions::headers_only},
  };
  // Checked here for their names only; `score` and `summary` are read by MakeScoreSession (bindings/scores.cc).
  static constexpr const char* kOthers[] = {"pictures", "maxPicturesPerCall", "score", "summary", "codec", "limits", "start"};
  // Every name first: an unknown one is an error, not ignored.
  Napi::Array names = o.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).ToString().Utf8Value();
    bool known = false;
    for (const Flag& f : kFlags) known = known || name == f.name;
    for (const char* n : kOthers) known = known || name == n;
    if (!known) {
      std::string list;
      for (const Flag& f : kFlags) list += std::string(list.empty() ? "" : ", ") + f.name;
      for (const char* n : kOthers) list += std::string(", ") + n;
      ThrowInvalidOption<Napi::TypeError>(env, "unknown option '" + name + "' (known: " + list + ")");
    }
  }
  for (const Flag& f : kFlags) {
    Napi::Value v = o.Get(f.name);
    if (v.IsUndefined()) continue;
    if (!v.IsBoolean())
      ThrowInvalidOption<Napi::TypeError>(env, std::string("option ") + f.name + " must be a boolean, got " + Describe(v));
    options.*(f.field) = v.As<Napi::Boolean>().Value();
  }
  Napi::Value codec = o.Get("codec");
  if (!codec.IsUndefined() &&
      !(codec.IsString() && (codec.As<Napi::String>().Utf8Value() == "hevc" || codec.As<Napi::String>().Utf8Value() == "h264")))
    ThrowInvalidOption<Napi::TypeError>(env, "option codec must be 'hevc' or 'h264', got " + Describe(codec));
  Napi::Value limit = o.Get("maxPicturesPerCall");
  if (!limit.IsUndefined()) options.max_pictures_per_call = NonNegativeInt32(env, limit, "option maxPicturesPerCall");
  Napi::Value limits = o.Get("limits");
  if (!limits.IsUndefined()) ParseLimits(env, limits, options.limits);
  Napi::Value start = o.Get("start");
  if (!start.IsUndefined()) options.start = ParseStart(env, start);
  Napi::Value only = o.Get("pictures");
  if (!only.IsUndefined() && !only.IsNull()) {
    if (!only.IsArray())
      ThrowInvalidOption<Napi::TypeError>(env, "option pictures must be an array of decode indices, got " + Describe(only));
    Napi::Array a = only.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i)
      options.only_decode_indices.push_back(NonNegativeInt32(env, a.Get(i), "pictures[" + std::to_string(i) + "]"));
  }
  return options;
}

// State shared between the JS wrapper and the worker running on the pool.
// The decoder of either standard (the `codec` option).
struct Core {
  Core(DecodeOptions options, codectok::Codec codec, std::unique_ptr<codectok_bindings::ScoreSession> score)
      : decoder(
            [&] {
              options.cancel = &cancelled;
              return options;
            }(),
            codec),
        scores(std::move(score)) {
    if (scores) decoder.set_observer(scores->observer());
  }
  void push(const uint8_t* data, size_t size) { decoder.push(data, size); }
  bool finish() { return decoder.finish(); }
  void restart(const codectok::StreamStart& start) { decoder.restart(start); }
  bool next(PictureResult& out) { return decoder.next(out); }
  // Set by cancel() on the JavaScript thread, read by the decoder on the pool before each NAL unit
  // (declared before the decoder, which holds its address).
  std::atomic<bool> cancelled{false};
  StreamDecoder decoder;
  // With the `score` option: the pictures' patch scores, computed as they are decoded.
  std::unique_ptr<codectok_bindings::ScoreSession> scores;
};

struct Job {
  explicit Job(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  bool finish = false;
  bool restart = false;
  codectok::StreamStart start;  // with restart
  Napi::ObjectReference self;  // keeps the NativeDecoder alive while queued/running
  std::vector<uint8_t> bytes;  // a copy of the pushed data: the caller's buffer is free once push() returns
  Napi::Promise::Deferred deferred;
};

class NativeDecoder;

class DecodeWorker : public Napi::AsyncWorker {
 public:
  DecodeWorker(Napi::Env env, NativeDecoder* owner, std::shared_ptr<Core> core,
               std::unique_ptr<Job> job)
      : Napi::AsyncWorker(env, "codectok:decode"),
        owner_(owner),
        core_(std::move(core)),
        job_(std::move(job)) {}

  void Execute() override {
    if (core_->cancelled.load(std::memory_order_relaxed)) {
      error_.set = true;
      error_.code = codectok::error_code_name(codectok::ErrorCode::kCancelled);
      error_.message = "decoding cancelled";
      return;
    }
    try {
      auto take_ready = [&] {
        PictureResult picture;
        while (core_->next(picture)) pictures_.push_back(std::move(picture));
      };
      if (job_->restart) {
        core_->restart(job_->start);
      } else if (job_->finish) {
        // The end of the stream: the last picture and the reordering queue.
        while (!core_->finish()) take_ready();
      } else {
        // With maxPicturesPerCall this stops once that many are ready; the
        // caller pushes an empty buffer to go on.
        core_->push(job_->bytes.data(), job_->bytes.size());
      }
      take_ready();
    } catch (const ParseError& e) {
      error_.set = true;
      error_.code = codectok::error_code_name(e.code());
      error_.message = e.what();
      error_.byte_offset = e.byte_offset;
      error_.picture = e.picture;
    } catch (const std::exception& e) {
      error_.set = true;
      error_.code = "ERR_INTERNAL";
      error_.message = std::string("internal error: ") + e.what();
    } catch (...) {
      error_.set = true;
      error_.code = "ERR_INTERNAL";
      error_.message = "internal error: unknown exception";
    }
  }

  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  void Settle();
  NativeDecoder* owner_;
  std::shared_ptr<Core> core_;
  std::unique_ptr<Job> job_;
  std::vector<PictureResult> pictures_;
  JobError error_;
};

class NativeDecoder : public Napi::ObjectWrap<NativeDecoder> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "NativeDecoder",
                       {InstanceMethod<&NativeDecoder::Push>("push"),
                        InstanceMethod<&NativeDecoder::Finish>("finish"),
                        InstanceMethod<&NativeDecoder::Restart>("restart"),
                        InstanceMethod<&NativeDecoder::Cancel>("cancel")});
  }

  explicit NativeDecoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDecoder>(info) {
    Napi::Env env = info.Env();
    DecodeOptions options = ParseOptions(env, info.Length() > 0 ? info[0] : env.Undefined());
    const codectok::Codec codec = info.Length() > 0 && info[0].IsObject() &&
                                          info[0].As<Napi::Object>().Get("codec").ToString().Utf8Value() == "h264"
                                      ? codectok::Codec::kH264
                                      : codectok::Codec::kHevc;
    std::unique_ptr<codectok_bindings::ScoreSession> scores;
    if (info.Length() > 0 && info[0].IsObject()) {
      const Napi::Object o = info[0].As<Napi::Object>();
      scores = codectok_bindings::MakeScoreSession(o);
      // the motion summary reads the motion field (handed out only if asked)
      if (o.Get("summary").ToBoolean().Value()) options.motion = true;
      // scored pictures hand no arrays out (PictureScoring::process takes them), and the scoring
      // reads the transform rows' counts and sums only: no levels' hash
      const Napi::Value score = o.Get("score");
      if (!score.IsUndefined() && !score.IsNull()) options.tu_hash = false;
    }
    try {
      core_ = std::make_shared<Core>(options, codec, std::move(scores));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

  // Called by the worker on the main thread when its job is settled.
  void JobDone(bool failed) {
    running_ = false;
    if (failed) failed_ = true;
    RunNext();
  }

 private:
  // cancel(): the job running stops before its next NAL unit and rejects with ERR_CANCELLED, as do
  // the queued ones and any later call.
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    core_->cancelled.store(true, std::memory_order_relaxed);
    return info.Env().Undefined();
  }

  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "push(data): data must be a Uint8Array or Buffer");
    }
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    auto job = std::make_unique<Job>(env);
    Napi::Promise promise = job->deferred.Promise();
    if (finish_requested_) {
      job->deferred.Reject(MakeError(env, StateError("push() after finish()")).Value());
      return promise;
    }
    if (data.ByteLength() > 0) job->bytes.assign(data.Data(), data.Data() + data.ByteLength());
    Enqueue(std::move(job));
    return promise;
  }

  Napi::Value Finish(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto job = std::make_unique<Job>(env);
    Napi::Promise promise = job->deferred.Promise();
    if (finish_requested_) {
      job->deferred.Reject(MakeError(env, StateError("finish() called twice")).Value());
      return promise;
    }
    finish_requested_ = true;
    job->finish = true;
    Enqueue(std::move(job));
    return promise;
  }

  // restart(start): once the jobs before it are done, the decoder takes a new stream from `start`.
  Napi::Value Restart(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    codectok::StreamStart start = ParseStart(env, info.Length() > 0 ? info[0] : env.Undefined());
    auto job = std::make_unique<Job>(env);
    Napi::Promise promise = job->deferred.Promise();
    finish_requested_ = false;
    job->restart = true;
    job->start = start;
    Enqueue(std::move(job));
    return promise;
  }

  void Enqueue(std::unique_ptr<Job> job) {
    job->self = Napi::Persistent(Value());
    queue_.push_back(std::move(job));
    RunNext();
  }

  void RunNext() {
    while (!running_ && !queue_.empty()) {
      std::unique_ptr<Job> job = std::move(queue_.front());
      queue_.pop_front();
      if (failed_) {
        job->deferred.Reject(
            MakeError(Env(), StateError("the decoder failed on an earlier call")).Value());
        continue;
      }
      running_ = true;
      auto* worker = new DecodeWorker(Env(), this, core_, std::move(job));
      worker->Queue();
    }
  }

  std::shared_ptr<Core> core_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool running_ = false;
  bool failed_ = false;
  bool finish_requested_ = false;
};

void DecodeWorker::Settle() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  bool failed = error_.set;
  if (failed) {
    job_->deferred.Reject(MakeError(env, error_).Value());
  } else {
    try {
      Napi::Array out = Napi::Array::New(env, pictures_.size());
      for (size_t i = 0; i < pictures_.size(); ++i) {
        Napi::Object picture = PictureToJs(env, pictures_[i]);
        if (core_->scores) core_->scores->attach_to(env, picture, pictures_[i].decode_index);
        out.Set(static_cast<uint32_t>(i), picture);
      }
      job_->deferred.Resolve(out);
    } catch (const Napi::Error& e) {
      failed = true;
      JobError internal;
      internal.set = true;
      internal.code = "ERR_INTERNAL";
      internal.message = std::string("internal error: ") + e.Message();
      job_->deferred.Reject(MakeError(env, internal).Value());
    }
  }
  pictures_.clear();
  // Keep the wrapper alive until JobDone returns.
  Napi::ObjectReference self = std::move(job_->self);
  job_.reset();
  owner_->JobDone(failed);
}

void DecodeWorker::OnOK() { Settle(); }

void DecodeWorker::OnError(const Napi::Error& e) {
  // Execute() catches everything itself; this covers a failure of the
  // async-work machinery.
  if (!error_.set) {
    error_.set = true;
    error_.code = "ERR_INTERNAL";
    error_.message = std::string("internal error: ") + e.Message();
  }
  Settle();
}

// new SegmentPlanner({codec, limits}): codectok::SegmentPlanner, called synchronously.
class SegmentPlanner : public Napi::ObjectWrap<SegmentPlanner> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "SegmentPlanner",
                       {InstanceMethod<&SegmentPlanner::Push>("push"), InstanceMethod<&SegmentPlanner::Finish>("finish")});
  }

  explicit SegmentPlanner(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SegmentPlanner>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) ThrowInvalidOption<Napi::TypeError>(env, "SegmentPlanner(options): options must be an object");
    Napi::Object o = info[0].As<Napi::Object>();
    const std::string codec = o.Get("codec").ToString().Utf8Value();
    if (codec != "hevc" && codec != "h264") ThrowInvalidOption<Napi::TypeError>(env, "option codec must be 'hevc' or 'h264'");
    codectok::DecodeLimits limits;
    if (!o.Get("limits").IsUndefined()) ParseLimits(env, o.Get("limits"), limits);
    planner_ = std::make_unique<codectok::SegmentPlanner>(codec == "h264" ? codectok::Codec::kH264 : codectok::Codec::kHevc, limits);
  }

 private:
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw Napi::TypeError::New(env, "push(data): data must be a Uint8Array or Buffer");
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    try {
      planner_->push(data.Data(), data.ByteLength());  // errors in the stream end planning, they do not throw
    } catch (const std::exception& e) {
      throw codectok_bindings::CodedError(env, "ERR_INTERNAL", std::string("internal error: ") + e.what());
    }
    return Plan(env);
  }

  Napi::Value Finish(const Napi::CallbackInfo& info) {
    try {
      planner_->finish();
    } catch (const std::exception& e) {
      throw codectok_bindings::CodedError(info.Env(), "ERR_INTERNAL", std::string("internal error: ") + e.what());
    }
    return Plan(info.Env());
  }

  Napi::Value Plan(Napi::Env env) {
    Napi::Array cuts = Napi::Array::New(env);
    codectok::CutPoint c;
    while (planner_->next(c)) {
      Napi::Object cut = Napi::Object::New(env);
      cut.Set("offset", static_cast<double>(c.byte_offset));
      cut.Set("firstSliceOffset", static_cast<double>(c.first_slice_offset));
      cut.Set("start", StartToJs(env, c.start));
      Napi::Uint8Array sets = Napi::Uint8Array::New(env, c.parameter_sets.size());
      if (!c.parameter_sets.empty()) std::memcpy(sets.Data(), c.parameter_sets.data(), c.parameter_sets.size());
      cut.Set("parameterSets", sets);
      cuts.Set(cuts.Length(), cut);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("cuts", cuts);
    const int64_t planned = planner_->planned_offset();
    out.Set("planned", planned == std::numeric_limits<int64_t>::max() ? std::numeric_limits<double>::infinity()
                                                                       : static_cast<double>(planned));
    return out;
  }

  std::unique_ptr<codectok::SegmentPlanner> planner_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeDecoder", NativeDecoder::Init(env));
  exports.Set("SegmentPlanner", SegmentPlanner::Init(env));
  exports.Set("releasePicture", Napi::Function::New(env, ReleasePicture, "releasePicture"));
  exports.Set("derivePoc", Napi::Function::New(env, codectok_bindings::Guarded<DerivePoc>, "derivePoc"));
  codectok_bindings::RegisterScoreFunctions(env, exports);
  codectok_bindings::RegisterSelectionFunctions(env, exports);
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(codectok, Init)
