// DBImpl: opening, recovery, reads, snapshots and closing. Writes are in
// db_write.cc, flush and compaction in db_background.cc, stats in db_stats.cc.
#include "db/db_impl.h"

#include <algorithm>

#include "compaction/thread_executor.h"
#include "db/db_iter.h"
#include "db/event_info.h"
#include "db/filename.h"
#include "db/merger.h"
#include "db/wal_consolidation.h"
#include "db/write_batch_internal.h"
#include "table/table.h"
#include "wal/log_reader.h"

namespace strata {

class DBImpl::SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : sequence(seq) {}
  const SequenceNumber sequence;
};

namespace {

Status CheckKey(const Slice& key) {
  if (key.size() > kMaxKeySize) {
    return Status::InvalidArgument("key of " + std::to_string(key.size()) + " bytes exceeds the " +
                                   std::to_string(kMaxKeySize) + "-byte limit");
  }
  return Status::OK();
}

}  // namespace

DBImpl::DBImpl(const Options& options, std::string dir)
    : options_(options),
      dir_(std::move(dir)),
      env_(options.env ? options.env : Env::Default()),
      clock_is_cheap_(env_->ClockIsCheap()) {}

DBImpl::~DBImpl() {
  bool open;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open = !closed_;
  }
  if (open) Close().IgnoreError();
  // Snapshots the caller never released die with the database.
  for (const Snapshot* snapshot : snapshots_) delete static_cast<const SnapshotImpl*>(snapshot);
}

Status DBImpl::ValidateOptions() const {
  const Options& o = options_;
  auto bad = [](const std::string& what) { return Status::InvalidArgument("option " + what); };
  if (dir_.empty()) return Status::InvalidArgument("database directory is empty");
  if (o.write_buffer_size < 4 * 1024 || o.write_buffer_size > (size_t{1} << 30))
    return bad("write_buffer_size must be 4 KiB .. 1 GiB");
  if (o.max_wal_segments_per_memtable < 0) return bad("max_wal_segments_per_memtable must be >= 0");
  if (o.wal_consolidation_trigger < 0 || o.wal_consolidation_trigger == 1)
    return bad("wal_consolidation_trigger must be 0 (off) or >= 2");
  if (o.block_size < 256 || o.block_size > 4 * 1024 * 1024) return bad("block_size must be 256 B .. 4 MiB");
  if (o.block_restart_interval < 1 || o.block_restart_interval > 1024)
    return bad("block_restart_interval must be 1 .. 1024");
  if (o.bloom_bits_per_key < 0 || o.bloom_bits_per_key > 64) return bad("bloom_bits_per_key must be 0 .. 64");
  if (o.zlib_level < 1 || o.zlib_level > 9) return bad("zlib_level must be 1 .. 9");
  if (o.compression_per_level.empty()) return bad("compression_per_level needs at least one entry");
  for (Compression c : o.compression_per_level) {
    if (c != Compression::kNone && c != Compression::kZlib)
      return bad("compression_per_level holds an unknown value");
  }
  if (o.max_open_tables < 1) return bad("max_open_tables must be >= 1");
  if (o.target_file_size < 4 * 1024) return bad("target_file_size must be >= 4 KiB");
  if (o.max_bytes_for_level_base < 16 * 1024) return bad("max_bytes_for_level_base must be >= 16 KiB");
  if (o.level_size_multiplier < 2 || o.level_size_multiplier > 100)
    return bad("level_size_multiplier must be 2 .. 100");
  if (o.l0_compaction_trigger < 1 || o.l0_slowdown_writes_trigger < o.l0_compaction_trigger ||
      o.l0_stop_writes_trigger < o.l0_slowdown_writes_trigger) {
    return bad("L0 triggers must satisfy 1 <= compaction <= slowdown <= stop");
  }
  return Status::OK();
}

