#include "version/version_set.h"

#include <algorithm>

#include "db/filename.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

// Keeps the log reader's report of damage (at most one per ReadRecord).
class ManifestReporter final : public log::Reader::Reporter {
 public:
  void Dropped(size_t bytes, const Status& reason, bool torn_write) override {
    damage =
        Status::Corruption("manifest: " + std::to_string(bytes) + " bytes dropped: " + reason.ToString());
    torn = torn_write;
  }
  Status damage;
  bool torn = false;
};

// Reads a segment's last whole record into *last. Damage is Corruption,
// except, where appends are expected, after the last record where a torn
// write explains it (a crash while an edit was appended): then *torn_tail
// is set.
Status ReadLastRecord(SequentialFile* file, bool appends_expected, std::string* last, bool* torn_tail) {
  ManifestReporter reporter;
  log::Reader reader(file, &reporter, /*verify_checksums=*/true);
  Slice record;
  std::string scratch;
  bool have_record = false;
  while (reader.ReadRecord(&record, &scratch)) {
    if (!reporter.damage.ok()) return reporter.damage;  // damage with a whole record after it
    last->assign(record.data(), record.size());
    have_record = true;
  }
  if (!reporter.damage.ok() && (!appends_expected || !reporter.torn || !have_record)) return reporter.damage;
  if (!have_record) return Status::Corruption("no version edit");
  *torn_tail = !reporter.damage.ok();
  return Status::OK();
}

bool NewestFirst(const FileMetaPtr& a, const FileMetaPtr& b) {
  if (a->largest_seq != b->largest_seq) return a->largest_seq > b->largest_seq;
  return a->number > b->number;
}

bool BySmallestKey(const FileMetaPtr& a, const FileMetaPtr& b) {
  int r = CompareInternalKeys(a->smallest.Encode(), b->smallest.Encode());
  return r != 0 ? r < 0 : a->number < b->number;
}

}  // namespace

VersionSet::VersionSet(std::string dir, Env* env, uint64_t manifest_roll_bytes)
    : dir_(std::move(dir)),
      env_(env),
      manifest_roll_bytes_(manifest_roll_bytes),
      current_(std::make_shared<Version>()) {}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  uint64_t next = next_file_number_.load();
  while (next <= number && !next_file_number_.compare_exchange_weak(next, number + 1)) {
  }
}

Status VersionSet::Apply(const Version& base, const VersionEdit& edit,
                         std::shared_ptr<Version>* result) const {
  auto bad_level = [](int level) { return level < 0 || level >= kNumLevels; };
  for (const auto& [level, f] : edit.new_files) {
    if (bad_level(level))
      return Status::InvalidArgument("version edit adds a table to level " + std::to_string(level));
  }
  for (const auto& [level, number] : edit.deleted_files) {
    if (bad_level(level)) {
      return Status::InvalidArgument("version edit removes a table from level " + std::to_string(level));
    }
  }
  auto v = std::make_shared<Version>();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : base.files[level]) {
      bool deleted = std::any_of(edit.deleted_files.begin(), edit.deleted_files.end(),
                                 [&](const auto& d) { return d.first == level && d.second == f->number; });
      if (!deleted) v->files[level].push_back(f);
    }
  }
  for (const auto& [level, f] : edit.new_files) v->files[level].push_back(f);
  std::sort(v->files[0].begin(), v->files[0].end(), NewestFirst);
  for (int level = 1; level < kNumLevels; level++) {
    auto& files = v->files[level];
    std::sort(files.begin(), files.end(), BySmallestKey);
    for (size_t i = 1; i < files.size(); i++) {
      if (files[i - 1]->largest.user_key().compare(files[i]->smallest.user_key()) >= 0) {
        return Status::Corruption("level " + std::to_string(level) + ": tables " +
                                  std::to_string(files[i - 1]->number) + " and " +
                                  std::to_string(files[i]->number) + " overlap");
      }
    }
  }
  *result = std::move(v);
  return Status::OK();
}

