// DBImpl's background work: memtable flushes, picking, running and
// installing compactions, and deleting files nothing refers to any more.
#include <algorithm>
#include <limits>

#include "db/db_impl.h"
#include "db/event_info.h"
#include "db/filename.h"
#include "table/format.h"
#include "table/table_builder.h"

namespace strata {

// Lets a compaction's completion callback reach the DB, or find out that
// the DB was closed while the job ran elsewhere.
struct DBImpl::CompactionTicket {
  std::mutex mu;
  DBImpl* db = nullptr;
};

void DBImpl::AbandonTicket(const std::shared_ptr<CompactionTicket>& ticket) {
  if (!ticket) return;
  std::lock_guard<std::mutex> lock(ticket->mu);
  ticket->db = nullptr;
}

bool DBImpl::NeedsCompaction() const {
  if (compaction_in_flight_ || manual_calls_running_ > 0) return false;
  std::vector<double> scores = ComputeScores(*versions_->current(), options_);
  return *std::max_element(scores.begin(), scores.end()) >= 1.0 || seek_compaction_file_ != 0;
}

void DBImpl::ChargeSeek(const Version::SeekCharge& charge) {
  // The last level has nowhere to go.
  if (charge.file == nullptr || charge.level >= kNumLevels - 1) return;
  // Every charge from the allowance on asks (as in LevelDB), so a file that
  // ran out while another waited gets its turn; the mutex is taken only
  // while none waits.
  if (!charge.file->seeks.Charge(charge.file->file_size) ||
      seek_compaction_file_.load(std::memory_order_relaxed) != 0)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (seek_compaction_file_ != 0) return;  // one at a time, as LevelDB
  // A reader of an older version may charge a table compacted or moved since.
  if (versions_->current()->FileInLevel(charge.level, charge.file->number) == nullptr) return;
  seek_compaction_level_ = charge.level;
  seek_compaction_file_ = charge.file->number;
  MaybeScheduleWork();
}

std::unique_ptr<CompactionPlan> DBImpl::PlanSeekCompactionLocked() const {
  if (seek_compaction_file_ == 0) return nullptr;
  return PlanSeekCompaction(*versions_->current(), seek_compaction_level_, seek_compaction_file_);
}

bool DBImpl::HasPendingWorkLocked() const {
  return !closed_ && !shutting_down_ && bg_error_.ok() && (imm_ != nullptr || NeedsCompaction());
}

void DBImpl::MaybeScheduleWork() {
  if (options_.background_thread) bg_cv_.notify_all();
}

void DBImpl::BackgroundLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    bg_cv_.wait(lock, [this] { return shutting_down_ || (!bg_work_running_ && HasPendingWorkLocked()); });
    if (shutting_down_) break;
    DoPendingWorkStep(lock);
  }
}

void DBImpl::DoPendingWorkStep(std::unique_lock<std::mutex>& lock) {
  if (bg_work_running_ || (manual_calls_running_ > 0 && imm_ == nullptr)) {
    // Another thread is doing a step, or a CompactRange call owns the
    // compactions: wait for it instead.
    bg_cv_.wait(lock);
    return;
  }
  bg_work_running_ = true;
  if (imm_ != nullptr) {
    Status s = FlushImmutableStep(lock);
    if (!s.ok()) RecordBackgroundError(s.WithContext("flush"));
  } else if (!compaction_in_flight_ && bg_error_.ok() && !shutting_down_) {
    auto plan = PickCompaction(*versions_->current(), options_, versions_->compact_pointers());
    if (!plan) {
      plan = PlanSeekCompactionLocked();
      seek_compaction_file_ = 0;  // taken
    }
    // Between the jobs of a CompactRange that answered Busy or stopped at
    // its max_jobs, a table moved down whole could leave the level the call
    // is going through before the call rewrote it (dropping what it holds
    // for nothing), and the call would not find it again: rewrite it
    // instead.
    if (plan) StartCompaction(lock, std::move(plan), /*allow_trivial_move=*/manual_ == nullptr);
  }
  bg_work_running_ = false;
  bg_cv_.notify_all();
}

bool DBImpl::HasPendingWork() {
  std::lock_guard<std::mutex> lock(mutex_);
  return HasPendingWorkLocked();
}

Status DBImpl::RunPendingWork() {
  std::unique_lock<std::mutex> lock(mutex_);
  Status s = CheckOpen();
  if (!s.ok()) return s;
  if (HasPendingWorkLocked()) DoPendingWorkStep(lock);
  return WritableCheck();
}

