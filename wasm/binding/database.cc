#include "database.h"

#include <cstring>
#include <limits>

#include "memfs_files.h"
#include "package_limits.h"
#include "stats_json.h"
#include "strata/env.h"
#include "strata/write_batch.h"
#include "utf8.h"

namespace strata {
namespace {

constexpr int kOk = static_cast<int>(Status::Code::kOk);
// The largest argument a call can need: a maximal batch plus framing.
constexpr uint64_t kMaxScratch = kMaxBatchSize + 64;
// Bounds on what a caller can hold open at once, so that a leaking caller
// gets an error instead of growing memory without limit.
constexpr size_t kMaxOpenCursors = 10000;
constexpr size_t kMaxOpenSnapshots = 10000;
// Each commit to IndexedDB closes a WAL segment. When a memtable's segments
// reach this many, they are rewritten as one in the next commit (no flush):
// the files a database holds, and that open loads and recovery replays, stay
// bounded when every write is awaited as durable.
constexpr int kWalConsolidationTrigger = 32;
// Compaction outputs of at most this size: each is stored with one
// IndexedDB put, whose structured clone holds the thread (~7 ms per MiB in
// Chromium here), so smaller tables keep every pause short.
constexpr size_t kTargetFileSize = 512 << 10;
// A memtable being flushed is written this many bytes of keys and values a
// step (RunPendingWork), so a flush holds the page's thread a few
// milliseconds at a time (a 4 MiB memtable in one call: 52 - 70 ms here).
constexpr uint64_t kFlushStepBytes = 256 << 10;

// Whether path is dir/NNNNNN.sst (digits, then ".sst": a table's name).
bool IsTableFileOf(const std::string& dir, const std::string& path) {
  const std::string prefix = dir + "/", suffix = ".sst";
  if (path.size() <= prefix.size() + suffix.size() || path.compare(0, prefix.size(), prefix) != 0 ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return false;
  }
  for (size_t i = prefix.size(); i < path.size() - suffix.size(); i++) {
    if (path[i] < '0' || path[i] > '9') return false;
  }
  return true;
}

uint32_t LoadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // wasm is little-endian, like the format
  return v;
}

}  // namespace

struct WasmDatabase::Cursor {
  std::unique_ptr<Iterator> it;
  bool has_lower = false, lower_inclusive = false;
  bool has_upper = false, upper_inclusive = false;
  bool reverse = false;
  std::string lower, upper;

  bool BeyondEnd() const { return BeyondEnd(it->key()); }

  // Whether key, the entry the cursor is on, lies past the range.
  bool BeyondEnd(const Slice& key) const {
    if (reverse) {
      if (!has_lower) return false;
      const int c = key.compare(lower);
      return c < 0 || (c == 0 && !lower_inclusive);
    }
    if (!has_upper) return false;
    const int c = key.compare(upper);
    return c > 0 || (c == 0 && !upper_inclusive);
  }

  void SeekTo(const Slice& target) {
    if (!reverse) {
      const int c = has_lower ? target.compare(lower) : 1;
      if (c < 0 || (c == 0 && !lower_inclusive)) return Position();
      return it->Seek(target);
    }
    const int c = has_upper ? target.compare(upper) : -1;
    if (c > 0 || (c == 0 && !upper_inclusive)) return Position();
    it->Seek(target);
    if (!it->Valid()) {
      if (it->status().ok()) it->SeekToLast();
    } else if (it->key().compare(target) > 0) {
      it->Prev();
    }
  }

  void Position() {
    if (!reverse) {
      if (!has_lower) return it->SeekToFirst();
      it->Seek(lower);
      if (!lower_inclusive && it->Valid() && it->key() == Slice(lower)) it->Next();
      return;
    }
    if (!has_upper) return it->SeekToLast();
    it->Seek(upper);
    if (!it->Valid()) {
      if (it->status().ok()) it->SeekToLast();
      return;
    }
    const int c = it->key().compare(upper);
    if (c > 0 || (c == 0 && !upper_inclusive)) it->Prev();
  }
};

WasmDatabase::WasmDatabase() = default;

