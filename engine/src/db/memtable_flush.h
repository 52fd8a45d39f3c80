// MemTableFlush: writes a memtable as a table file, in as many steps as the
// caller likes (DBImpl without a background thread writes a flush a step
// per RunPendingWork, so the thread driving it is never held for a whole
// memtable). The memtable must not change meanwhile: it is the frozen one.
//
// Not thread-safe; the caller holds a reference to the memtable until the
// MemTableFlush is gone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/env.h"
#include "strata/iterator.h"
#include "table/table_builder.h"
#include "version/version_edit.h"

namespace strata {

class MemTable;

class MemTableFlush {
 public:
  // Creates the file at path; status() says whether that worked.
  MemTableFlush(Env* env, const TableBuilderOptions& options, MemTable* mem, std::string path);
  MemTableFlush(const MemTableFlush&) = delete;
  MemTableFlush& operator=(const MemTableFlush&) = delete;
  // Removes the file unless Finish() succeeded.
  ~MemTableFlush();

  // Adds entries until at least `budget` bytes of keys and values went in
  // (0: no limit). Returns true once every entry is in (or on an error:
  // status() then says which).
  bool Step(uint64_t budget);
  // After the last Step: completes, syncs and closes the file and fills in
  // meta's size, key range, sequences and counts (meta->number is the
  // caller's). A memtable that held nothing makes no file: meta->number
  // becomes 0. On an error the file is removed.
  Status Finish(FileMetaData* meta);

  Status status() const { return status_; }

 private:
  Env* const env_;
  const std::string path_;
  std::unique_ptr<WritableFile> file_;     // until closed
  std::unique_ptr<TableBuilder> builder_;  // once the file is made
  std::unique_ptr<Iterator> iter_;
  Status status_;
  bool kept_ = false;  // Finish made the table: the file stays
};

}  // namespace strata
