// ByteSink: bytes appended with one memcpy each into storage that only
// grows and is kept from call to call. A chunk of small entries appends
// three pieces an entry; std::string::append is an out-of-line call each
// time, a measurable part of a scan in the wasm build.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace strata {

class ByteSink {
 public:
  void Clear() { used_ = 0; }

  // data must not point into this sink: growing it moves its bytes.
  void Append(const void* data, size_t n) {
    if (storage_.size() - used_ < n) storage_.resize(std::max(storage_.size() * 2, used_ + n));
    if (n != 0) std::memcpy(&storage_[used_], data, n);
    used_ += n;
  }

  void AppendU32(uint32_t v) { Append(&v, sizeof(v)); }  // little-endian, like wasm

  // Overwrites 4 bytes already appended.
  void SetU32(size_t at, uint32_t v) { std::memcpy(&storage_[at], &v, sizeof(v)); }

  const char* data() const { return storage_.data(); }
  size_t size() const { return used_; }

  // Gives the storage back if a call of huge entries grew it past max_kept.
  void Trim(size_t max_kept) {
    if (storage_.size() > max_kept) {
      std::string().swap(storage_);
      used_ = 0;
    }
  }

 private:
  std::string storage_;  // its size is the capacity in use; bytes [0, used_) hold data
  size_t used_ = 0;
};

}  // namespace strata