WasmDatabase::~WasmDatabase() {
  if (db_) (void)Close();
}

int WasmDatabase::Fail(const Status& s) {
  if (s.ok()) return kOk;
  last_error_ = s.ToString();
  last_code_ = static_cast<int>(s.code());
  return last_code_;
}

int WasmDatabase::CheckOpen() {
  return db_ ? kOk : Fail(Status::InvalidArgument("database is closed"));
}

bool WasmDatabase::ScratchHolds(uint64_t size) {
  return size <= scratch_.size();
}

void WasmDatabase::SetResult(const char* data, size_t size) {
  descriptor_[0] = reinterpret_cast<uintptr_t>(data);
  descriptor_[1] = size;
}

void WasmDatabase::SetTextResult(const std::string& text) {
  descriptor_[2] = reinterpret_cast<uintptr_t>(text.data());
  descriptor_[3] = text.size();
}

int WasmDatabase::Open(const std::string& dir, const OpenConfig& config) {
  if (db_) return Fail(Status::InvalidArgument("database is already open"));
  if (dir.empty() || dir[0] != '/')
    return Fail(Status::InvalidArgument("directory must be an absolute path"));
  auto in_range = [](double v, const OptionRange& r) { return v >= r.min && v <= r.max; };
  auto range_text = [](const OptionRange& r, const char* unit) {
    return std::to_string(static_cast<int64_t>(r.min)) + " .. " +
           std::to_string(static_cast<int64_t>(r.max)) + unit;
  };
  if (!in_range(config.write_buffer_bytes, kMemtableBytes)) {
    return Fail(Status::InvalidArgument("memtable size must be " + range_text(kMemtableBytes, " bytes")));
  }
  if (!in_range(config.block_cache_bytes, kBlockCacheBytes)) {
    return Fail(
        Status::InvalidArgument("block cache size must be " + range_text(kBlockCacheBytes, " bytes")));
  }
  if (!in_range(config.bloom_bits_per_key, kBloomBitsPerKey)) {
    return Fail(Status::InvalidArgument("bloom bits per key must be " + range_text(kBloomBitsPerKey, "")));
  }
  if (!in_range(config.zlib_level, kZlibLevel)) {
    return Fail(Status::InvalidArgument("zlib level must be " + range_text(kZlibLevel, "")));
  }
  // Kept across close and reopen: changes not yet taken stay recorded.
  if (!env_) env_ = std::make_unique<CommitEnv>(Env::Default(), MakeNewMemfsFile);
  // An open follows a load from storage, which may have replaced any file
  // (a read-only open retried, say): none counts as made here any more.
  env_->ForgetMadeFiles();
  Options options;
  options.env = env_.get();
  options.background_thread = false;  // no threads in the browser build
  options.paranoid_checks = config.paranoid_checks;
  options.create_if_missing = config.create_if_missing;
  options.error_if_exists = config.error_if_exists;
  options.write_buffer_size = static_cast<size_t>(config.write_buffer_bytes);
  options.wal_consolidation_trigger = kWalConsolidationTrigger;
  options.target_file_size = kTargetFileSize;
  options.flush_step_bytes = kFlushStepBytes;
  options.block_cache_capacity = static_cast<size_t>(config.block_cache_bytes);
  options.bloom_bits_per_key = config.bloom_bits_per_key;
  options.zlib_level = config.zlib_level;
  if (!config.compression) options.compression_per_level = {Compression::kNone};
  // Kept after close: the events of the last steps stay to be taken.
  events_ = std::make_shared<EventQueue>(config.compaction_runner);
  options.listeners.push_back(events_);
  compactions_.reset();
  if (config.deferred_compaction) {
    compactions_ = std::make_shared<DeferredCompactionExecutor>();
    options.compaction_executor = compactions_;
  }
  Status s = DB::Open(options, dir, &db_);
  if (!s.ok()) {
    db_.reset();
    return Fail(s);
  }
  dir_ = dir;
  return kOk;
}

