// The wasm build's memcpy, memmove and memcmp (see byte_routines.h for why):
// linked into strata.wasm only, where these definitions take the place of
// Emscripten's libc ones for the engine, libc++ and protobuf alike.
#include <cstddef>

#include "byte_routines.h"

extern "C" {

void* memcpy(void* dest, const void* src, size_t n) {
  strata::bytes::Move(dest, src, n);
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  strata::bytes::Move(dest, src, n);
  return dest;
}

int memcmp(const void* left, const void* right, size_t n) {
  return strata::bytes::Compare(left, right, n);
}

}  // extern "C"