uint64_t DBImpl::ProtectNewFiles() {
  uint64_t floor = versions_->PeekNextFileNumber();
  protected_floors_.insert(floor);
  return floor;
}

void DBImpl::UnprotectNewFiles(uint64_t floor) {
  auto it = protected_floors_.find(floor);
  if (it != protected_floors_.end()) protected_floors_.erase(it);
}

TableBuilderOptions DBImpl::TableOptionsFor(int level) const {
  TableBuilderOptions table_options;
  table_options.block_size = options_.block_size;
  table_options.block_restart_interval = options_.block_restart_interval;
  table_options.bloom_bits_per_key = options_.bloom_bits_per_key;
  table_options.compression = CompressionForLevel(options_, level);
  table_options.zlib_level = options_.zlib_level;
  return table_options;
}

Status DBImpl::BuildTable(MemTable* mem, int level, FileMetaData* meta) {
  meta->number = versions_->NewFileNumber();
  MemTableFlush flush(env_, TableOptionsFor(level), mem, TableFileName(dir_, meta->number));
  flush.Step(/*budget=*/0);
  return flush.Finish(meta);
}

Status DBImpl::FlushImmutableStep(std::unique_lock<std::mutex>& lock) {
  // Flushes always go to L0; a table that overlaps nothing moves down later
  // by a manifest edit alone (a trivial move).
  const int level = 0;
  if (!flush_job_) {
    auto job = std::make_unique<FlushJob>();
    job->start_micros = env_->NowMicros();
    job->info.job_id = next_job_id_++;
    job->info.reason = imm_flush_reason_;
    job->info.memtable_bytes = imm_->ApproximateMemoryUsage();
    job->info.memtable_entries = imm_->NumEntries();
    Notify([&](EventListener& l) { l.OnFlushBegin(job->info); });
    job->floor = ProtectNewFiles();
    job->meta = std::make_shared<FileMetaData>();
    job->meta->number = versions_->NewFileNumber();
    flush_job_ = std::move(job);
  }
  FlushJob* job = flush_job_.get();
  MemTable* const imm = imm_;
  const uint64_t budget = options_.background_thread ? 0 : options_.flush_step_bytes;
  lock.unlock();
  if (!job->writer) {
    job->writer = std::make_unique<MemTableFlush>(env_, TableOptionsFor(level), imm,
                                                  TableFileName(dir_, job->meta->number));
  }
  const bool written = job->writer->Step(budget);
  Status s = written ? job->writer->Finish(job->meta.get()) : Status::OK();
  lock.lock();
  if (!written) return Status::OK();  // the next step goes on

  const std::shared_ptr<FileMetaData> meta = job->meta;
  FlushInfo info = job->info;
  VersionEdit edit;
  if (s.ok() && meta->number != 0) edit.AddFile(level, meta);
  edit.log_number = imm_log_limit_;
  edit.log_start_sequence = imm_last_sequence_ + 1;
  edit.last_sequence = versions_->LastSequence();
  // A failed manifest write may still have reached the disk, naming the
  // table: it stays, and goes at the next open if nothing names it.
  if (s.ok()) s = LogAndApply(lock, &edit);
  UnprotectNewFiles(job->floor);
  info.micros = env_->NowMicros() - job->start_micros;
  info.status = s;
  flush_job_.reset();  // its memtable iterator goes before imm_ may
  if (!s.ok()) {
    Notify([&](EventListener& l) { l.OnFlushEnd(info); });
    return s;
  }
  imm_->Unref();
  imm_ = nullptr;
  flush_removing_files_ = true;
  counters_.flushes++;
  counters_.flush_bytes_written += meta->file_size;
  flush_latency_.Record(static_cast<double>(info.micros));
  if (meta->number != 0) {
    info.has_output = true;
    info.output = TableInfoOf(*meta, level);
  }
  Notify([&](EventListener& l) { l.OnFlushEnd(info); });
  if (info.has_output) {
    const TableCreatedInfo created{info.job_id, /*by_compaction=*/false, info.output};
    Notify([&](EventListener& l) { l.OnTableCreated(created); });
  }
  DeleteObsoleteFiles(&lock);
  flush_removing_files_ = false;
  bg_cv_.notify_all();
  return Status::OK();
}

