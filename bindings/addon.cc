// Node-API glue over the C++ core (cpp/analysis/stream_decoder.h): no decoding
// logic lives here.
//
//   const d = new NativeDecoder({motion, cu, bits, tuStats, residual});
//   await d.push(uint8array)  -> Picture[] (the pictures that became ready; with
//                                maxPicturesPerCall at most that many: push an
//                                empty array to get the rest)
//   await d.finish()          -> Picture[] (every remaining picture)
//
// push() and finish() run StreamDecoder::push/finish and drain next() on the
// libuv thread pool (UV_THREADPOOL_SIZE threads, 4 by default), so several
// decoders decode in parallel. One decoder runs one job at a time: calls made
// while a job runs are queued and run in call order. A job keeps its input
// buffer referenced (not copied) until it completes: don't modify it meanwhile.
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

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/picture_result.h"
#include "analysis/stream_decoder.h"
#include "bitstream/parse_error.h"
#include "scores.h"

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
Napi::ArrayBuffer ExternalBuffer(Napi::Env env, const std::shared_ptr<std::vector<T>>& storage) {
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
Napi::Value TypedArray(Napi::Env env, const std::shared_ptr<std::vector<T>>& storage,
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
  o.Set("poc", p.poc);
  o.Set("decodeIndex", p.decode_index);
  o.Set("nalType", p.nal_type);
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

// State shared between the JS wrapper and the worker running on the pool.
struct Core {
  Core(const DecodeOptions& options, std::unique_ptr<codectok_bindings::ScoreSession> score)
      : decoder(options), scores(std::move(score)) {
    if (scores) scores->attach(decoder);
  }
  StreamDecoder decoder;
  // With the `score` option: the pictures' patch scores, computed as they are decoded.
  std::unique_ptr<codectok_bindings::ScoreSession> scores;
};

struct Job {
  explicit Job(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  bool finish = false;
  Napi::ObjectReference self;    // keeps the NativeDecoder alive while queued/running
  Napi::ObjectReference buffer;  // keeps the input alive while queued/running
  const uint8_t* data = nullptr;
  size_t size = 0;
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
    try {
      auto take_ready = [&] {
        PictureResult picture;
        while (core_->decoder.next(picture)) pictures_.push_back(std::move(picture));
      };
      if (job_->finish) {
        // The end of the stream: the last picture and the reordering queue.
        while (!core_->decoder.finish()) take_ready();
      } else {
        // With maxPicturesPerCall this stops once that many are ready; the
        // caller pushes an empty buffer to go on.
        core_->decoder.push(job_->data, job_->size);
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
                        InstanceMethod<&NativeDecoder::Finish>("finish")});
  }

  explicit NativeDecoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDecoder>(info) {
    Napi::Env env = info.Env();
    DecodeOptions options;
    if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
      if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
      Napi::Object o = info[0].As<Napi::Object>();
      auto flag = [&](const char* name, bool& field) {
        Napi::Value v = o.Get(name);
        if (!v.IsUndefined()) field = v.ToBoolean().Value();
      };
      flag("motion", options.motion);
      flag("cu", options.cu);
      flag("bits", options.bits);
      flag("tuStats", options.tu_stats);
      flag("residual", options.residual);
      flag("headersOnly", options.headers_only);
      Napi::Value limit = o.Get("maxPicturesPerCall");
      if (limit.IsNumber()) options.max_pictures_per_call = limit.ToNumber().Int32Value();
      Napi::Value only = o.Get("pictures");
      if (!only.IsUndefined() && !only.IsNull()) {
        if (!only.IsArray()) throw Napi::TypeError::New(env, "pictures must be an array of decode indices");
        Napi::Array a = only.As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); ++i)
          options.only_decode_indices.push_back(a.Get(i).ToNumber().Int32Value());
      }
    }
    std::unique_ptr<codectok_bindings::ScoreSession> scores;
    if (info.Length() > 0 && info[0].IsObject())
      scores = codectok_bindings::MakeScoreSession(env, info[0].As<Napi::Object>().Get("score"));
    try {
      core_ = std::make_shared<Core>(options, std::move(scores));
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
    job->data = data.Data();
    job->size = data.ByteLength();
    job->buffer = Napi::Persistent(data.As<Napi::Object>());
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeDecoder", NativeDecoder::Init(env));
  exports.Set("releasePicture", Napi::Function::New(env, ReleasePicture, "releasePicture"));
  codectok_bindings::RegisterScoreFunctions(env, exports);
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(codectok, Init)
