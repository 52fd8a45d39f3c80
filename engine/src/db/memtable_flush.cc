#include "db/memtable_flush.h"

#include "memtable/memtable.h"

namespace strata {

MemTableFlush::MemTableFlush(Env* env, const TableBuilderOptions& options, MemTable* mem, std::string path)
    : env_(env), path_(std::move(path)) {
  status_ = env_->NewWritableFile(path_, &file_);
  if (!status_.ok()) return;
  builder_ = std::make_unique<TableBuilder>(options, file_.get());
  iter_.reset(mem->NewIterator());
  iter_->SeekToFirst();
}

MemTableFlush::~MemTableFlush() {
  if (kept_ || !builder_) return;  // finished, or no file was made
  builder_->Abandon();
  if (file_) file_->Close().IgnoreError();
  env_->RemoveFile(path_).IgnoreError();
}

bool MemTableFlush::Step(uint64_t budget) {
  if (!status_.ok()) return true;
  uint64_t added = 0;
  for (; iter_->Valid() && (budget == 0 || added < budget); iter_->Next()) {
    builder_->Add(iter_->key(), iter_->value());
    added += iter_->key().size() + iter_->value().size();
  }
  status_ = builder_->status();
  return !status_.ok() || !iter_->Valid();
}

Status MemTableFlush::Finish(FileMetaData* meta) {
  if (!status_.ok()) return status_;
  if (builder_->NumEntries() == 0) {
    meta->number = 0;  // the destructor removes the empty file
    return Status::OK();
  }
  Status s = builder_->Finish();
  if (s.ok()) s = file_->Sync();
  Status close = file_->Close();
  file_.reset();
  if (s.ok()) s = close;
  status_ = s;
  if (!s.ok()) return s;
  kept_ = true;
  const auto& props = builder_->properties();
  meta->file_size = builder_->FileSize();
  meta->smallest.DecodeFrom(props.smallest_key());
  meta->largest.DecodeFrom(props.largest_key());
  meta->smallest_seq = props.smallest_seq();
  meta->largest_seq = props.largest_seq();
  meta->entries = props.num_entries();
  meta->tombstones = props.num_tombstones();
  meta->raw_key_bytes = props.raw_key_bytes();
  meta->raw_value_bytes = props.raw_value_bytes();
  meta->properties = std::make_shared<const pb::TableProperties>(props);
  return Status::OK();
}

}  // namespace strata
