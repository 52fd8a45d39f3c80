// RunCompactionJob: the pure merge at the heart of compaction.
//
// Streams the inputs through a k-way merge (one block per input in memory),
// drops what no reader can see any more, and cuts the survivors into tables
// of about target_file_size.
#include <algorithm>
#include <memory>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/level_iterator.h"
#include "db/merger.h"
#include "strata/compaction.h"
#include "strata/env.h"
#include "table/table.h"
#include "table/table_builder.h"

namespace strata {
namespace {

// Answers "does any deeper level hold this user key's range?" in O(log n).
class DeeperRanges {
 public:
  explicit DeeperRanges(std::vector<KeyRange> ranges) : ranges_(std::move(ranges)) {
    std::sort(ranges_.begin(), ranges_.end(),
              [](const KeyRange& a, const KeyRange& b) { return a.smallest < b.smallest; });
    // max_largest_[i]: the largest `largest` among ranges_[0..i].
    for (size_t i = 0; i < ranges_.size(); i++) {
      const std::string& l = ranges_[i].largest;
      max_largest_.push_back(i == 0 || l > max_largest_.back() ? l : max_largest_.back());
    }
  }

  bool MayContain(const Slice& user_key) const {
    // Last range starting at or before the key.
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), user_key,
                               [](const Slice& k, const KeyRange& r) { return k.compare(r.smallest) < 0; });
    if (it == ranges_.begin()) return false;
    size_t i = static_cast<size_t>(it - ranges_.begin()) - 1;
    return user_key.compare(max_largest_[i]) <= 0;
  }

 private:
  std::vector<KeyRange> ranges_;
  std::vector<std::string> max_largest_;
};

// Decides where to cut outputs so no output overlaps too much of the
// grandparent level (which would make its next compaction expensive).
class GrandparentLimit {
 public:
  explicit GrandparentLimit(const CompactionJob& job) : job_(job) {}

  bool ShouldStopBefore(const Slice& user_key) {
    const auto& ranges = job_.grandparent_ranges;
    while (index_ < ranges.size() && user_key.compare(ranges[index_].largest) > 0) {
      if (seen_key_) overlapped_ += job_.grandparent_sizes[index_];
      index_++;
    }
    seen_key_ = true;
    if (overlapped_ > job_.max_grandparent_overlap) {
      overlapped_ = 0;
      return true;
    }
    return false;
  }

 private:
  const CompactionJob& job_;
  size_t index_ = 0;
  bool seen_key_ = false;
  uint64_t overlapped_ = 0;
};

Status OpenTable(Env* env, const std::string& path, uint64_t size, std::unique_ptr<Table>* table) {
  std::unique_ptr<RandomAccessFile> file;
  Status s = env->NewRandomAccessFile(path, &file);
  if (!s.ok()) return s;
  s = Table::Open(TableReadOptions(), std::move(file), size, table);
  return s.WithContext(path);
}

// An iterator over one table that owns the table.
Status NewOwningTableIterator(Env* env, const std::string& path, uint64_t size, Iterator** iter) {
  std::unique_ptr<Table> table;
  Status s = OpenTable(env, path, size, &table);
  if (!s.ok()) return s;
  ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.verify_checksums = true;
  *iter = table->NewIterator(read_options);
  std::shared_ptr<Table> owner(std::move(table));
  (*iter)->RegisterCleanup([owner]() {});
  return Status::OK();
}

// Writes the output tables of one job.
class OutputWriter {
 public:
  OutputWriter(const CompactionJob& job, Env* env, const FileNumberAllocator& allocate,
               CompactionResult* result)
      : job_(job), env_(env), allocate_(allocate), result_(result) {
    options_.block_size = job.block_size;
    options_.block_restart_interval = job.block_restart_interval;
    options_.bloom_bits_per_key = job.bloom_bits_per_key;
    options_.compression = job.compression;
    options_.zlib_level = job.zlib_level;
  }

  bool open() const { return builder_ != nullptr; }
  uint64_t current_size() const { return builder_ ? builder_->FileSize() : 0; }

  Status Add(const Slice& ikey, const Slice& value) {
    if (!builder_) {
      Status s = Open();
      if (!s.ok()) return s;
    }
    if (output_.smallest.empty()) output_.smallest = ikey.ToString();
    output_.largest = ikey.ToString();
    builder_->Add(ikey, value);
    return Status::OK();
  }

  Status Finish() {
    if (!builder_) return Status::OK();
    Status s = builder_->Finish();
    if (s.ok()) s = file_->Sync();
    if (s.ok()) s = file_->Close();
    if (s.ok()) {
      const auto& props = builder_->properties();
      output_.size = builder_->FileSize();
      output_.smallest_seq = props.smallest_seq();
      output_.largest_seq = props.largest_seq();
      output_.entries = props.num_entries();
      output_.tombstones = props.num_tombstones();
      output_.raw_key_bytes = props.raw_key_bytes();
      output_.raw_value_bytes = props.raw_value_bytes();
      output_.properties = props.SerializeAsString();
      result_->bytes_written += output_.size;
      result_->outputs.push_back(output_);
    }
    builder_.reset();
    file_.reset();
    return s;
  }

