#include "version/version_edit.h"

#include <set>

#include "db/filename.h"
#include "proto/manifest.pb.h"
#include "strata/options.h"

namespace strata {

std::string VersionEdit::Encode() const {
  pb::VersionEdit m;
  m.set_format_version(kManifestFormatVersion);
  if (log_number) m.set_log_number(*log_number);
  if (log_start_sequence) m.set_log_start_sequence(*log_start_sequence);
  if (next_file_number) m.set_next_file_number(*next_file_number);
  if (last_sequence) m.set_last_sequence(*last_sequence);
  for (const auto& [level, number] : deleted_files) {
    pb::DeletedFile* d = m.add_deleted_files();
    d->set_level(level);
    d->set_number(number);
  }
  for (const auto& [level, f] : new_files) {
    pb::FileMeta* n = m.add_new_files();
    n->set_level(level);
    n->set_number(f->number);
    n->set_size(f->file_size);
    n->set_smallest(f->smallest.Encode().ToString());
    n->set_largest(f->largest.Encode().ToString());
    n->set_smallest_seq(f->smallest_seq);
    n->set_largest_seq(f->largest_seq);
    n->set_entries(f->entries);
    n->set_tombstones(f->tombstones);
    n->set_raw_key_bytes(f->raw_key_bytes);
    n->set_raw_value_bytes(f->raw_value_bytes);
  }
  for (const auto& [level, key] : compact_pointers) {
    pb::CompactPointer* c = m.add_compact_pointers();
    c->set_level(level);
    c->set_key(key.Encode().ToString());
  }
  return m.SerializeAsString();
}

namespace {

Status Bad(const std::string& what) {
  return Status::Corruption("version edit: " + what);
}

// A key read from the manifest: a well-formed internal key whose user key
// is within the limit.
bool ValidInternalKey(const std::string& key) {
  ParsedInternalKey parsed;
  return ParseInternalKey(key, &parsed) && parsed.user_key.size() <= kMaxKeySize;
}

}  // namespace

Status VersionEdit::Decode(const Slice& data) {
  *this = VersionEdit();
  pb::VersionEdit m;
  if (!m.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Status::Corruption("version edit does not parse as protobuf");
  }
  if (m.format_version() > kManifestFormatVersion) {
    return Status::Corruption("manifest format version " + std::to_string(m.format_version()) +
                              " is newer than this build supports (" +
                              std::to_string(kManifestFormatVersion) + ")");
  }
  auto bad_level = [](int level) { return level < 0 || level >= kNumLevels; };
  if (m.has_log_number()) {
    if (m.log_number() >= kMaxFileNumber)
      return Bad("log number " + std::to_string(m.log_number()) + " is too large");
    log_number = m.log_number();
  }
  if (m.has_next_file_number()) {
    if (m.next_file_number() >= kMaxFileNumber)
      return Bad("next file number " + std::to_string(m.next_file_number()) + " is too large");
    next_file_number = m.next_file_number();
  }
  if (m.has_last_sequence()) {
    if (m.last_sequence() > kMaxSequenceNumber) return Bad("last sequence is over 56 bits");
    last_sequence = m.last_sequence();
  }
  if (m.has_log_start_sequence()) {
    if (m.log_start_sequence() > kMaxSequenceNumber + 1) return Bad("log start sequence is over 56 bits");
    log_start_sequence = m.log_start_sequence();
  }
  for (const auto& d : m.deleted_files()) {
    if (bad_level(d.level())) return Bad("deleted file level out of range");
    deleted_files.emplace_back(d.level(), d.number());
  }
  std::set<uint64_t> numbers;
  for (const auto& n : m.new_files()) {
    const std::string name = "file " + std::to_string(n.number());
    if (bad_level(n.level())) return Bad(name + ": level " + std::to_string(n.level()) + " out of range");
    if (n.number() == 0 || n.number() >= kMaxFileNumber) return Bad(name + ": number out of range");
    if (!numbers.insert(n.number()).second) return Bad(name + " is listed twice");
    if (n.size() == 0) return Bad(name + " has size 0");
    if (!ValidInternalKey(n.smallest()) || !ValidInternalKey(n.largest()))
      return Bad(name + " has a bad key range");
    if (CompareInternalKeys(n.smallest(), n.largest()) > 0)
      return Bad(name + ": smallest key is after largest");
    if (n.smallest_seq() > n.largest_seq() || n.largest_seq() > kMaxSequenceNumber)
      return Bad(name + " has a bad sequence range");
    auto f = std::make_shared<FileMetaData>();
    f->number = n.number();
    f->file_size = n.size();
    f->smallest.DecodeFrom(n.smallest());
    f->largest.DecodeFrom(n.largest());
    f->smallest_seq = n.smallest_seq();
    f->largest_seq = n.largest_seq();
    f->entries = n.entries();
    f->tombstones = n.tombstones();
    f->raw_key_bytes = n.raw_key_bytes();
    f->raw_value_bytes = n.raw_value_bytes();
    new_files.emplace_back(n.level(), std::move(f));
  }
  for (const auto& c : m.compact_pointers()) {
    if (bad_level(c.level())) return Bad("compact pointer level out of range");
    if (!ValidInternalKey(c.key()))
      return Bad("compact pointer of level " + std::to_string(c.level()) + " is not a key");
    InternalKey k;
    k.DecodeFrom(c.key());
    compact_pointers.emplace_back(c.level(), std::move(k));
  }
  return Status::OK();
}

}  // namespace strata
