#include "bitstream/parse_error.h"

namespace codectok {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated: return "ERR_TRUNCATED";
    case ErrorCode::kInvalidSyntax: return "ERR_INVALID_SYNTAX";
    case ErrorCode::kUnsupported: return "ERR_UNSUPPORTED";
    case ErrorCode::kMissingParameterSet: return "ERR_MISSING_PARAMETER_SET";
    case ErrorCode::kMissingReference: return "ERR_MISSING_REFERENCE";
    case ErrorCode::kLimitExceeded: return "ERR_LIMIT_EXCEEDED";
    case ErrorCode::kCancelled: return "ERR_CANCELLED";
  }
  return "ERR_UNKNOWN";
}

}  // namespace codectok
