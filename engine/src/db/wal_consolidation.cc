#include "db/wal_consolidation.h"

#include "db/filename.h"
#include "db/write_batch_internal.h"
#include "util/coding.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

// Any drop means the segment did not read back whole: do not consolidate it.
class FailOnDrop final : public log::Reader::Reporter {
 public:
  void Dropped(size_t /*bytes*/, const Status& reason, bool /*torn_write*/) override {
    if (status.ok()) status = reason.IsIOError() ? reason : Status::Corruption(reason.message());
  }
  Status status;
};

}  // namespace

std::string WalConsolidationMarker(uint64_t first_replaced) {
  std::string marker(WriteBatchInternal::kHeader, '\0');  // sequence 0, count 0
  PutFixed64(&marker, first_replaced);
  return marker;
}

bool IsWalConsolidationMarker(const Slice& record, uint64_t* first_replaced) {
  const size_t header = WriteBatchInternal::kHeader;
  if (record.size() != header + 8 || DecodeFixed64(record.data()) != 0 ||
      DecodeFixed32(record.data() + 8) != 0) {
    return false;
  }
  *first_replaced = DecodeFixed64(record.data() + header);
  return true;
}

bool ReadWalConsolidationMarker(Env* env, const std::string& dir, uint64_t number, uint64_t* first_replaced) {
  std::unique_ptr<SequentialFile> file;
  if (!env->NewSequentialFile(WalFileName(dir, number), &file).ok()) return false;
  log::Reader reader(file.get(), nullptr, /*verify_checksums=*/true);
  Slice record;
  std::string scratch;
  return reader.ReadRecord(&record, &scratch) && IsWalConsolidationMarker(record, first_replaced) &&
         *first_replaced < number;
}

Status WriteConsolidatedSegment(Env* env, const std::string& dir, const std::vector<uint64_t>& olds,
                                uint64_t number, uint64_t* records, uint64_t* bytes) {
  *records = 0;
  const std::string path = TempFileName(dir, number);
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(path, &file);
  if (!s.ok()) return s;
  log::Writer writer(file.get());
  // It replaces what its consolidated olds replaced too: a source of theirs
  // whose removal failed (or that a crash left) must stay covered once their
  // markers are gone. The oldest's sources are the oldest of all.
  uint64_t first_replaced = olds.front(), theirs;
  if (ReadWalConsolidationMarker(env, dir, olds.front(), &theirs)) first_replaced = theirs;
  s = writer.AddRecord(WalConsolidationMarker(first_replaced));
  for (size_t i = 0; s.ok() && i < olds.size(); i++) {
    std::unique_ptr<SequentialFile> in;
    s = env->NewSequentialFile(WalFileName(dir, olds[i]), &in);
    if (!s.ok()) break;
    FailOnDrop reporter;
    log::Reader reader(in.get(), &reporter, /*verify_checksums=*/true);
    Slice record;
    std::string scratch;
    while (s.ok() && reader.ReadRecord(&record, &scratch)) {
      // An old segment may be a consolidated one itself: its marker goes.
      uint64_t ignored;
      if (IsWalConsolidationMarker(record, &ignored)) continue;
      s = writer.AddRecord(record);
      ++*records;
    }
    if (s.ok()) s = reporter.status;
  }
  if (s.ok()) s = file->Sync();
  Status close = file->Close();
  if (s.ok()) s = close;
  // Whole or not at all under its real name.
  if (s.ok()) s = env->RenameFile(path, WalFileName(dir, number));
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) {
    env->RemoveFile(path).IgnoreError();
    return s;
  }
  *bytes = writer.BytesWritten();
  return Status::OK();
}

}  // namespace strata