int WasmDatabase::Close() {
  if (int code = CheckOpen()) return code;
  cursors_.clear();  // iterators go before the DB
  for (const auto& [id, snapshot] : snapshots_) db_->ReleaseSnapshot(snapshot);
  snapshots_.clear();
  Status s = db_->Close();
  db_.reset();
  return s.ok() ? kOk : Fail(s);
}

uint32_t WasmDatabase::NewId() {
  // Ids are never 0 (the error answer) nor one still in use, even after
  // 2^32 of them wrapped around.
  uint32_t id;
  do {
    id = next_id_++;
  } while (id == 0 || snapshots_.count(id) > 0 || cursors_.count(id) > 0);
  return id;
}

uintptr_t WasmDatabase::Scratch(uint32_t size) {
  if (size > kMaxScratch) {
    Fail(Status::InvalidArgument("argument of " + std::to_string(size) + " bytes exceeds the " +
                                 std::to_string(kMaxScratch) + "-byte limit"));
    return 0;
  }
  if (scratch_.size() < size) {
    std::string bigger;
    bigger.resize(std::min<size_t>(std::max<size_t>(size, 2 * scratch_.size()), kMaxScratch));
    scratch_.swap(bigger);
  }
  return reinterpret_cast<uintptr_t>(scratch_.data());
}

int WasmDatabase::Put(uint32_t key_size, uint32_t value_size) {
  if (int code = CheckOpen()) return code;
  if (!ScratchHolds(uint64_t{key_size} + value_size))
    return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  return Fail(db_->Put(WriteOptions(), Slice(scratch_.data(), key_size),
                       Slice(scratch_.data() + key_size, value_size)));
}

int WasmDatabase::Delete(uint32_t key_size) {
  if (int code = CheckOpen()) return code;
  if (!ScratchHolds(key_size)) return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  return Fail(db_->Delete(WriteOptions(), Slice(scratch_.data(), key_size)));
}

int WasmDatabase::Write(uint32_t size) {
  if (int code = CheckOpen()) return code;
  if (!ScratchHolds(size)) return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  WriteBatch batch;
  const char* p = scratch_.data();
  const char* const end = p + size;
  auto take_sized = [&](Slice* out) {
    if (end - p < 4) return false;
    const uint32_t n = LoadU32(p);
    p += 4;
    if (static_cast<uint64_t>(end - p) < n) return false;
    *out = Slice(p, n);
    p += n;
    return true;
  };
  while (p < end) {
    const char op = *p++;
    Slice key, value;
    if ((op != 0 && op != 1) || !take_sized(&key) || (op == 1 && !take_sized(&value))) {
      return Fail(Status::InvalidArgument("malformed batch encoding"));
    }
    if (op == 1) {
      batch.Put(key, value);
    } else {
      batch.Delete(key);
    }
  }
  if (!batch.status().ok()) return Fail(batch.status());
  return Fail(db_->Write(WriteOptions(), batch));
}

const Snapshot* WasmDatabase::FindSnapshot(uint32_t id, int* code) {
  *code = kOk;
  if (id == 0) return nullptr;
  auto it = snapshots_.find(id);
  if (it == snapshots_.end()) {
    *code = Fail(Status::InvalidArgument("unknown or released snapshot"));
    return nullptr;
  }
  return it->second;
}

int WasmDatabase::Get(uint32_t key_size, uint32_t snapshot_id) {
  if (int code = CheckOpen()) return code;
  if (!ScratchHolds(key_size)) return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  ReadOptions options;
  int code;
  options.snapshot = FindSnapshot(snapshot_id, &code);
  if (code != kOk) return code;
  Status s = db_->Get(options, Slice(scratch_.data(), key_size), &result_);
  if (!s.ok()) return Fail(s);
  SetResult(result_.data(), result_.size());
  return kOk;
}