void DBImpl::AbandonFlush() {
  if (!flush_job_) return;
  FlushInfo info = flush_job_->info;
  info.micros = env_->NowMicros() - flush_job_->start_micros;
  info.status = Status::IOError("flush abandoned: the database was closed");
  UnprotectNewFiles(flush_job_->floor);
  flush_job_.reset();  // removes the partial table
  Notify([&](EventListener& l) { l.OnFlushEnd(info); });
}

void DBImpl::StartCompaction(std::unique_lock<std::mutex>& lock, std::unique_ptr<CompactionPlan> plan,
                             bool allow_trivial_move) {
  CompactionInfo info = CompactionInfoOf(*plan, next_job_id_++);
  if (allow_trivial_move && plan->IsTrivialMove(MaxGrandparentOverlap(options_))) {
    const FileMetaPtr& f = plan->inputs[0][0];
    info.trivial_move = true;
    info.runner = "manifest";
    Notify([&](EventListener& l) { l.OnCompactionBegin(info); });
    VersionEdit edit;
    edit.RemoveFile(plan->level, f->number);
    edit.AddFile(plan->output_level(), f);
    edit.compact_pointers.emplace_back(plan->level, f->largest);
    info.status = LogAndApply(lock, &edit);
    if (info.status.ok()) info.outputs.push_back(TableInfoOf(*f, plan->output_level()));
    f->seeks.Reset();  // a full allowance at its new level, as LevelDB gives every file it adds
    Notify([&](EventListener& l) { l.OnCompactionEnd(info); });
    if (!info.status.ok()) RecordBackgroundError(info.status.WithContext("moving a table down"));
    return;
  }

  CompactionJob job = MakeCompactionJob(*plan, *versions_->current(), options_, dir_, SmallestSnapshot());
  job.id = info.job_id;
  in_flight_job_id_ = job.id;
  Notify([&](EventListener& l) { l.OnCompactionBegin(info); });
  compaction_in_flight_ = true;
  in_flight_plan_ = std::move(plan);
  in_flight_floor_ = ProtectNewFiles();
  auto ticket = std::make_shared<CompactionTicket>();
  ticket->db = this;
  ticket_ = ticket;

  auto done = [ticket](CompactionResult result) {
    std::lock_guard<std::mutex> ticket_lock(ticket->mu);
    DBImpl* db = ticket->db;
    if (db == nullptr) return;  // closed meantime: outputs are orphans, removed at the next open
    std::unique_lock<std::mutex> db_lock(db->mutex_);
    db->InstallCompaction(db_lock, *db->in_flight_plan_, result);
    db->in_flight_plan_.reset();
    db->compaction_in_flight_ = false;
    db->UnprotectNewFiles(db->in_flight_floor_);
    db->ticket_.reset();
    db->bg_cv_.notify_all();
  };
  VersionSet* versions = versions_.get();
  FileNumberAllocator allocate = [versions] { return versions->NewFileNumber(); };
  std::shared_ptr<CompactionExecutor> executor = executor_;
  lock.unlock();
  if (executor) {
    executor->Execute(job, env_, allocate, done);
  } else {
    CompactionResult result = RunCompactionJob(job, env_, allocate);
    result.runner = "inline";
    done(std::move(result));
  }
  lock.lock();
}

