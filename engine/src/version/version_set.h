// VersionSet: the current Version, the manifest that persists it, and the
// counters that outlive a process (next file number, last sequence, live
// WAL floor).
//
// The manifest is a chain of write-once segments. Each edit produces a new
// segment holding a full snapshot of the levels, then CURRENT is replaced
// by rename to name it (see manifest_format.md). REQUIRES: callers hold the
// DB mutex for every method except NewFileNumber() and Persist(), which are
// thread-safe.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "strata/env.h"
#include "version/version.h"
#include "version/version_edit.h"

namespace strata {

class VersionSet {
 public:
  VersionSet(std::string dir, Env* env);

  // Loads the manifest segment named by CURRENT.
  Status Recover();
  // Writes the first manifest segment of a new, empty database.
  Status CreateNew();

  // Applies edit to the current version, persists the result durably as a
  // new manifest segment, and makes it current. On error nothing changes.
  Status LogAndApply(VersionEdit* edit);

  // LogAndApply in three steps, so that the DB can release its mutex while
  // the segment is written and synced: Prepare applies the edit in memory,
  // Persist makes the result durable, Commit makes it current. At most one
  // edit may be between Prepare and Commit at a time; nothing changes until
  // Commit, so an edit whose Persist failed is simply dropped.
  struct PreparedEdit {
    std::shared_ptr<Version> version;
    VersionEdit snapshot;  // the new segment's record: version and counters
    uint64_t manifest_number = 0;
  };
  Status Prepare(const VersionEdit& edit, PreparedEdit* prepared);
  Status Persist(const PreparedEdit& prepared) const;
  void Commit(PreparedEdit prepared);

  std::shared_ptr<const Version> current() const { return current_; }

  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  uint64_t PeekNextFileNumber() const { return next_file_number_.load(); }
  void MarkFileNumberUsed(uint64_t number);

  SequenceNumber LastSequence() const { return last_sequence_.load(std::memory_order_acquire); }
  void SetLastSequence(SequenceNumber s) { last_sequence_.store(s, std::memory_order_release); }

  // WAL segments numbered below this are fully in tables.
  uint64_t LogNumber() const { return log_number_; }
  // The sequence the first batch in those segments must carry; 0: unknown
  // (a manifest written before it was recorded).
  SequenceNumber LogStartSequence() const { return log_start_sequence_; }
  uint64_t ManifestNumber() const { return manifest_number_; }
  const std::vector<std::string>& compact_pointers() const { return compact_pointers_; }

  // Numbers of the tables of every version still referenced.
  std::set<uint64_t> LiveFiles();

 private:
  // base + edit, checked (Corruption if L1+ files would overlap).
  Status Apply(const Version& base, const VersionEdit& edit, std::shared_ptr<Version>* result) const;
  Status WriteManifest(const VersionEdit& snapshot, uint64_t manifest_number) const;
  // The WAL floor and compact pointers of a snapshot become the current ones.
  void AdoptLogFloorAndPointers(const VersionEdit& snapshot);
  void Install(std::shared_ptr<Version> v);

  const std::string dir_;
  Env* const env_;
  std::atomic<uint64_t> next_file_number_{2};
  std::atomic<SequenceNumber> last_sequence_{0};
  uint64_t log_number_ = 0;
  SequenceNumber log_start_sequence_ = 0;
  uint64_t manifest_number_ = 0;
  std::vector<std::string> compact_pointers_ = std::vector<std::string>(kNumLevels);
  std::shared_ptr<const Version> current_;
  std::list<std::weak_ptr<const Version>> versions_;
};

}  // namespace strata