int WasmDatabase::GetMany(uint32_t size, uint32_t snapshot_id, bool with_values, uint32_t utf8_wanted) {
  if (int code = CheckOpen()) return code;
  if (!ScratchHolds(size)) return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  int code;
  const Snapshot* given = FindSnapshot(snapshot_id, &code);
  if (code != kOk) return code;
  // One point in time for every key.
  ReadOptions options;
  options.snapshot = given ? given : db_->GetSnapshot();
  // The format is in database.h: sizes go to chunk_, values to
  // chunk_values_, appended after them at the end.
  StartChunk();
  uint32_t count = 0, flags = with_values ? utf8_wanted & kChunkValuesUtf8 : 0;
  std::string value;
  Status s;
  for (size_t at = 0; at < size;) {
    if (size - at < 4) {
      s = Status::InvalidArgument("key list is truncated");
      break;
    }
    const uint32_t key_size = LoadU32(scratch_.data() + at);
    at += 4;
    if (key_size > size - at) {
      s = Status::InvalidArgument("key list is truncated");
      break;
    }
    s = db_->Get(options, Slice(scratch_.data() + at, key_size), &value);
    at += key_size;
    uint32_t value_size = 0, value_units = 0;
    if (s.IsNotFound()) {
      value_size = 0xffffffffu;
    } else if (!s.ok()) {
      break;
    } else if (with_values) {
      value_size = static_cast<uint32_t>(value.size());
      if ((flags & kChunkValuesUtf8) && !Utf16Length(value.data(), value.size(), &value_units))
        flags &= ~kChunkValuesUtf8;
      chunk_values_.Append(value.data(), value.size());
    }
    chunk_.AppendU32(value_size);
    chunk_.AppendU32(value_units);
    s = Status::OK();
    count++;
  }
  if (!given) db_->ReleaseSnapshot(options.snapshot);
  if (!s.ok()) return Fail(s);
  return FinishChunk(count, flags);
}

uint32_t WasmDatabase::NewSnapshot() {
  if (CheckOpen() != kOk) return 0;
  if (snapshots_.size() >= kMaxOpenSnapshots) {
    Fail(Status::Busy("too many open snapshots (" + std::to_string(kMaxOpenSnapshots) + "): release some"));
    return 0;
  }
  const uint32_t id = NewId();
  snapshots_[id] = db_->GetSnapshot();
  return id;
}

int WasmDatabase::ReleaseSnapshot(uint32_t id) {
  if (int code = CheckOpen()) return code;
  auto it = snapshots_.find(id);
  if (it == snapshots_.end()) return Fail(Status::InvalidArgument("unknown or released snapshot"));
  db_->ReleaseSnapshot(it->second);
  snapshots_.erase(it);
  return kOk;
}

uint32_t WasmDatabase::NewCursor(bool has_lower, uint32_t lower_size, bool lower_inclusive, bool has_upper,
                                 uint32_t upper_size, bool upper_inclusive, bool reverse,
                                 uint32_t snapshot_id) {
  if (CheckOpen() != kOk) return 0;
  if (!has_lower) lower_size = 0;
  if (!has_upper) upper_size = 0;
  if (!ScratchHolds(uint64_t{lower_size} + upper_size)) {
    Fail(Status::InvalidArgument("arguments exceed the scratch"));
    return 0;
  }
  if (cursors_.size() >= kMaxOpenCursors) {
    Fail(Status::Busy("too many open cursors (" + std::to_string(kMaxOpenCursors) + "): close some"));
    return 0;
  }
  ReadOptions options;
  int code;
  options.snapshot = FindSnapshot(snapshot_id, &code);
  if (code != kOk) return 0;
  auto cursor = std::make_unique<Cursor>();
  cursor->has_lower = has_lower;
  cursor->lower_inclusive = lower_inclusive;
  cursor->lower.assign(scratch_.data(), lower_size);
  cursor->has_upper = has_upper;
  cursor->upper_inclusive = upper_inclusive;
  cursor->upper.assign(scratch_.data() + lower_size, upper_size);
  cursor->reverse = reverse;
  cursor->it = db_->NewIterator(options);
  cursor->Position();
  const uint32_t id = NewId();
  cursors_[id] = std::move(cursor);
  return id;
}

