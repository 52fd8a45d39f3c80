// WriteBatch encoding (persisted: it is the payload of a WAL record):
//
//   rep       := sequence: fixed64  count: fixed32  record*
//   record    := kTypeValue varstring(key) varstring(value)
//              | kTypeDeletion varstring(key)
//   varstring := len: varint32  bytes: uint8[len]
//
// sequence is the sequence number of the first record; the records take
// sequence, sequence+1, ... in order. count is the number of records. The
// tags are the ValueType values of db/dbformat.h (kTypeDeletion = 0,
// kTypeValue = 1). A well-formed rep has exactly count records, keys of
// 0..kMaxKeySize bytes (the empty key is a key), values of at most kMaxValueSize bytes, and nothing
// after the last record.
#include "strata/write_batch.h"

#include <cassert>
#include <string>

#include "db/dbformat.h"
#include "db/write_batch_internal.h"
#include "memtable/memtable.h"
#include "strata/options.h"
#include "util/coding.h"

namespace strata {

namespace {

std::string SizeLimitMessage(const char* what, size_t size, size_t limit) {
  return std::string(what) + " of " + std::to_string(size) + " bytes exceeds the " + std::to_string(limit) +
         "-byte limit";
}

// Size of a record with these key and value sizes (is_put) or this key size.
size_t RecordSize(size_t key_size, size_t value_size, bool is_put) {
  size_t n = 1 + VarintLength(key_size) + key_size;
  if (is_put) n += VarintLength(value_size) + value_size;
  return n;
}

// Decodes the records after the header of rep, calling handler for each if
// it is non-null. Corruption names the first problem and its offset.
Status ParseRecords(const Slice& rep, uint32_t expected_count, WriteBatch::Handler* handler) {
  Slice input(rep);
  input.remove_prefix(WriteBatchInternal::kHeader);
  uint32_t found = 0;
  while (!input.empty()) {
    const size_t offset = rep.size() - input.size();
    if (found == expected_count) {
      return Status::Corruption("write batch has " + std::to_string(input.size()) +
                                " bytes after its last record, at offset " + std::to_string(offset) +
                                " (header count " + std::to_string(expected_count) + ")");
    }
    const unsigned int tag = static_cast<uint8_t>(input[0]);
    input.remove_prefix(1);
    Slice key, value;
    switch (tag) {
      case kTypeValue:
        if (!GetLengthPrefixedSlice(&input, &key) || !GetLengthPrefixedSlice(&input, &value)) {
          return Status::Corruption("bad put record in write batch at offset " + std::to_string(offset));
        }
        break;
      case kTypeDeletion:
        if (!GetLengthPrefixedSlice(&input, &key)) {
          return Status::Corruption("bad delete record in write batch at offset " + std::to_string(offset));
        }
        break;
      default:
        return Status::Corruption("unknown record tag " + std::to_string(tag) + " in write batch at offset " +
                                  std::to_string(offset));
    }
    if (key.size() > kMaxKeySize) {
      return Status::Corruption("write batch record at offset " + std::to_string(offset) + " has a key of " +
                                std::to_string(key.size()) + " bytes (limit " + std::to_string(kMaxKeySize) +
                                ")");
    }
    if (value.size() > kMaxValueSize) {
      return Status::Corruption("write batch record at offset " + std::to_string(offset) +
                                " has a value of " + std::to_string(value.size()) + " bytes (limit " +
                                std::to_string(kMaxValueSize) + ")");
    }
    if (handler != nullptr) {
      if (tag == kTypeValue) {
        handler->Put(key, value);
      } else {
        handler->Delete(key);
      }
    }
    found++;
  }
  if (found != expected_count) {
    return Status::Corruption("write batch has " + std::to_string(found) + " records but its header says " +
                              std::to_string(expected_count));
  }
  return Status::OK();
}

// Checks a new record; on the first problem remembers it in status_.
// Returns whether the record may be appended.
bool CheckRecord(const std::string& rep, Status* status, const Slice& key, const Slice* value) {
  Status problem;
  if (key.size() > kMaxKeySize) {
    problem = Status::InvalidArgument(SizeLimitMessage("key", key.size(), kMaxKeySize));
  } else if (value != nullptr && value->size() > kMaxValueSize) {
    problem = Status::InvalidArgument(SizeLimitMessage("value", value->size(), kMaxValueSize));
  } else {
    const size_t new_size =
        rep.size() + RecordSize(key.size(), value == nullptr ? 0 : value->size(), value != nullptr);
    if (new_size > kMaxBatchSize) {
      problem =
          Status::InvalidArgument("write batch of " + std::to_string(new_size) + " bytes would exceed the " +
                                  std::to_string(kMaxBatchSize) + "-byte limit");
    }
  }
  if (problem.ok()) return true;
  if (status->ok()) *status = problem;
  return false;
}

class MemTableInserter : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber first, MemTable* memtable) : sequence_(first), memtable_(memtable) {}

