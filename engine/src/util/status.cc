#include "strata/status.h"

namespace strata {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kCorruption: return "Corruption";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kIOError: return "IOError";
    case Code::kBusy: return "Busy";
    case Code::kReadOnly: return "ReadOnly";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = CodeName(code_);
  s += ": ";
  s += message_;
  return s;
}

Status Status::WithContext(const Slice& context) const {
  if (ok()) return *this;
  return Status(code_, context.ToString() + ": " + message_);
}

}  // namespace strata