Status DBImpl::Open() {
  Status s = ValidateOptions();
  if (!s.ok()) return s;
  executor_ = options_.compaction_executor;
  if (!executor_ && options_.background_thread) executor_ = NewThreadCompactionExecutor();
  block_cache_ = std::make_unique<LRUCache>(options_.block_cache_capacity);
  table_cache_ = std::make_unique<TableCache>(
      dir_, env_, options_.max_open_tables, options_.block_cache_capacity > 0 ? block_cache_.get() : nullptr,
      &read_counters_);
  versions_ = std::make_unique<VersionSet>(dir_, env_);
  {
    std::unique_lock<std::mutex> lock(mutex_);
    s = Recover();
    if (!s.ok()) {
      if (mem_) mem_->Unref();
      mem_ = nullptr;
      if (dir_lock_) env_->UnlockFile(dir_lock_).IgnoreError();
      dir_lock_ = nullptr;
      return s;
    }
    closed_ = false;
  }
  if (options_.background_thread) bg_thread_ = std::thread([this] { BackgroundLoop(); });
  std::lock_guard<std::mutex> lock(mutex_);
  MaybeScheduleWork();
  return Status::OK();
}

Status DBImpl::Recover() {
  if (!env_->FileExists(dir_)) {
    if (!options_.create_if_missing) {
      return Status::NotFound(dir_ + ": database does not exist (create_if_missing is off)");
    }
    Status s = env_->CreateDir(dir_);
    if (!s.ok()) return s;
  }
  Status s = env_->LockFile(LockFileName(dir_), &dir_lock_);
  if (!s.ok()) return s;

  std::vector<std::string> children;
  s = env_->GetChildren(dir_, &children);
  if (!s.ok()) return s;
  std::vector<uint64_t> wal_numbers, table_numbers;
  bool has_data_files = false;
  for (const auto& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type == FileType::kWal) wal_numbers.push_back(number);
    if (type == FileType::kTable) table_numbers.push_back(number);
    if (type == FileType::kWal || type == FileType::kTable) has_data_files = true;
  }

  if (!env_->FileExists(CurrentFileName(dir_))) {
    if (has_data_files)
      return Status::Corruption(dir_ + ": CURRENT is missing but the directory holds database files");
    if (!options_.create_if_missing) {
      return Status::NotFound(dir_ + ": database does not exist (create_if_missing is off)");
    }
    s = versions_->CreateNew();
    if (!s.ok()) return s;
  } else {
    if (options_.error_if_exists)
      return Status::InvalidArgument(dir_ + ": database exists (error_if_exists is on)");
    s = versions_->Recover();
    if (!s.ok()) return s;
  }

  // Replay the WAL segments that may hold data not yet in tables.
  std::sort(wal_numbers.begin(), wal_numbers.end());
  wal_numbers.erase(std::remove_if(wal_numbers.begin(), wal_numbers.end(),
                                   [&](uint64_t n) { return n < versions_->LogNumber(); }),
                    wal_numbers.end());
  // A consolidated segment replaces the segments numbered from the one its
  // marker names up to itself; a crash may have left some of them.
  std::vector<std::pair<uint64_t, uint64_t>> replaced;  // [first, consolidated)
  for (uint64_t n : wal_numbers) {
    uint64_t first;
    if (ReadWalConsolidationMarker(env_, dir_, n, &first)) replaced.emplace_back(first, n);
  }
  wal_numbers.erase(std::remove_if(wal_numbers.begin(), wal_numbers.end(),
                                   [&](uint64_t n) {
                                     return std::any_of(replaced.begin(), replaced.end(), [n](const auto& r) {
                                       return n >= r.first && n < r.second;
                                     });
                                   }),
                    wal_numbers.end());
  VersionEdit edit;
  SequenceNumber max_sequence = versions_->LastSequence();
  SequenceNumber next_sequence = versions_->LogStartSequence();
  MemTable* mem = nullptr;
  for (size_t i = 0; i < wal_numbers.size(); i++) {
    versions_->MarkFileNumberUsed(wal_numbers[i]);
    s = ReplayWal(wal_numbers[i], i + 1 == wal_numbers.size(), &next_sequence, &max_sequence, &edit, &mem);
    if (!s.ok()) break;
    counters_.recovered_wal_segments++;
  }
  if (s.ok() && versions_->RecoveredPastDamagedTail())
    s = CheckNoTableOutrunsTheWal(table_numbers, next_sequence);
  if (s.ok() && mem != nullptr && mem->NumEntries() > 0) s = RecoveryFlush(mem, &edit);
  if (mem) mem->Unref();
  if (!s.ok()) return s;

  versions_->SetLastSequence(max_sequence);
  if (!wal_numbers.empty()) {
    // Everything replayed is now in tables: retire the segments.
    edit.log_number = versions_->PeekNextFileNumber();
    edit.log_start_sequence = max_sequence + 1;
    edit.last_sequence = max_sequence;
    s = versions_->LogAndApply(&edit);
    if (!s.ok()) return s;
  }
  mem_ = new MemTable();
  mem_->Ref();
  DeleteObsoleteFiles();
  return Status::OK();
}

