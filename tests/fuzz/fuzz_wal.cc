// libFuzzer target: the input is the bytes of a WAL segment
// (engine/src/wal/log_format.md). Reads every record with log::Reader and
// applies each as a WriteBatch to a MemTable the way DB recovery
// (DBImpl::ReplayWal, with paranoid_checks off) does, then reads the
// memtable back. Runs twice: with checksums verified, as recovery reads,
// and without, as a salvaging tool would, so that mutated payloads reach
// the fragment assembly and the batch decoder instead of stopping at the
// CRC. Checks the reporting contract of log_reader.h that needs no
// re-parsing (at most one Dropped() per ReadRecord, reasons are errors,
// dropped plus returned bytes fit in the file, false is final); a
// violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "db/dbformat.h"
#include "db/write_batch_internal.h"
#include "memtable/memtable.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/mem_env.h"
#include "strata/write_batch.h"
#include "wal/log_reader.h"

namespace strata {
namespace {

const char kDir[] = "/fuzz";
const char kPath[] = "/fuzz/000007.wal";

volatile size_t g_sink = 0;  // keeps reads of the memtable from being optimized away

void Fail(const char* what) {
  fprintf(stderr, "fuzz_wal: %s\n", what);
  abort();
}

// Counts the reports of one ReadRecord call and of the whole file.
class CheckingReporter final : public log::Reader::Reporter {
 public:
  void Dropped(size_t bytes, const Status& reason, bool torn_write) override {
    if (++calls_this_read > 1) Fail("more than one Dropped() in one ReadRecord call");
    if (reason.ok()) Fail("Dropped() with an OK reason");
    dropped_bytes += bytes;
  }
  int calls_this_read = 0;
  uint64_t dropped_bytes = 0;
};

void ReplayOnce(Env* env, uint64_t file_size, bool verify_checksums) {
  std::unique_ptr<SequentialFile> file;
  if (!env->NewSequentialFile(kPath, &file).ok()) abort();
  CheckingReporter reporter;
  log::Reader reader(file.get(), &reporter, verify_checksums);

  MemTable* mem = new MemTable();
  mem->Ref();
  WriteBatch batch;
  Slice record;
  std::string scratch;
  uint64_t record_bytes = 0;
  while (true) {
    reporter.calls_this_read = 0;
    if (!reader.ReadRecord(&record, &scratch)) break;
    record_bytes += record.size();
    // As ReplayWal: a batch that does not decode is skipped whole.
    if (WriteBatchInternal::SetContents(&batch, record).ok()) {
      WriteBatchInternal::InsertInto(&batch, mem).IgnoreError();
    }
  }
  reporter.calls_this_read = 0;
  if (reader.ReadRecord(&record, &scratch)) Fail("ReadRecord returned a record after returning false");
  if (reporter.calls_this_read != 0) Fail("Dropped() after ReadRecord returned false");
  if (record_bytes + reporter.dropped_bytes > file_size) Fail("returned plus dropped bytes exceed the file");

  std::unique_ptr<Iterator> it(mem->NewIterator());
  for (it->SeekToFirst(); it->Valid(); it->Next()) g_sink += it->key().size() + it->value().size();
  it.reset();
  mem->Unref();
}

void FuzzWal(const Slice& input) {
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  if (!env->CreateDir(kDir).ok() || !WriteStringToFile(env.get(), input, kPath, false).ok()) abort();
  ReplayOnce(env.get(), input.size(), /*verify_checksums=*/true);
  ReplayOnce(env.get(), input.size(), /*verify_checksums=*/false);
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::FuzzWal(strata::Slice(reinterpret_cast<const char*>(data), size));
  return 0;
}
