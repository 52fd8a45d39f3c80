#include "memtable/memtable.h"

#include <cassert>

#include "strata/options.h"
#include "util/coding.h"

namespace strata {

namespace {

// Decodes the length-prefixed slice at p. Only for entries this memtable
// encoded itself, which are well formed by construction.
Slice GetLengthPrefixed(const char* p) {
  uint32_t len = 0;
  p = GetVarint32Ptr(p, p + 5, &len);  // a varint32 is at most 5 bytes
  assert(p != nullptr);
  return Slice(p, len);
}

}  // namespace

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  return CompareInternalKeys(GetLengthPrefixed(a), GetLengthPrefixed(b));
}

MemTable::MemTable() : table_(KeyComparator(), &arena_) {}

MemTable::~MemTable() {
  assert(refs_.load() == 0);
}

void MemTable::Unref() {
  const int previous = refs_.fetch_sub(1, std::memory_order_acq_rel);
  assert(previous >= 1);
  if (previous == 1) delete this;
}

// Iterates the skip list. Seek targets are internal keys, re-encoded with a
// length prefix to compare against entries.
class MemTableIterator : public Iterator {
 public:
  explicit MemTableIterator(MemTable::Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void Seek(const Slice& target) override {
    scratch_.clear();
    PutVarint32(&scratch_, static_cast<uint32_t>(target.size()));
    scratch_.append(target.data(), target.size());
    iter_.Seek(scratch_.data());
  }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  Slice key() const override { return GetLengthPrefixed(iter_.key()); }
  Slice value() const override {
    const Slice k = GetLengthPrefixed(iter_.key());
    return GetLengthPrefixed(k.data() + k.size());
  }
  bool NextEntry(Slice* key, Slice* value) override {
    iter_.Next();
    if (!iter_.Valid()) return false;
    *key = GetLengthPrefixed(iter_.key());
    *value = GetLengthPrefixed(key->data() + key->size());
    return true;
  }
  Status status() const override { return Status::OK(); }

 private:
  MemTable::Table::Iterator iter_;
  std::string scratch_;  // the encoded Seek target
};

Iterator* MemTable::NewIterator() {
  return new MemTableIterator(&table_);
}

void MemTable::Add(SequenceNumber seq, ValueType type, const Slice& user_key, const Slice& value) {
  assert(seq <= kMaxSequenceNumber);
  assert(user_key.size() <= kMaxKeySize && value.size() <= kMaxValueSize);
  const Slice stored_value = type == kTypeValue ? value : Slice();
  const size_t key_size = user_key.size() + kInternalKeyTrailer;
  const size_t value_size = stored_value.size();
  const size_t encoded_len = VarintLength(key_size) + key_size + VarintLength(value_size) + value_size;

  char* const buf = arena_.Allocate(encoded_len);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(key_size));
  memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += kInternalKeyTrailer;
  p = EncodeVarint32(p, static_cast<uint32_t>(value_size));
  if (value_size > 0) memcpy(p, stored_value.data(), value_size);
  assert(p + value_size == buf + encoded_len);

  table_.Insert(buf);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
}

bool MemTable::Get(const LookupKey& key, std::string* value, Status* s) {
  Table::Iterator iter(&table_);
  iter.Seek(key.memtable_key().data());
  if (!iter.Valid()) return false;

  // The first entry >= (user key, sequence): the newest version of this
  // user key at or below the sequence, if it is this user key at all.
  const Slice internal_key = GetLengthPrefixed(iter.key());
  if (ExtractUserKey(internal_key) != key.user_key()) return false;
  switch (static_cast<ValueType>(ExtractTag(internal_key) & 0xff)) {
    case kTypeValue: {
      const Slice v = GetLengthPrefixed(internal_key.data() + internal_key.size());
      value->assign(v.data(), v.size());
      *s = Status::OK();
      return true;
    }
    case kTypeDeletion: *s = Status::NotFound(Slice()); return true;
  }
  assert(false);  // Add stores only the types above
  return false;
}

}  // namespace strata