namespace {

// Remembers dropped bytes until we know whether valid records follow them.
class RecoveryReporter final : public log::Reader::Reporter {
 public:
  void Dropped(size_t bytes, const Status& reason, bool torn_write) override {
    pending_records++;
    pending_bytes += bytes;
    if (first_reason.ok()) first_reason = reason;
    torn_write_possible = torn_write_possible && torn_write;
  }
  void Clear() {
    pending_records = 0;
    pending_bytes = 0;
    first_reason = Status::OK();
    torn_write_possible = true;
  }
  uint64_t pending_records = 0;
  uint64_t pending_bytes = 0;
  Status first_reason;
  bool torn_write_possible = true;
};

}  // namespace

Status DBImpl::ReplayWal(uint64_t number, bool last_segment, SequenceNumber* next_sequence,
                         SequenceNumber* max_sequence, VersionEdit* edit, MemTable** mem) {
  const std::string path = WalFileName(dir_, number);
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  RecoveryReporter reporter;
  log::Reader reader(file.get(), &reporter, /*verify_checksums=*/true);

  // Drops followed by a valid record are corruption inside the log. Drops
  // at the end of the newest segment are a torn tail (a crash mid-append),
  // unless a torn write cannot explain them (a complete record damaged
  // before a valid one, an I/O error): RocksDB's
  // kTolerateCorruptedTailRecords.
  auto settle_drops = [&](bool at_tail) -> Status {
    if (reporter.pending_records == 0) return Status::OK();
    const bool torn_tail = at_tail && reporter.torn_write_possible;
    if (!torn_tail && options_.paranoid_checks) {
      return Status::Corruption(path + ": " + reporter.first_reason.message() +
                                " (set paranoid_checks off to skip damaged records)");
    }
    counters_.recovery_dropped_records += reporter.pending_records;
    counters_.recovery_dropped_bytes += reporter.pending_bytes;
    reporter.Clear();
    return Status::OK();
  };

  Slice record;
  std::string scratch;
  WriteBatch batch;
  bool first_record = true;
  while (reader.ReadRecord(&record, &scratch)) {
    s = settle_drops(false);
    if (!s.ok()) return s;
    uint64_t first_replaced;
    const bool marker = first_record && IsWalConsolidationMarker(record, &first_replaced);
    first_record = false;
    if (marker) continue;  // a consolidated segment's (Recover skipped what it replaces)
    // Everything about the batch is checked before it reaches the memtable,
    // whose inserts require sequences in range and never repeated.
    s = WriteBatchInternal::SetContents(&batch, record);
    const SequenceNumber first = s.ok() ? WriteBatchInternal::Sequence(&batch) : 0;
    const uint32_t count = s.ok() ? WriteBatchInternal::Count(&batch) : 0;
    if (s.ok() && (first == 0 || count == 0 || first > kMaxSequenceNumber - (count - 1))) {
      s = Status::Corruption("batch of " + std::to_string(count) + " entries at sequence " +
                             std::to_string(first) + " is out of the sequence range");
    }
    if (!s.ok()) {
      // A record whose checksum matched but whose batch is malformed.
      if (options_.paranoid_checks) return s.WithContext(path);
      counters_.recovery_dropped_records++;
      counters_.recovery_dropped_bytes += record.size();
      continue;
    }
    if (*next_sequence != 0 && first != *next_sequence) {
      // Whole records went missing: an earlier segment was cut at a record
      // boundary, emptied or removed. Not a torn tail. Behind a manifest
      // record set aside as torn, it means that edit had completed (a flush
      // whose segments were then removed): Corruption whatever the checks.
      if (options_.paranoid_checks || versions_->RecoveredPastDamagedTail()) {
        return Status::Corruption(
            path + ": batch has sequence " + std::to_string(first) + " where " +
            std::to_string(*next_sequence) +
            " was expected; records before it (or a whole WAL segment) are missing (set "
            "paranoid_checks off to skip damaged records)");
      }
      counters_.recovery_dropped_records++;
      if (first < *next_sequence) {
        // Sequences already replayed: inserting would repeat them.
        counters_.recovery_dropped_bytes += record.size();
        continue;
      }
    }
    if (*mem == nullptr) {
      *mem = new MemTable();
      (*mem)->Ref();
    }
    s = WriteBatchInternal::InsertInto(&batch, *mem);  // all or nothing
    if (!s.ok()) {
      // An entry of the batch does not decode.
      if (options_.paranoid_checks) return s.WithContext(path);
      counters_.recovery_dropped_records++;
      counters_.recovery_dropped_bytes += record.size();
      continue;
    }
    *next_sequence = first + count;
    counters_.recovered_records++;
    *max_sequence = std::max(*max_sequence, first + count - 1);

    if ((*mem)->ApproximateMemoryUsage() > options_.write_buffer_size) {
      s = RecoveryFlush(*mem, edit);
      if (!s.ok()) return s;
      (*mem)->Unref();
      *mem = nullptr;
    }
  }
  return settle_drops(last_segment);
}