int WasmDatabase::CursorNext(uint32_t id, uint32_t max_entries, uint32_t max_bytes, uint32_t utf8_wanted) {
  if (int code = CheckOpen()) return code;
  auto found = cursors_.find(id);
  if (found == cursors_.end()) return Fail(Status::InvalidArgument("unknown or closed cursor"));
  if (max_entries == 0) return Fail(Status::InvalidArgument("max_entries must be > 0"));
  Cursor& c = *found->second;
  // The chunk's format is in database.h; sizes go to chunk_, keys and
  // values to chunk_keys_ and chunk_values_, appended after them at the end.
  StartChunk();
  uint32_t count = 0, flags = utf8_wanted & (kChunkKeysUtf8 | kChunkValuesUtf8);
  Slice key, value;
  const auto read_entry = [&c, &key, &value] {
    if (!c.it->Valid()) return false;
    key = c.it->key(), value = c.it->value();
    return true;
  };
  bool valid = read_entry();
  while (count < max_entries && valid && !c.BeyondEnd(key) &&
         (count == 0 || chunk_.size() + chunk_keys_.size() + chunk_values_.size() < max_bytes)) {
    uint32_t key_units = 0, value_units = 0;
    if ((flags & kChunkKeysUtf8) && !Utf16Length(key.data(), key.size(), &key_units))
      flags &= ~kChunkKeysUtf8;
    if ((flags & kChunkValuesUtf8) && !Utf16Length(value.data(), value.size(), &value_units)) {
      flags &= ~kChunkValuesUtf8;
    }
    const uint32_t sizes[4] = {static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size()),
                               key_units, value_units};
    chunk_.Append(sizes, sizeof(sizes));  // little-endian, like wasm
    chunk_keys_.Append(key.data(), key.size());
    chunk_values_.Append(value.data(), value.size());
    count++;
    if (c.reverse) {
      c.it->Prev();
      valid = read_entry();
    } else {
      valid = c.it->NextEntry(&key, &value);
    }
  }
  if (!c.it->Valid() && !c.it->status().ok()) return Fail(c.it->status());
  if (!c.it->Valid() || c.BeyondEnd()) flags |= kChunkAtEnd;
  chunk_.Append(chunk_keys_.data(), chunk_keys_.size());
  return FinishChunk(count, flags);
}

// The buffers of a chunk (GetMany's, CursorNext's) are kept for their
// capacity from call to call, unless a call of huge entries grew one past
// this. chunk_ holds the last result until the next chunk starts.
constexpr size_t kChunkKeptCapacity = 1 << 20;

void WasmDatabase::StartChunk() {
  chunk_.Trim(kChunkKeptCapacity);
  chunk_.Clear();
  chunk_keys_.Clear();
  chunk_values_.Clear();
  chunk_.AppendU32(0);  // count and flags, set by FinishChunk
  chunk_.AppendU32(0);
}

// Ends a chunk: its values after the sizes (and keys), the count and flags
// in its header; the chunk is the call's result.
int WasmDatabase::FinishChunk(uint32_t count, uint32_t flags) {
  chunk_.Append(chunk_values_.data(), chunk_values_.size());
  chunk_.SetU32(0, count);
  chunk_.SetU32(4, flags);
  SetResult(chunk_.data(), chunk_.size());
  chunk_keys_.Trim(kChunkKeptCapacity);
  chunk_values_.Trim(kChunkKeptCapacity);
  return kOk;
}

int WasmDatabase::CursorSeek(uint32_t id, uint32_t target_size) {
  if (int code = CheckOpen()) return code;
  auto found = cursors_.find(id);
  if (found == cursors_.end()) return Fail(Status::InvalidArgument("unknown or closed cursor"));
  if (!ScratchHolds(target_size)) return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  found->second->SeekTo(Slice(scratch_.data(), target_size));
  return found->second->it->status().ok() ? kOk : Fail(found->second->it->status());
}

int WasmDatabase::CloseCursor(uint32_t id) {
  if (int code = CheckOpen()) return code;
  if (cursors_.erase(id) == 0) return Fail(Status::InvalidArgument("unknown or closed cursor"));
  return kOk;
}

int WasmDatabase::Sync() {
  if (int code = CheckOpen()) return code;
  return Fail(db_->Sync());
}

int WasmDatabase::Flush() {
  if (int code = CheckOpen()) return code;
  return Fail(db_->Flush());
}