  // Removes every output written, after a failure.
  void RemoveAll() {
    if (builder_) builder_->Abandon();
    builder_.reset();
    file_.reset();
    if (!output_.path.empty()) env_->RemoveFile(output_.path).IgnoreError();
    for (const auto& out : result_->outputs) env_->RemoveFile(out.path).IgnoreError();
    result_->outputs.clear();
  }

 private:
  Status Open() {
    output_ = CompactionOutput();
    output_.file_number = allocate_();
    output_.path = TableFileName(job_.output_dir, output_.file_number);
    Status s = env_->NewWritableFile(output_.path, &file_);
    if (!s.ok()) return s;
    builder_ = std::make_unique<TableBuilder>(options_, file_.get());
    return Status::OK();
  }

  const CompactionJob& job_;
  Env* const env_;
  const FileNumberAllocator& allocate_;
  CompactionResult* const result_;
  TableBuilderOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  CompactionOutput output_;
};

// Opens the inputs: each L0 table on its own, each deeper level as one run.
Status OpenInputs(const CompactionJob& job, Env* env, std::vector<Iterator*>* children) {
  std::vector<FileMetaPtr> run;
  std::vector<std::string> run_paths;
  auto flush_run = [&]() {
    if (run.empty()) return;
    auto paths = std::make_shared<std::vector<std::string>>(std::move(run_paths));
    auto files = std::move(run);
    // FileMetaData::number indexes paths here.
    children->push_back(NewLevelIterator(std::move(files), [env, paths](const FileMetaData& f) {
      Iterator* iter = nullptr;
      Status s = NewOwningTableIterator(env, (*paths)[f.number], f.file_size, &iter);
      return s.ok() ? iter : NewEmptyIterator(s);
    }));
    run.clear();
    run_paths.clear();
  };
  int run_level = -1;
  for (const auto& in : job.inputs) {
    if (in.level == 0) {
      Iterator* iter = nullptr;
      Status s = NewOwningTableIterator(env, in.path, in.size, &iter);
      if (!s.ok()) return s;
      children->push_back(iter);
      continue;
    }
    if (in.level != run_level) flush_run();
    run_level = in.level;
    auto f = std::make_shared<FileMetaData>();
    f->number = run_paths.size();
    f->file_size = in.size;
    run_paths.push_back(in.path);
    run.push_back(std::move(f));
  }
  flush_run();
  return Status::OK();
}

}  // namespace

CompactionResult RunCompactionJob(const CompactionJob& job, Env* env,
                                  const FileNumberAllocator& allocate_number) {
  CompactionResult result;
  result.job_id = job.id;
  const uint64_t start = env->NowMicros();
  for (const auto& in : job.inputs) result.bytes_read += in.size;

  std::vector<Iterator*> children;
  Status s = OpenInputs(job, env, &children);
  if (!s.ok()) {
    for (Iterator* c : children) delete c;
    result.status = s;
    return result;
  }
  // Level runs need sorted file ranges for Seek; a full scan needs none, so
  // the stub FileMetaData above carries no keys.
  std::unique_ptr<Iterator> input(NewMergingIterator(std::move(children)));

  DeeperRanges deeper(job.deeper_ranges);
  GrandparentLimit grandparents(job);
  OutputWriter out(job, env, allocate_number, &result);

  std::string current_user_key;
  bool has_current_user_key = false;
  // Sequence of the previous (newer) version of the current user key.
  bool has_newer_version = false;
  SequenceNumber newer_version_sequence = 0;

  for (input->SeekToFirst(); input->Valid() && s.ok(); input->Next()) {
    Slice ikey = input->key();
    result.entries_read++;
    ParsedInternalKey parsed;
    if (!ParseInternalKey(ikey, &parsed)) {
      s = Status::Corruption("compaction input holds a malformed internal key");
      break;
    }
    bool new_user_key = !has_current_user_key || parsed.user_key != Slice(current_user_key);
    // Cut outputs only between user keys, so that no user key spans two
    // tables of one level.
    if (new_user_key && out.open() &&
        (out.current_size() >= job.target_file_size || grandparents.ShouldStopBefore(parsed.user_key))) {
      s = out.Finish();
      if (!s.ok()) break;
    } else if (new_user_key) {
      grandparents.ShouldStopBefore(parsed.user_key);
    }
    if (new_user_key) {
      current_user_key.assign(parsed.user_key.data(), parsed.user_key.size());
      has_current_user_key = true;
      has_newer_version = false;
    }

    bool drop = false;
    if (has_newer_version && newer_version_sequence <= job.smallest_snapshot) {
      // A newer version of this key is visible to every snapshot.
      drop = true;
    } else if (parsed.type == kTypeDeletion && parsed.sequence <= job.smallest_snapshot &&
               !deeper.MayContain(parsed.user_key)) {
      // Nothing older can be underneath, and no snapshot needs the tombstone.
      drop = true;
    }
    has_newer_version = true;
    newer_version_sequence = parsed.sequence;

    if (drop) {
      result.entries_dropped++;
    } else {
      result.entries_written++;
      s = out.Add(ikey, input->value());
    }
  }
  if (s.ok()) s = input->status();
  if (s.ok()) s = out.Finish();
  if (!s.ok()) out.RemoveAll();
  result.status = s;
  result.micros = env->NowMicros() - start;
  return result;
}

}  // namespace strata