Status VersionSet::StartManifest(const std::string& record, uint64_t manifest_number) {
  const std::string manifest = ManifestFileName(dir_, manifest_number);
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<log::Writer> log;
  Status s = env_->NewWritableFile(manifest, &file);
  if (s.ok()) {
    log = std::make_unique<log::Writer>(file.get());
    s = log->AddRecord(record);
    if (s.ok()) s = file->Sync();
  }
  const bool keep_open = s.ok() && env_->SyncedAppendsAreCheap();
  if (file && !keep_open) {
    Status close = file->Close();
    if (s.ok()) s = close;
  }
  // Point CURRENT at it: write a temp file, then rename over CURRENT.
  const std::string temp = TempFileName(dir_, manifest_number);
  if (s.ok()) s = WriteStringToFile(env_, manifest.substr(dir_.size() + 1) + "\n", temp, true);
  if (s.ok()) s = env_->RenameFile(temp, CurrentFileName(dir_));
  const bool renamed = s.ok();
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    env_->RemoveFile(temp).IgnoreError();
    if (renamed) {
      CloseManifest();  // CURRENT may name either segment now: append to neither
    } else {
      env_->RemoveFile(manifest).IgnoreError();
    }
    return s;
  }
  CloseManifest();  // the segment before, if open: CURRENT no longer names it
  if (keep_open) {
    manifest_file_ = std::move(file);
    manifest_log_ = std::move(log);
  }
  return s;
}

Status VersionSet::AppendToManifest(const std::string& record) {
  Status s = manifest_log_->AddRecord(record);
  if (s.ok()) s = manifest_file_->Sync();
  return s;
}

void VersionSet::CloseManifest() {
  manifest_log_.reset();
  if (manifest_file_) manifest_file_->Close().IgnoreError();  // synced after every record
  manifest_file_.reset();
}

void VersionSet::Install(std::shared_ptr<Version> v) {
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  current_ = std::move(v);
  versions_.push_back(current_);
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  PreparedEdit prepared;
  Status s = Prepare(*edit, &prepared);
  if (s.ok()) s = Persist(&prepared);
  if (s.ok()) Commit(std::move(prepared));
  return s;
}

Status VersionSet::Prepare(const VersionEdit& edit, PreparedEdit* prepared) {
  Status s = Apply(*current_, edit, &prepared->version);
  if (!s.ok()) return s;
  // The snapshot: the new version with the counters this edit moves forward
  // (they move in memory only at Commit, once the segment is durable).
  VersionEdit& snapshot = prepared->snapshot;
  snapshot.log_number = std::max(log_number_, edit.log_number.value_or(0));
  const SequenceNumber log_start = std::max(log_start_sequence_, edit.log_start_sequence.value_or(0));
  if (log_start != 0) snapshot.log_start_sequence = log_start;
  snapshot.last_sequence = std::max(LastSequence(), edit.last_sequence.value_or(0));
  std::vector<std::string> pointers = compact_pointers_;
  for (const auto& [level, key] : edit.compact_pointers) pointers[level] = key.Encode().ToString();
  prepared->append = manifest_log_ && manifest_log_->BytesWritten() < manifest_roll_bytes_;
  for (const auto& [level, f] : edit.new_files) prepared->adds_tables |= !current_->NamesTable(f->number);
  prepared->files_before = next_file_number_.load();
  prepared->manifest_number = prepared->append ? manifest_number_ : NewFileNumber();
  snapshot.next_file_number = next_file_number_.load();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : prepared->version->files[level]) snapshot.AddFile(level, f);
    if (!pointers[level].empty()) {
      InternalKey key;
      key.DecodeFrom(pointers[level]);
      snapshot.compact_pointers.emplace_back(level, key);
    }
  }
  return Status::OK();
}

Status VersionSet::Persist(PreparedEdit* prepared) {
  const std::string record = prepared->snapshot.Encode();
  if (prepared->append) {
    // A new file's name is durable once the directory is synced; starting
    // a segment does that (with the rename), an append must first. The
    // record names the edit's new tables, and counts writes in WAL segments
    // made since the last sync: a reopen that found the sequences counted
    // but not the segment would take later writes for a gap in the WAL.
    if (prepared->adds_tables || prepared->files_before > dir_synced_below_) {
      Status s = env_->SyncDir(dir_);
      if (!s.ok()) return s.WithContext("installing a version edit");
      dir_synced_below_ = std::max(dir_synced_below_, prepared->files_before);
    }
    if (AppendToManifest(record).ok()) return Status::OK();
    // The segment may now end in part of this record, or in all of it
    // unsynced: leave it, and let a new segment hold the edit. Once CURRENT
    // names that one, recovery never reads the failed append.
    CloseManifest();
    prepared->manifest_number = NewFileNumber();
  }
  Status s = StartManifest(record, prepared->manifest_number);
  if (!s.ok()) return s.WithContext("installing a version edit");
  // Its directory sync covered the segment too.
  dir_synced_below_ = std::max({dir_synced_below_, prepared->files_before, prepared->manifest_number + 1});
  return s;
}