int WasmDatabase::FreezeMemtable() {
  if (int code = CheckOpen()) return code;
  FlushOptions options;
  options.wait = false;
  return Fail(db_->Flush(options));
}

bool WasmDatabase::FlushUnderWay() {
  return db_ && db_->GetStats().immutable_memtable;
}

double WasmDatabase::FlushesDone() {
  return db_ ? static_cast<double>(db_->GetStats().flushes) : 0;
}

int WasmDatabase::Compact(bool has_begin, uint32_t begin_size, bool has_end, uint32_t end_size,
                          uint32_t max_jobs, bool resume) {
  compact_finished_ = false;
  if (int code = CheckOpen()) return code;
  if (max_jobs > static_cast<uint32_t>(std::numeric_limits<int>::max()))
    return Fail(Status::InvalidArgument("max_jobs is too large"));
  if (!has_begin) begin_size = 0;
  if (!has_end) end_size = 0;
  if (!ScratchHolds(uint64_t{begin_size} + end_size))
    return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  const Slice begin(scratch_.data(), begin_size), end(scratch_.data() + begin_size, end_size);
  // Its jobs go to the compaction runner like any other, level after level:
  // Busy while one is out; called again with the same range, it goes on.
  CompactRangeOptions options;
  options.max_jobs = static_cast<int>(max_jobs);
  options.resume = resume;
  return Fail(
      db_->CompactRange(options, has_begin ? &begin : nullptr, has_end ? &end : nullptr, &compact_finished_));
}

bool WasmDatabase::HasPendingWork() {
  return db_ && db_->HasPendingWork();
}

int WasmDatabase::RunPendingWork() {
  if (int code = CheckOpen()) return code;
  return Fail(db_->RunPendingWork());
}

int WasmDatabase::TakeChanges() {
  text_.clear();
  if (env_) {
    for (const auto& path : env_->TakeChanges()) {
      text_ += path;
      text_ += '\n';
    }
  }
  SetTextResult(text_);
  return kOk;
}

int WasmDatabase::TakeEvents() {
  text_ = events_ ? events_->Take() : std::string();
  SetTextResult(text_);
  return kOk;
}

int WasmDatabase::TakeCompactionJob() {
  if (int code = CheckOpen()) return code;
  if (!compactions_ || !compactions_->HasJob()) return static_cast<int>(Status::Code::kNotFound);
  std::vector<std::string> inputs, outputs;
  result_ = compactions_->TakeJob(&inputs, &outputs);
  compaction_inputs_.clear();
  for (const auto& path : inputs) compaction_inputs_ += path + '\n';
  compaction_outputs_.clear();
  for (const auto& path : outputs) compaction_outputs_ += path + '\n';
  SetResult(result_.data(), result_.size());
  return kOk;
}

int WasmDatabase::AddCompactionOutput(const std::string& path,
                                      const std::function<Status(const std::string& path)>& make) {
  if (int code = CheckOpen()) return code;
  if (!IsTableFileOf(dir_, path))
    return Fail(Status::InvalidArgument(path + ": not a table file of this database"));
  return Fail(env_->AddFile(path, make));
}

int WasmDatabase::CompleteCompaction(uint32_t size) {
  if (int code = CheckOpen()) return code;
  if (!ScratchHolds(size)) return Fail(Status::InvalidArgument("arguments exceed the scratch"));
  if (!compactions_) return Fail(Status::InvalidArgument("compaction is not deferred"));
  return Fail(compactions_->Complete(Slice(scratch_.data(), size)));
}

int WasmDatabase::RunCompactionInline() {
  if (int code = CheckOpen()) return code;
  if (!compactions_) return Fail(Status::InvalidArgument("compaction is not deferred"));
  return Fail(compactions_->RunInline());
}

std::string WasmDatabase::StatsJson() {
  if (CheckOpen() != kOk) return std::string();
  return StatsToJson(db_->GetStats());
}

std::string WasmDatabase::Metrics() {
  if (CheckOpen() != kOk) return std::string();
  return db_->GetStats().ToPrometheus();
}

}  // namespace strata