void DBImpl::InstallCompaction(std::unique_lock<std::mutex>& lock, const CompactionPlan& plan,
                               const CompactionResult& result) {
  compaction_latency_.Record(static_cast<double>(result.micros));
  CompactionInfo info = CompactionInfoOf(plan, in_flight_job_id_);
  info.bytes_read = result.bytes_read;
  info.entries_read = result.entries_read;
  info.micros = result.micros;
  info.runner = result.runner;
  info.status = result.status;
  auto report_end = [&] { Notify([&](EventListener& l) { l.OnCompactionEnd(info); }); };
  if (!result.status.ok()) {
    report_end();
    RecordBackgroundError(result.status.WithContext("compaction"));
    return;
  }
  VersionEdit edit;
  for (int which = 0; which < 2; which++) {
    for (const auto& f : plan.inputs[which]) edit.RemoveFile(plan.level + which, f->number);
  }
  for (const auto& out : result.outputs) {
    auto meta = std::make_shared<FileMetaData>();
    meta->number = out.file_number;
    meta->file_size = out.size;
    meta->smallest.DecodeFrom(out.smallest);
    meta->largest.DecodeFrom(out.largest);
    meta->smallest_seq = out.smallest_seq;
    meta->largest_seq = out.largest_seq;
    meta->entries = out.entries;
    meta->tombstones = out.tombstones;
    meta->raw_key_bytes = out.raw_key_bytes;
    meta->raw_value_bytes = out.raw_value_bytes;
    // (An empty block would parse as one that says nothing: read the file then.)
    auto properties = std::make_shared<pb::TableProperties>();
    if (!out.properties.empty() && properties->ParseFromString(out.properties)) {
      meta->properties = std::move(properties);
    }
    edit.AddFile(plan.output_level(), std::move(meta));
  }
  InternalKey largest;
  for (const auto& f : plan.inputs[0]) {
    if (largest.empty() || CompareInternalKeys(f->largest.Encode(), largest.Encode()) > 0)
      largest = f->largest;
  }
  edit.compact_pointers.emplace_back(plan.level, largest);

  Status s = LogAndApply(lock, &edit);
  if (!s.ok()) {
    // The outputs stay: the failed manifest write may still name them (see
    // FlushImmutableStep).
    info.status = s;
    report_end();
    RecordBackgroundError(s.WithContext("installing a compaction"));
    return;
  }
  for (const auto& [level, f] : edit.new_files) info.outputs.push_back(TableInfoOf(*f, level));
  info.bytes_written = result.bytes_written;
  info.entries_written = result.entries_written;
  report_end();
  for (const auto& out : info.outputs) {
    const TableCreatedInfo created{info.job_id, /*by_compaction=*/true, out};
    Notify([&](EventListener& l) { l.OnTableCreated(created); });
  }
  counters_.compactions++;
  counters_.compaction_bytes_read += result.bytes_read;
  counters_.compaction_bytes_written += result.bytes_written;
  counters_.compaction_micros += result.micros;
  counters_.level_bytes_read[plan.output_level()] += result.bytes_read;
  counters_.level_bytes_written[plan.output_level()] += result.bytes_written;
  DeleteObsoleteFiles(&lock);
}

Status DBImpl::LogAndApply(std::unique_lock<std::mutex>& lock, VersionEdit* edit) {
  bg_cv_.wait(lock, [this] { return !manifest_writing_; });
  VersionSet::PreparedEdit prepared;
  Status s = versions_->Prepare(*edit, &prepared);
  if (!s.ok()) return s;
  manifest_writing_ = true;
  lock.unlock();
  s = versions_->Persist(&prepared);
  lock.lock();
  manifest_writing_ = false;
  bg_cv_.notify_all();
  if (s.ok()) versions_->Commit(std::move(prepared));
  // A seek target compacted or moved away gives way to the next file that
  // runs out of seeks: a target is always a table of the current version.
  if (seek_compaction_file_ != 0 &&
      versions_->current()->FileInLevel(seek_compaction_level_, seek_compaction_file_) == nullptr) {
    seek_compaction_file_ = 0;
  }
  return s;
}

void DBImpl::RecordBackgroundError(const Status& s) {
  if (bg_error_.ok()) {
    bg_error_ = s;
    Notify([&](EventListener& l) { l.OnBackgroundError(s); });
  }
  bg_cv_.notify_all();
}

void DBImpl::DeleteObsoleteFiles(std::unique_lock<std::mutex>* lock) {
  // After an error we cannot tell which files the durable manifest names.
  if (!bg_error_.ok()) return;
  const std::set<uint64_t> live = versions_->LiveFiles();
  const uint64_t min_protected =
      protected_floors_.empty() ? std::numeric_limits<uint64_t>::max() : *protected_floors_.begin();
  std::vector<std::string> children;
  if (!env_->GetChildren(dir_, &children).ok()) return;
  struct Obsolete {
    std::string path;
    FileType type;
    uint64_t number;
  };
  std::vector<Obsolete> obsolete;
  for (const auto& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    bool keep = true;
    switch (type) {
      case FileType::kWal: keep = number >= versions_->LogNumber(); break;
      case FileType::kTable: keep = live.count(number) > 0 || number >= min_protected; break;
      case FileType::kManifest:
        // A newer one is the segment an edit is starting, or one a crash
        // left unnamed (CURRENT never renamed to it).
        keep = number == versions_->ManifestNumber() ||
               (manifest_writing_ && number > versions_->ManifestNumber());
        break;
      case FileType::kTemp: keep = manifest_writing_; break;  // only a manifest edit writes them
      case FileType::kCurrent:
      case FileType::kLock: keep = true; break;
    }
    if (keep) continue;
    if (type == FileType::kTable) table_cache_->Evict(number);
    obsolete.push_back({dir_ + "/" + name, type, number});
  }
  live_wal_segments_.erase(live_wal_segments_.begin(),
                           live_wal_segments_.lower_bound(versions_->LogNumber()));
  if (obsolete.empty()) return;
  // Nothing names these files and their numbers are never used again, so
  // they can go without the mutex (an unlink can wait on the disk for
  // milliseconds); if two threads race to remove one, one of them fails.
  if (lock) lock->unlock();
  std::vector<uint64_t> removed_tables;
  for (const auto& file : obsolete) {
    if (env_->RemoveFile(file.path).ok() && file.type == FileType::kTable)
      removed_tables.push_back(file.number);
  }
  if (lock) lock->lock();
  for (uint64_t number : removed_tables) Notify([&](EventListener& l) { l.OnTableDeleted(number); });
}