  void Put(const Slice& key, const Slice& value) override {
    memtable_->Add(sequence_++, kTypeValue, key, value);
    user_bytes += key.size() + value.size();
  }
  void Delete(const Slice& key) override {
    memtable_->Add(sequence_++, kTypeDeletion, key, Slice());
    user_bytes += key.size();
  }

  uint64_t user_bytes = 0;  // keys and values applied

 private:
  SequenceNumber sequence_;
  MemTable* const memtable_;
};

}  // namespace

WriteBatch::WriteBatch() {
  Clear();
}

void WriteBatch::Clear() {
  rep_.assign(WriteBatchInternal::kHeader, '\0');
  status_ = Status::OK();
}

uint32_t WriteBatch::Count() const {
  return WriteBatchInternal::Count(this);
}

void WriteBatch::Put(const Slice& key, const Slice& value) {
  if (!CheckRecord(rep_, &status_, key, &value)) return;
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(kTypeValue));
  PutLengthPrefixedSlice(&rep_, key);
  PutLengthPrefixedSlice(&rep_, value);
}

void WriteBatch::Delete(const Slice& key) {
  if (!CheckRecord(rep_, &status_, key, nullptr)) return;
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(kTypeDeletion));
  PutLengthPrefixedSlice(&rep_, key);
}

Status WriteBatch::Iterate(Handler* handler) const {
  if (rep_.size() < WriteBatchInternal::kHeader) {
    return Status::Corruption("write batch of " + std::to_string(rep_.size()) +
                              " bytes is shorter than its 12-byte header");
  }
  // Validate everything first, so that the handler sees all records or none.
  const uint32_t count = WriteBatchInternal::Count(this);
  Status s = ParseRecords(rep_, count, nullptr);
  if (!s.ok()) return s;
  s = ParseRecords(rep_, count, handler);
  assert(s.ok());
  return s;
}

uint32_t WriteBatchInternal::Count(const WriteBatch* batch) {
  return DecodeFixed32(batch->rep_.data() + 8);
}

void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t n) {
  EncodeFixed32(&batch->rep_[8], n);
}

SequenceNumber WriteBatchInternal::Sequence(const WriteBatch* batch) {
  return DecodeFixed64(batch->rep_.data());
}

void WriteBatchInternal::SetSequence(WriteBatch* batch, SequenceNumber seq) {
  EncodeFixed64(&batch->rep_[0], seq);
}

Status WriteBatchInternal::SetContents(WriteBatch* batch, const Slice& contents) {
  if (contents.size() < kHeader) {
    return Status::Corruption("write batch of " + std::to_string(contents.size()) +
                              " bytes is shorter than its 12-byte header");
  }
  batch->rep_.assign(contents.data(), contents.size());
  batch->status_ = Status::OK();
  return Status::OK();
}

Status WriteBatchInternal::InsertInto(const WriteBatch* batch, MemTable* memtable, uint64_t* user_bytes) {
  MemTableInserter inserter(Sequence(batch), memtable);
  Status s = batch->Iterate(&inserter);
  if (user_bytes != nullptr) *user_bytes = inserter.user_bytes;
  return s;
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch* src) {
  assert(src->rep_.size() >= kHeader);
  SetCount(dst, Count(dst) + Count(src));
  dst->rep_.append(src->rep_.data() + kHeader, src->rep_.size() - kHeader);
  if (dst->status_.ok() && !src->status_.ok()) dst->status_ = src->status_;
}

}  // namespace strata
