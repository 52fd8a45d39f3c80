// libFuzzer target: the input is the bytes of an SSTable file. Opens it with
// Table::Open from a MemEnv file (with a small block cache, so cached and
// uncached reads both run), walks every entry forward and backward, seeks,
// and does point lookups for keys taken from the input and from the entries
// found. Any non-OK Status is fine; a crash, a sanitizer report, a hang or an
// unbounded allocation is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cache/lru_cache.h"
#include "db/dbformat.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/mem_env.h"
#include "strata/options.h"
#include "table/table.h"

namespace strata {
namespace {

const char kDir[] = "/fuzz";
const char kPath[] = "/fuzz/000007.sst";

// Bytes of every key and value read land here, so no read is optimized away.
volatile size_t g_sink = 0;

// Bounds each walk: a crafted index may name one big block many times, so
// a walk can be quadratic in the input size without being a bug.
constexpr int kMaxSteps = 100000;

// Internal keys to seek to and look up: a few slices of the input (as user
// keys at the newest sequence), and keys seen while walking the table.
std::vector<std::string> SeekTargets(const Slice& input, const std::vector<std::string>& seen) {
  std::vector<std::string> targets;
  for (size_t i = 0; i < 4 && !input.empty(); i++) {
    const size_t start = input.size() * i / 4;
    const size_t len = std::min<size_t>(1 + (input[start] & 15), input.size() - start);
    targets.push_back(InternalKey(Slice(input.data() + start, len), kMaxSequenceNumber, kValueTypeForSeek)
                          .Encode()
                          .ToString());
  }
  for (const std::string& key : seen) {
    targets.push_back(key);
    if (key.size() >= kInternalKeyTrailer) {
      // The same user key at the newest sequence, and just before it.
      targets.push_back(
          InternalKey(ExtractUserKey(key), kMaxSequenceNumber, kValueTypeForSeek).Encode().ToString());
      targets.push_back(InternalKey(ExtractUserKey(key), 0, kTypeDeletion).Encode().ToString());
    }
  }
  targets.push_back(InternalKey(Slice(), kMaxSequenceNumber, kValueTypeForSeek).Encode().ToString());
  return targets;
}

// Walks the whole table forward then backward, touching every key and
// value; keeps the first, a middle and the last key seen.
void Walk(Iterator* it, std::vector<std::string>* seen) {
  int steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < kMaxSteps; it->Next(), steps++) {
    g_sink += it->key().size() + it->value().size();
    if (steps == 0 || steps == 7) seen->push_back(it->key().ToString());
  }
  it->status().IgnoreError();
  steps = 0;
  for (it->SeekToLast(); it->Valid() && steps < kMaxSteps; it->Prev(), steps++) {
    g_sink += it->key().size() + it->value().size();
    if (steps == 0) seen->push_back(it->key().ToString());
  }
  it->status().IgnoreError();
}

// Seeks to target and steps around it.
void SeekAround(Iterator* it, const Slice& target) {
  it->Seek(target);
  if (it->Valid()) {
    g_sink += it->key().size() + it->value().size();
    it->Next();
    if (it->Valid()) it->Prev();
    if (it->Valid()) it->Prev();
  }
  it->status().IgnoreError();
}

void FuzzTable(const Slice& input) {
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  if (!env->CreateDir(kDir).ok() || !WriteStringToFile(env.get(), input, kPath, false).ok()) abort();
  std::unique_ptr<RandomAccessFile> file;
  if (!env->NewRandomAccessFile(kPath, &file).ok()) abort();

  LRUCache cache(64 * 1024, /*shard_bits=*/0);
  TableReadOptions table_options;
  table_options.block_cache = &cache;
  std::unique_ptr<Table> table;
  if (!Table::Open(table_options, std::move(file), input.size(), &table).ok()) return;

  std::vector<std::string> seen;
  ReadOptions verify;
  verify.verify_checksums = true;
  verify.fill_cache = false;
  {
    std::unique_ptr<Iterator> it(table->NewIterator(verify));
    Walk(it.get(), &seen);
  }
  // Again through the cache: the first walk filled nothing, this one fills
  // and then hits it.
  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  std::vector<std::string> ignored;
  Walk(it.get(), &ignored);

  for (const std::string& target : SeekTargets(input, seen)) {
    SeekAround(it.get(), target);
    g_sink += table->ApproximateOffsetOf(target);
    table
        ->InternalGet(ReadOptions(), target,
                      [](const Slice& ikey, const Slice& value) { g_sink += ikey.size() + value.size(); })
        .IgnoreError();
  }
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::FuzzTable(strata::Slice(reinterpret_cast<const char*>(data), size));
  return 0;
}