namespace {

// The level of a CompactRange's last pass (each pass compacts a level into
// the next) when `deepest` is the deepest level holding part of the range:
// that level itself, whose pass goes only where it does something
// (DeepestLevelNeedsARewrite), or, when that is the last level, the one
// above it: the passes then go down into the last level (the range
// cascading through levels that may be empty), or its older versions there
// would stay under the newer ones.
int LastLevelToCompact(int deepest) {
  return std::min(deepest, kNumLevels - 2);
}

}  // namespace

bool DBImpl::DeepestLevelNeedsARewrite(int level, const Slice* begin, const Slice* end) {
  // LevelDB and RocksDB (by default) stop at the deepest level: the steps
  // down to it merged away what they shadowed there. Rewriting it too costs
  // a pass over the whole range (a third of a full compaction of a
  // three-level database), and pays only where it still holds what can go
  // (tombstones, older versions a snapshot kept), where part of the range
  // lies in the next level after all (moved there by an automatic
  // compaction while this one waited, or the last level, which no pass
  // compacts from), or where a table is stored otherwise than
  // its level and the options now ask (moved down whole from an
  // uncompressed level; built with other filter bits or an older format).
  if (level + 1 >= kNumLevels) return false;
  const Compression wanted = CompressionForLevel(options_, level);
  if (CompressionForLevel(options_, level + 1) != wanted) return true;
  const Version& version = *versions_->current();
  if (!version.GetOverlappingInputs(level + 1, begin, end).empty()) return true;
  // Under the mutex: the properties are those this process kept when it
  // wrote or installed the table (the last pass's outputs, always), or those
  // of an open table, almost always (every table a lookup or a compaction
  // touched stays in the table cache); a CompactRange is rare. Opening each
  // table here held the browser's thread for tens of milliseconds.
  for (const auto& f : version.GetOverlappingInputs(level, begin, end)) {
    if (f->tombstones > 0) return true;
    pb::TableProperties read;
    const pb::TableProperties* props = f->properties.get();
    if (!props) {
      if (!table_cache_->GetProperties(f->number, f->file_size, &read).ok())
        return true;  // the compaction reports it
      props = &read;
    }
    if (!props->has_num_shadowed() || props->num_shadowed() > 0 ||
        props->compression() != static_cast<uint32_t>(wanted) ||
        props->bloom_bits_per_key() != static_cast<uint32_t>(options_.bloom_bits_per_key) ||
        props->format_version() != kTableFormatVersion) {
      return true;
    }
  }
  return false;
}

int DBImpl::DeepestLevelHolding(const Slice* begin, const Slice* end, int deeper_than) const {
  for (int level = kNumLevels - 1; level > deeper_than; level--) {
    if (!versions_->current()->GetOverlappingInputs(level, begin, end).empty()) return level;
  }
  return deeper_than;
}