Status DBImpl::CheckNoTableOutrunsTheWal(const std::vector<uint64_t>& table_numbers,
                                         SequenceNumber replayed_end) {
  // A table the recovered version does not name, holding a sequence the WAL
  // replay did not reach, was flushed by the edit whose manifest record was
  // set aside; its WAL segments are gone, so that edit had completed.
  const auto version = versions_->current();
  for (uint64_t number : table_numbers) {
    if (version->NamesTable(number)) continue;
    const std::string path = TableFileName(dir_, number);
    uint64_t size = 0;
    std::unique_ptr<RandomAccessFile> file;
    std::unique_ptr<Table> table;
    // One that cannot be read was never finished (no edit named it).
    if (!env_->GetFileSize(path, &size).ok() || !env_->NewRandomAccessFile(path, &file).ok() ||
        !Table::Open(TableReadOptions(), std::move(file), size, &table).ok()) {
      continue;
    }
    const SequenceNumber largest = table->properties().largest_seq();
    if (largest >= replayed_end) {
      return Status::Corruption(path + " holds sequence " + std::to_string(largest) +
                                ", which neither the manifest nor the WAL accounts for: the manifest's last "
                                "record was damaged after its edit completed");
    }
  }
  return Status::OK();
}

Status DBImpl::RecoveryFlush(MemTable* mem, VersionEdit* edit) {
  const uint64_t start = env_->NowMicros();
  FlushInfo info;
  info.job_id = next_job_id_++;
  info.reason = FlushReason::kRecovery;
  info.memtable_bytes = mem->ApproximateMemoryUsage();
  info.memtable_entries = mem->NumEntries();
  Notify([&](EventListener& l) { l.OnFlushBegin(info); });
  auto meta = std::make_shared<FileMetaData>();
  info.status = BuildTable(mem, 0, meta.get());
  if (info.status.ok() && meta->number != 0) {
    edit->AddFile(0, meta);
    info.has_output = true;
    info.output = TableInfoOf(*meta, 0);
  }
  info.micros = env_->NowMicros() - start;
  Notify([&](EventListener& l) { l.OnFlushEnd(info); });
  if (info.has_output) {
    // In the version Open installs once every segment is replayed.
    const TableCreatedInfo created{info.job_id, /*by_compaction=*/false, info.output};
    Notify([&](EventListener& l) { l.OnTableCreated(created); });
  }
  return info.status;
}

Status DBImpl::CheckOpen() const {
  if (closed_) return Status::InvalidArgument("database is closed");
  return Status::OK();
}

