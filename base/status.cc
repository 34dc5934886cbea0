#include "base/status.h"

namespace qun {

const char* Status::code_name() const {
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kInternal:
      return "internal";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotFound:
      return "not_found";
    case Code::kConflict:
      return "conflict";
    case Code::kBusy:
      return "busy";
    case Code::kCorruption:
      return "corruption";
    case Code::kIOError:
      return "io_error";
    case Code::kIncompatible:
      return "incompatible";
    case Code::kRejected:
      return "rejected";
    case Code::kBadSignature:
      return "bad_signature";
    case Code::kUnreachable:
      return "unreachable";
    case Code::kDenied:
      return "denied";
  }
  return "unknown";
}

}  // namespace qun
