// Helpers for the version tests: file metadata built from user keys.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "db/dbformat.h"
#include "version/version_edit.h"

namespace strata::test {

// A table of `size` bytes holding user keys [smallest, largest], written at
// sequences [smallest_seq, largest_seq].
inline FileMetaPtr MakeFile(uint64_t number, const std::string& smallest, const std::string& largest,
                            uint64_t size = 1000, SequenceNumber smallest_seq = 1,
                            SequenceNumber largest_seq = 100) {
  auto f = std::make_shared<FileMetaData>();
  f->number = number;
  f->file_size = size;
  f->smallest = InternalKey(smallest, largest_seq, kTypeValue);
  f->largest = InternalKey(largest, smallest_seq, kTypeValue);
  f->smallest_seq = smallest_seq;
  f->largest_seq = largest_seq;
  f->entries = 10;
  f->tombstones = 1;
  f->raw_key_bytes = 200;
  f->raw_value_bytes = 800;
  return f;
}

// Every field of two file metadata records is equal.
inline ::testing::AssertionResult SameFile(const FileMetaData& a, const FileMetaData& b) {
  if (a.number != b.number || a.file_size != b.file_size || a.smallest.Encode() != b.smallest.Encode() ||
      a.largest.Encode() != b.largest.Encode() || a.smallest_seq != b.smallest_seq ||
      a.largest_seq != b.largest_seq || a.entries != b.entries || a.tombstones != b.tombstones ||
      a.raw_key_bytes != b.raw_key_bytes || a.raw_value_bytes != b.raw_value_bytes) {
    return ::testing::AssertionFailure() << "files " << a.number << " and " << b.number << " differ";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace strata::test
