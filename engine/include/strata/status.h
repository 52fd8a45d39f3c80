// Status: the result of an operation, either Ok or an error code with a
// message that names the problem.
//
// Callers test the code with the predicates (IsNotFound(), ...), never by
// parsing the message. The codes are persisted nowhere but are mirrored
// one-to-one by the TypeScript error codes, so never renumber them.
#pragma once

#include <string>

#include "strata/slice.h"

namespace strata {

class [[nodiscard]] Status {
 public:
  enum class Code : int {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kInvalidArgument = 3,
    kIOError = 4,
    kBusy = 5,
    kReadOnly = 6,
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(const Slice& msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(const Slice& msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(const Slice& msg) { return Status(Code::kInvalidArgument, msg); }
  static Status IOError(const Slice& msg) { return Status(Code::kIOError, msg); }
  static Status Busy(const Slice& msg) { return Status(Code::kBusy, msg); }
  static Status ReadOnly(const Slice& msg) { return Status(Code::kReadOnly, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsReadOnly() const { return code_ == Code::kReadOnly; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // A short name of the code ("NotFound", ...), as used by the bindings.
  static const char* CodeName(Code code);

  // "NotFound: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` + ": ".
  Status WithContext(const Slice& context) const;

  // Marks an intentionally ignored status.
  void IgnoreError() const {}

 private:
  Status(Code code, const Slice& msg) : code_(code), message_(msg.ToString()) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace strata
