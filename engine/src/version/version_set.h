// VersionSet: the current Version, the manifest that persists it, and the
// counters that outlive a process (next file number, last sequence, live
// WAL floor).
//
// The manifest is a chain of segments, each a log of full snapshots of the
// levels; CURRENT names the live one, and its last whole record is the
// state (see manifest_format.md). Where the Env keeps files write-once (the
// browser), each edit writes a new segment and renames CURRENT to name it;
// where synced appends are cheap (POSIX), edits are appended to the open
// segment until it reaches manifest_roll_bytes. REQUIRES: callers hold the
// DB mutex for every method except NewFileNumber(), which is thread-safe,
// and Persist(), which runs without it but never beside Prepare(), Commit()
// or another Persist() (DBImpl::LogAndApply lets one edit through at a time).
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
#include "wal/log_writer.h"

namespace strata {

class VersionSet {
 public:
  // The size past which edits start a new segment rather than append.
  static constexpr uint64_t kDefaultManifestRollBytes = 4 << 20;

  VersionSet(std::string dir, Env* env, uint64_t manifest_roll_bytes = kDefaultManifestRollBytes);

  // Loads the manifest segment named by CURRENT.
  Status Recover();
  // Writes the first manifest segment of a new, empty database.
  Status CreateNew();

  // Applies edit to the current version, persists the result durably in
  // the manifest, and makes it current. On error nothing changes.
  Status LogAndApply(VersionEdit* edit);

  // LogAndApply in three steps, so that the DB can release its mutex while
  // the manifest is written and synced: Prepare applies the edit in memory,
  // Persist makes the result durable, Commit makes it current. At most one
  // edit may be between Prepare and Commit at a time; nothing changes until
  // Commit, so an edit whose Persist failed is simply dropped.
  struct PreparedEdit {
    std::shared_ptr<Version> version;
    VersionEdit snapshot;          // the manifest record: version and counters
    bool append = false;           // to the open segment, else in a new one
    bool adds_tables = false;      // names a table no version named before
    uint64_t files_before = 0;     // files numbered below it existed at Prepare
    uint64_t manifest_number = 0;  // the segment that holds it (Persist may change it)
  };
  Status Prepare(const VersionEdit& edit, PreparedEdit* prepared);
  Status Persist(PreparedEdit* prepared);
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
  // Recover set aside a damaged last record that a torn append could
  // explain, and loaded the one before it. The DB then checks that the WAL
  // holds everything since (DBImpl::Recover): a completed edit whose record
  // was damaged later would otherwise be lost in silence.
  bool RecoveredPastDamagedTail() const { return recovered_past_damaged_tail_; }
  const std::vector<std::string>& compact_pointers() const { return compact_pointers_; }

  // Numbers of the tables of every version still referenced.
  std::set<uint64_t> LiveFiles();

 private:
  // base + edit, checked (Corruption if L1+ files would overlap).
  Status Apply(const Version& base, const VersionEdit& edit, std::shared_ptr<Version>* result) const;
  // Writes record as the first of new segment manifest_number, syncs it and
  // points CURRENT at it; keeps the segment open for appends where the Env
  // says they are cheap.
  Status StartManifest(const std::string& record, uint64_t manifest_number);
  Status AppendToManifest(const std::string& record);
  void CloseManifest();
  // Every table of v is on disk (Corruption naming the first that is not).
  Status CheckTablesExist(const Version& v) const;
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
  bool recovered_past_damaged_tail_ = false;
  // Files numbered below this have a durable directory entry, as far as
  // manifest writes know (tables aside: an edit that adds one syncs).
  uint64_t dir_synced_below_ = 0;
  // The open segment that edits are appended to; null: the next edit starts
  // a new one (always after Recover, so a torn tail is never appended to).
  std::unique_ptr<WritableFile> manifest_file_;
  std::unique_ptr<log::Writer> manifest_log_;
  const uint64_t manifest_roll_bytes_;
  std::vector<std::string> compact_pointers_ = std::vector<std::string>(kNumLevels);
  std::shared_ptr<const Version> current_;
  std::list<std::weak_ptr<const Version>> versions_;
};

}  // namespace strata
