// Errors thrown to JavaScript by the synchronous binding functions: an Error with a `code`
// (CodectokError's codes), and a wrapper turning any other C++ exception into ERR_INTERNAL.
#pragma once
#include <napi.h>

#include <exception>
#include <string>

namespace codectok_bindings {

inline Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Value().Set("code", Napi::String::New(env, code));
  return e;
}

template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw CodedError(info.Env(), "ERR_INTERNAL", std::string("internal error: ") + e.what());
  }
}

}  // namespace codectok_bindings