void VersionSet::Commit(PreparedEdit prepared) {
  AdoptLogFloorAndPointers(prepared.snapshot);
  // Writes may have gone on since Prepare: never move the sequence back.
  SetLastSequence(std::max(LastSequence(), *prepared.snapshot.last_sequence));
  manifest_number_ = prepared.manifest_number;
  Install(std::move(prepared.version));
}

void VersionSet::AdoptLogFloorAndPointers(const VersionEdit& snapshot) {
  log_number_ = *snapshot.log_number;
  log_start_sequence_ = snapshot.log_start_sequence.value_or(0);
  compact_pointers_.assign(kNumLevels, std::string());
  for (const auto& [level, key] : snapshot.compact_pointers)
    compact_pointers_[level] = key.Encode().ToString();
}

Status VersionSet::CreateNew() {
  VersionEdit empty;
  empty.log_start_sequence = 1;  // the first batch ever written
  return LogAndApply(&empty);
}

Status VersionSet::Recover() {
  std::string current;
  Status s = ReadFileToString(env_, CurrentFileName(dir_), &current);
  if (!s.ok()) return s;
  uint64_t number = 0;
  FileType type;
  if (current.empty() || current.back() != '\n' ||
      !ParseFileName(current.substr(0, current.size() - 1), &number, &type) || type != FileType::kManifest) {
    return Status::Corruption("CURRENT does not name a manifest segment");
  }
  const std::string manifest = ManifestFileName(dir_, number);
  std::unique_ptr<SequentialFile> file;
  s = env_->NewSequentialFile(manifest, &file);
  if (!s.ok()) return Status::Corruption("CURRENT names a missing manifest: " + s.ToString());

  std::string record;
  bool torn_tail = false;
  // A write-once segment was synced whole before CURRENT named it: any
  // damage is Corruption there.
  s = ReadLastRecord(file.get(), env_->SyncedAppendsAreCheap(), &record, &torn_tail);
  if (!s.ok()) return s.WithContext(manifest);
  VersionEdit edit;
  s = edit.Decode(record);
  if (!s.ok()) return s.WithContext(manifest);
  if (torn_tail && !edit.log_start_sequence) {
    // The WAL checks that guard recovery past a damaged tail need it.
    return Status::Corruption(manifest +
                              ": its last record is damaged, and the one before lacks log_start_sequence");
  }
  if (!edit.next_file_number || !edit.last_sequence || !edit.log_number) {
    return Status::Corruption(manifest + ": snapshot lacks its counters");
  }

  // Counters the rest of the engine builds on must agree with the tables.
  if (*edit.log_number > *edit.next_file_number) {
    return Status::Corruption(manifest + ": log number is past the next file number");
  }
  if (edit.log_start_sequence && *edit.log_start_sequence > *edit.last_sequence + 1) {
    return Status::Corruption(manifest + ": log start sequence is past the last sequence");
  }
  for (const auto& [level, f] : edit.new_files) {
    if (f->largest_seq > *edit.last_sequence) {
      return Status::Corruption(manifest + ": table " + std::to_string(f->number) +
                                " holds sequences past the last sequence");
    }
  }

  std::shared_ptr<Version> v;
  s = Apply(Version(), edit, &v);
  if (!s.ok()) return s.WithContext(manifest);
  // Behind a torn tail is the state before an edit that never completed,
  // whose tables were not deleted yet (deletions wait for the edit to be
  // durable) and whose WAL segments replay checks. A missing table means
  // the damage hit an edit that had completed: not a torn write at all.
  if (torn_tail) {
    s = CheckTablesExist(*v);
    if (!s.ok()) return s.WithContext(manifest + ", whose last record is damaged");
  }
  recovered_past_damaged_tail_ = torn_tail;
  next_file_number_.store(*edit.next_file_number);
  MarkFileNumberUsed(number);
  SetLastSequence(*edit.last_sequence);
  AdoptLogFloorAndPointers(edit);
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files[level]) MarkFileNumberUsed(f->number);
  }
  manifest_number_ = number;
  Install(std::move(v));
  return Status::OK();
}

Status VersionSet::CheckTablesExist(const Version& v) const {
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v.files[level]) {
      if (!env_->FileExists(TableFileName(dir_, f->number)))
        return Status::Corruption("table " + std::to_string(f->number) + " is missing");
    }
  }
  return Status::OK();
}

std::set<uint64_t> VersionSet::LiveFiles() {
  std::set<uint64_t> live;
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  for (const auto& weak : versions_) {
    if (auto v = weak.lock()) {
      for (int level = 0; level < kNumLevels; level++) {
        for (const auto& f : v->files[level]) live.insert(f->number);
      }
    }
  }
  return live;
}

}  // namespace strata
