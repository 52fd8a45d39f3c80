// Helpers for the table tests: in-memory files, internal keys, and building
// and opening tables held in strings.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "strata/env.h"
#include "table/block.h"
#include "table/format.h"
#include "table/table.h"
#include "table/table_builder.h"

namespace strata::test {

// A WritableFile that appends to a string; can be told to fail.
class StringSink : public WritableFile {
 public:
  Status Append(const Slice& data) override {
    if (fail_appends) return Status::IOError("injected append failure");
    contents.append(data.data(), data.size());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }

  std::string contents;
  bool fail_appends = false;
};

// A RandomAccessFile over a string; counts reads.
class StringSource : public RandomAccessFile {
 public:
  explicit StringSource(std::string contents) : contents_(std::move(contents)) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    reads_.fetch_add(1);
    if (offset > contents_.size()) {
      *result = Slice();
      return Status::OK();
    }
    n = std::min<size_t>(n, contents_.size() - offset);
    if (n > 0) memcpy(scratch, contents_.data() + offset, n);
    *result = Slice(scratch, n);
    return Status::OK();
  }
  uint64_t reads() const { return reads_.load(); }

 private:
  const std::string contents_;
  mutable std::atomic<uint64_t> reads_{0};
};

// A copy of bytes in memory of its own, as a Block takes them.
inline BlockContents OwnedCopy(const Slice& bytes) {
  BlockContents c;
  c.owned.reset(new char[bytes.size()]);
  if (!bytes.empty()) std::memcpy(c.owned.get(), bytes.data(), bytes.size());
  c.data = Slice(c.owned.get(), bytes.size());
  return c;
}

inline std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType type = kTypeValue) {
  std::string result;
  AppendInternalKey(&result, user_key, seq, type);
  return result;
}

// "key000123"-style user keys sort in numeric order.
inline std::string NumberedKey(int i) {
  char buf[32];
  snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}

using Entries = std::vector<std::pair<std::string, std::string>>;  // internal key, value

// Builds a table of entries (sorted internal keys); returns the file bytes.
inline std::string BuildTable(const TableBuilderOptions& options, const Entries& entries,
                              pb::TableProperties* props = nullptr) {
  StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  Status s = builder.Finish();
  if (!s.ok()) return "";
  if (props != nullptr) *props = builder.properties();
  return sink.contents;
}

// A file mapped into memory, as PosixMmapFile: reads answer with pointers
// into its bytes, which stay in memory while it is open.
class MappedSource : public RandomAccessFile {
 public:
  explicit MappedSource(std::string contents) : contents_(std::move(contents)) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char*) const override {
    offset = std::min<uint64_t>(offset, contents_.size());
    *result = Slice(contents_.data() + offset, std::min<size_t>(n, contents_.size() - offset));
    return Status::OK();
  }
  bool ContentsInProcessMemory() const override { return true; }
  // Whether p points into the file's bytes.
  bool Holds(const char* p) const { return p >= contents_.data() && p < contents_.data() + contents_.size(); }

 private:
  const std::string contents_;
};

inline Status OpenTable(const std::string& contents, std::unique_ptr<Table>* table,
                        const TableReadOptions& options = TableReadOptions()) {
  return Table::Open(options, std::make_unique<StringSource>(contents), contents.size(), table);
}

// Everything a table iterator yields front to back; the status at the end.
inline Status ReadAll(Table* table, Entries* out, const ReadOptions& options = ReadOptions()) {
  out->clear();
  std::unique_ptr<Iterator> it(table->NewIterator(options));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out->emplace_back(it->key().ToString(), it->value().ToString());
  }
  return it->status();
}

// The handles of a well-formed table file's data blocks, from its index.
inline std::vector<BlockHandle> DataBlockHandles(const std::string& file) {
  std::vector<BlockHandle> handles;
  Footer footer;
  if (file.size() < Footer::kEncodedLength ||
      !footer.DecodeFrom(Slice(file.data() + file.size() - Footer::kEncodedLength, Footer::kEncodedLength))
           .ok()) {
    return handles;
  }
  BlockContents contents;
  std::shared_ptr<Block> index;
  StringSource source(file);
  if (!ReadBlock(source, file.size(), footer.index_handle, &contents).ok() ||
      !Block::Parse(std::move(contents), "index", &index).ok()) {
    return handles;
  }
  std::unique_ptr<Iterator> it(index->NewIterator(KeyOrder::kInternalKey));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Slice v = it->value();
    BlockHandle h;
    if (h.DecodeFrom(&v).ok()) handles.push_back(h);
  }
  return handles;
}

}  // namespace strata::test