Status DBImpl::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  Status s = CheckKey(key);
  if (!s.ok()) return s;
  if (value == nullptr) return Status::InvalidArgument("value output is null");
  const uint64_t latency_weight = LatencyWeight(get_latency_ticks_);
  const uint64_t start = latency_weight != 0 ? env_->NowMicros() : 0;
  MemTable* mem;
  MemTable* imm;
  std::shared_ptr<const Version> version;
  SequenceNumber sequence;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s = CheckOpen();
    if (!s.ok()) return s;
    s = SnapshotSequence(options, &sequence);
    if (!s.ok()) return s;
    mem = mem_;
    imm = imm_;
    mem->Ref();
    if (imm) imm->Ref();
    version = versions_->current();
  }
  LookupKey lookup(key, sequence);
  if (mem->Get(lookup, value, &s)) {
  } else if (imm != nullptr && imm->Get(lookup, value, &s)) {
  } else {
    Version::SeekCharge charge;
    s = version->Get(options, lookup, table_cache_.get(), value, &charge);
    ChargeSeek(charge);
  }
  // Memtable reference counts are atomic: no lock needed to drop ours.
  mem->Unref();
  if (imm) imm->Unref();
  ReleaseVersion(std::move(version));
  counters_.gets++;
  if (s.ok()) {
    counters_.get_hits++;
    counters_.user_bytes_read += key.size() + value->size();
  }
  if (latency_weight != 0)
    get_latency_.Record(static_cast<double>(env_->NowMicros() - start), latency_weight);
  return s;
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  std::vector<Iterator*> children;
  SequenceNumber sequence;
  MemTable* mem;
  MemTable* imm;
  std::shared_ptr<const Version> version;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Status s = CheckOpen();
    if (s.ok()) s = SnapshotSequence(options, &sequence);
    if (!s.ok()) return std::unique_ptr<Iterator>(NewEmptyIterator(s));
    mem = mem_;
    imm = imm_;
    mem->Ref();
    if (imm) imm->Ref();
    version = versions_->current();
  }
  // A memtable empty now holds nothing this iterator may see: a write
  // counts its entries before it publishes its sequence under mutex_,
  // where the sequence above was read, and later writes have later
  // sequences. Leaving it out spares every step a merge (a database whose
  // data is all in one level then needs none).
  if (mem->NumEntries() > 0) children.push_back(mem->NewIterator());
  if (imm && imm->NumEntries() > 0) children.push_back(imm->NewIterator());
  version->AddIterators(options, table_cache_.get(), &children);
  const Version* read_version = version.get();  // alive as long as the iterator
  Iterator* iter = NewDBIterator(
      NewMergingIterator(std::move(children)), sequence,
      [this, read_version](const Slice& internal_key) {
        ChargeSeek(read_version->ReadSampleCharge(internal_key));
      },
      kReadSamplePeriod, ++read_sample_seed_);
  iter->RegisterCleanup([this, mem, imm, version]() mutable {
    mem->Unref();
    if (imm) imm->Unref();
    ReleaseVersion(std::move(version));
  });
  counters_.scans++;
  return std::unique_ptr<Iterator>(iter);
}

Status DBImpl::Scan(const ReadOptions& options, const Slice& start, const Slice& end, size_t limit,
                    std::vector<std::pair<std::string, std::string>>* out) {
  if (out == nullptr) return Status::InvalidArgument("scan output is null");
  if (start.size() > kMaxKeySize || end.size() > kMaxKeySize) {
    return Status::InvalidArgument("scan bound exceeds the " + std::to_string(kMaxKeySize) +
                                   "-byte key limit");
  }
  out->clear();
  const uint64_t start_micros = env_->NowMicros();
  std::unique_ptr<Iterator> iter = NewIterator(options);
  uint64_t bytes = 0;
  for (iter->Seek(start); iter->Valid(); iter->Next()) {
    if (!end.empty() && iter->key().compare(end) >= 0) break;
    if (limit != 0 && out->size() >= limit) break;
    out->emplace_back(iter->key().ToString(), iter->value().ToString());
    bytes += iter->key().size() + iter->value().size();
  }
  Status s = iter->status();
  if (!s.ok()) out->clear();
  counters_.user_bytes_read += bytes;
  scan_latency_.Record(static_cast<double>(env_->NowMicros() - start_micros));
  return s;
}

const Snapshot* DBImpl::GetSnapshot() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return nullptr;
  auto* snapshot = new SnapshotImpl(versions_->LastSequence());
  snapshots_.insert(snapshot);
  return snapshot;
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Released twice, or not ours: nothing to do (and nothing to free).
    if (snapshots_.erase(snapshot) == 0) return;
  }
  delete static_cast<const SnapshotImpl*>(snapshot);
}