Status DBImpl::CompactRange(const CompactRangeOptions& options, const Slice* begin, const Slice* end,
                            bool* finished) {
  if (finished) *finished = false;
  if ((begin && begin->size() > kMaxKeySize) || (end && end->size() > kMaxKeySize)) {
    return Status::InvalidArgument("compaction bound exceeds the " + std::to_string(kMaxKeySize) +
                                   "-byte key limit");
  }
  if (options.max_jobs < 0) return Status::InvalidArgument("max_jobs must be >= 0");
  auto bound = [](const Slice* key) {
    return key ? std::optional<std::string>(key->ToString()) : std::nullopt;
  };
  const auto resumes = [&] {
    return manual_ && manual_->begin == bound(begin) && manual_->end == bound(end) &&
           (options.resume || !manual_->stopped_at_max_jobs);
  };
  Status s;
  std::unique_lock<std::mutex> lock(mutex_);
  for (bool flushed = false;;) {
    // One call at a time: a call with another range replaces manual_, which
    // a call under way reads again after each wait for a job.
    bg_cv_.wait(lock, [this] { return manual_calls_running_ == 0 || shutting_down_; });
    if (shutting_down_) return Status::InvalidArgument("database is closed");
    // A call that goes on with an earlier one's compaction compacts what
    // that one flushed, not what was written since.
    if (flushed || resumes()) break;
    lock.unlock();
    s = Flush();
    if (!s.ok()) return s;
    flushed = true;
    lock.lock();
  }
  if (!resumes()) {
    // Compact level by level down to the deepest level that holds part of
    // the range, so the range ends up in one level with nothing shadowed
    // left; and through it into the next only where that pass does
    // something (DeepestLevelNeedsARewrite; always where that next level
    // is the last one and holds part of the range: LastLevelToCompact).
    manual_ = std::make_unique<ManualCompaction>();
    manual_->begin = bound(begin);
    manual_->end = bound(end);
    manual_->last_pass = LastLevelToCompact(DeepestLevelHolding(begin, end, /*deeper_than=*/0));
  }
  manual_calls_running_++;
  // Without a background thread, a job out at the executor makes this
  // answer Busy; the next call with the same range resumes here.
  auto wait_for_job = [&]() -> Status {
    while (bg_work_running_ || compaction_in_flight_) {
      if (closed_ || !bg_error_.ok()) return closed_ ? WritableCheck() : bg_error_;
      if (!options_.background_thread && compaction_in_flight_ && !bg_work_running_) {
        return Status::Busy(
            "a compaction is running on the executor; call CompactRange again when it finishes");
      }
      bg_cv_.wait(lock);
    }
    return closed_ ? WritableCheck() : bg_error_;
  };
  // Automatic compactions that ran meanwhile (one out when this was first
  // called, one between two calls) may have moved part of the range deeper
  // than the level this one was going to stop at: go through that level too.
  // Before the last pass, that includes last_pass + 1 itself: the last pass
  // rewrites only the tables there that overlap last_pass's, and others
  // may hold versions a snapshot kept while they were written. After it,
  // last_pass + 1 holds what this one wrote.
  auto extend_to_deepest = [&] {
    // A pass going in jobs has written into the level below its own.
    const int written = std::max(manual_->last_pass, manual_->next_level + (manual_->resume_from ? 1 : 0));
    const int deepest = DeepestLevelHolding(begin, end, /*deeper_than=*/written);
    if (deepest > written) manual_->last_pass = LastLevelToCompact(deepest);
  };
  int jobs = 0;
  bool stopped_early = false;
  while (true) {
    s = wait_for_job();  // also the last job, before this returns
    if (!s.ok()) break;
    extend_to_deepest();
    if (manual_->next_level > manual_->last_pass) break;
    // L0 always goes down: its tables overlap one another.
    if (manual_->next_level == manual_->last_pass && manual_->last_pass > 0 &&
        !DeepestLevelNeedsARewrite(manual_->last_pass, begin, end)) {
      break;
    }
    if (options.max_jobs > 0 && jobs == options.max_jobs) {
      stopped_early = true;
      break;
    }
    Slice resume_from;
    if (manual_->resume_from) resume_from = *manual_->resume_from;
    auto plan = PlanRangeCompaction(*versions_->current(), options_, manual_->next_level,
                                    manual_->resume_from ? &resume_from : begin, end);
    if (plan && plan->more_in_range) {
      manual_->resume_from = plan->inputs[0].back()->largest.user_key().ToString();
    } else {
      manual_->resume_from.reset();
      manual_->next_level++;
    }
    if (!plan) continue;
    bg_work_running_ = true;
    // A manual compaction rewrites even a lone table, to drop its garbage.
    StartCompaction(lock, std::move(plan), /*allow_trivial_move=*/false);
    bg_work_running_ = false;
    bg_cv_.notify_all();
    jobs++;
  }
  manual_calls_running_--;
  bg_cv_.notify_all();  // automatic compactions may start again
  const bool ended = !s.IsBusy() && !stopped_early;
  if (ended) {
    manual_.reset();
  } else {
    manual_->stopped_at_max_jobs = stopped_early;
  }
  if (finished) *finished = ended && s.ok() && bg_error_.ok();
  // The error itself (say, Corruption in an input), not the read-only state it caused.
  return s.IsBusy() ? s : bg_error_;
}

}  // namespace strata
