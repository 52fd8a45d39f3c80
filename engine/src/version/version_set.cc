#include "version/version_set.h"

#include <algorithm>

#include "db/filename.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

// Collects the first problem the log reader reports.
class ManifestReporter final : public log::Reader::Reporter {
 public:
  void Dropped(size_t bytes, const Status& reason, bool /*torn_write*/) override {
    if (status.ok())
      status =
          Status::Corruption("manifest: " + std::to_string(bytes) + " bytes dropped: " + reason.ToString());
  }
  Status status;
};

bool NewestFirst(const FileMetaPtr& a, const FileMetaPtr& b) {
  if (a->largest_seq != b->largest_seq) return a->largest_seq > b->largest_seq;
  return a->number > b->number;
}

bool BySmallestKey(const FileMetaPtr& a, const FileMetaPtr& b) {
  int r = CompareInternalKeys(a->smallest.Encode(), b->smallest.Encode());
  return r != 0 ? r < 0 : a->number < b->number;
}

}  // namespace

VersionSet::VersionSet(std::string dir, Env* env)
    : dir_(std::move(dir)), env_(env), current_(std::make_shared<Version>()) {}

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

Status VersionSet::WriteManifest(const VersionEdit& snapshot, uint64_t manifest_number) const {
  const std::string manifest = ManifestFileName(dir_, manifest_number);
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(manifest, &file);
  if (s.ok()) {
    log::Writer writer(file.get());
    s = writer.AddRecord(snapshot.Encode());
    if (s.ok()) s = file->Sync();
    Status close = file->Close();
    if (s.ok()) s = close;
  }
  // Point CURRENT at it: write a temp file, then rename over CURRENT.
  const std::string temp = TempFileName(dir_, manifest_number);
  if (s.ok()) s = WriteStringToFile(env_, manifest.substr(dir_.size() + 1) + "\n", temp, true);
  if (s.ok()) s = env_->RenameFile(temp, CurrentFileName(dir_));
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    env_->RemoveFile(temp).IgnoreError();
    env_->RemoveFile(manifest).IgnoreError();
  }
  return s;
}

void VersionSet::Install(std::shared_ptr<Version> v) {
  versions_.remove_if([](const std::weak_ptr<const Version>& w) { return w.expired(); });
  current_ = std::move(v);
  versions_.push_back(current_);
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  PreparedEdit prepared;
  Status s = Prepare(*edit, &prepared);
  if (s.ok()) s = Persist(prepared);
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
  prepared->manifest_number = NewFileNumber();
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

Status VersionSet::Persist(const PreparedEdit& prepared) const {
  Status s = WriteManifest(prepared.snapshot, prepared.manifest_number);
  return s.ok() ? s : s.WithContext("installing a version edit");
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

  ManifestReporter reporter;
  log::Reader reader(file.get(), &reporter, /*verify_checksums=*/true);
  Slice record;
  std::string scratch;
  VersionEdit edit;
  bool have_record = reader.ReadRecord(&record, &scratch);
  if (have_record) s = edit.Decode(record);
  if (!reporter.status.ok()) return reporter.status.WithContext(manifest);
  if (!have_record) return Status::Corruption(manifest + ": no version edit");
  if (!s.ok()) return s.WithContext(manifest);
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