Status DBImpl::SnapshotSequence(const ReadOptions& options, SequenceNumber* sequence) const {
  if (options.snapshot == nullptr) {
    *sequence = versions_->LastSequence();
    return Status::OK();
  }
  if (snapshots_.count(options.snapshot) == 0) {
    return Status::InvalidArgument("snapshot was released or belongs to another database");
  }
  *sequence = static_cast<const SnapshotImpl*>(options.snapshot)->sequence;
  return Status::OK();
}

void DBImpl::ReleaseVersion(std::shared_ptr<const Version> version) {
  // The current version is also held by the VersionSet, so a count of one
  // means this was the last reader of a version that a flush or compaction
  // replaced: the tables only it named can go now, not at the next flush.
  // (Two last readers releasing at once may both see two; their tables then
  // go at the next flush, compaction or Close.)
  if (version.use_count() != 1) return;
  version.reset();
  std::unique_lock<std::mutex> lock(mutex_);
  if (!closed_) DeleteObsoleteFiles(&lock);
}

SequenceNumber DBImpl::SmallestSnapshot() const {
  SequenceNumber smallest = versions_->LastSequence();
  for (const Snapshot* snapshot : snapshots_) {
    smallest = std::min(smallest, static_cast<const SnapshotImpl*>(snapshot)->sequence);
  }
  return smallest;
}

Status DBImpl::Close() {
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  std::shared_ptr<CompactionTicket> ticket;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (closed_) return Status::InvalidArgument("database is closed");
    shutting_down_ = true;
    bg_cv_.notify_all();
    // Let the running step finish; a compaction on a background thread is
    // waited for, one handed to an outside executor is abandoned.
    bg_cv_.wait(
        lock, [this] { return !bg_work_running_ && !(compaction_in_flight_ && options_.background_thread); });
    ticket = ticket_;
  }
  AbandonTicket(ticket);
  if (bg_thread_.joinable()) bg_thread_.join();

  std::lock_guard<std::mutex> lock(mutex_);
  Status s = CloseWalSegment();
  AbandonFlush();
  if (compaction_in_flight_) {
    // The abandoned job's outputs (already written by an outside executor,
    // or to come) are never installed: unprotect and delete them now, so a
    // closed database holds only the files its manifest names.
    CompactionInfo info = CompactionInfoOf(*in_flight_plan_, in_flight_job_id_);
    info.status = Status::IOError("compaction abandoned: the database was closed");
    Notify([&](EventListener& l) { l.OnCompactionEnd(info); });
    UnprotectNewFiles(in_flight_floor_);
    compaction_in_flight_ = false;
    in_flight_plan_.reset();
  }
  DeleteObsoleteFiles();
  closed_ = true;
  if (mem_) mem_->Unref();
  if (imm_) imm_->Unref();
  mem_ = imm_ = nullptr;
  if (dir_lock_) env_->UnlockFile(dir_lock_).IgnoreError();
  dir_lock_ = nullptr;
  return s;
}

Status DB::Open(const Options& options, const std::string& dir, std::unique_ptr<DB>* db) {
  if (db == nullptr) return Status::InvalidArgument("db output is null");
  db->reset();
  auto impl = std::make_unique<DBImpl>(options, dir);
  Status s = impl->Open();
  if (s.ok()) *db = std::move(impl);
  return s;
}

Status DB::Destroy(const Options& options, const std::string& dir) {
  Env* env = options.env ? options.env : Env::Default();
  if (!env->FileExists(dir)) return Status::OK();
  void* lock = nullptr;
  Status s = env->LockFile(LockFileName(dir), &lock);
  if (!s.ok()) return s;
  std::vector<std::string> children;
  s = env->GetChildren(dir, &children);
  for (const auto& name : children) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type != FileType::kLock) {
      Status r = env->RemoveFile(dir + "/" + name);
      if (s.ok() && !r.ok() && !r.IsNotFound()) s = r;
    }
  }
  env->UnlockFile(lock).IgnoreError();
  env->RemoveFile(LockFileName(dir)).IgnoreError();
  env->RemoveDir(dir).IgnoreError();
  return s;
}

}  // namespace strata
