// Typed error thrown by every stage of the core when the input is not a valid
// (or not a supported) HEVC stream. The bindings turn it into a JavaScript
// error carrying `code`, `byteOffset` and `picture`.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace codectok {

enum class ErrorCode {
  kTruncated,      // the data ended inside a syntax structure
  kInvalidSyntax,  // a value outside the range the specification allows
  kUnsupported,    // valid HEVC that codectok refuses (profile, chroma format...)
  kMissingParameterSet,
  kMissingReference,
  kLimitExceeded,  // absurd dimensions or counts
  kCancelled,      // the caller cancelled the decode (DecodeOptions::cancel)
};

const char* error_code_name(ErrorCode code);

class ParseError : public std::runtime_error {
 public:
  ParseError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }
  // Filled in by the stream decoder, which knows where it is; -1 when unknown.
  int64_t byte_offset = -1;
  int32_t picture = -1;  // decode index of the picture being parsed

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) {
  throw ParseError(code, message);
}

// ERR_LIMIT_EXCEEDED naming the limit (a DecodeLimits field, by its JavaScript name).
[[noreturn]] inline void limit_exceeded(const std::string& what, const char* limit, int64_t value) {
  fail(ErrorCode::kLimitExceeded, what + " exceeds the limit " + limit + " = " + std::to_string(value));
}

}  // namespace codectok
