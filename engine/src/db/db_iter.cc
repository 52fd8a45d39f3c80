#include "db/db_iter.h"

#include <memory>
#include <string>
#include <utility>

namespace strata {
namespace {

// Going forward, the internal iterator sits on the entry that yields key()
// and value(). Going backward, it sits just before every entry of key(),
// whose newest visible value is kept in saved_key_ / saved_value_.
class DBIter final : public Iterator {
 public:
  DBIter(Iterator* internal, SequenceNumber sequence, ReadSampler sampler, uint64_t period, uint64_t seed)
      : iter_(internal),
        sequence_(sequence),
        sampler_(period == 0 ? nullptr : std::move(sampler)),
        period_(period),
        rng_(seed | 1),
        bytes_until_sample_(NextSampleGap()) {}

  bool Valid() const override { return valid_; }

  Slice key() const override { return direction_ == kForward ? ExtractUserKey(current_) : Slice(saved_key_); }
  Slice value() const override { return direction_ == kForward ? current_value_ : Slice(saved_value_); }

  Status status() const override { return status_.ok() ? iter_->status() : status_; }

  void SeekToFirst() override {
    direction_ = kForward;
    ClearSaved();
    iter_->SeekToFirst();
    if (Load())
      FindNextUserEntry(false);
    else
      valid_ = false;
  }

  void SeekToLast() override {
    direction_ = kReverse;
    ClearSaved();
    iter_->SeekToLast();
    FindPrevUserEntry();
  }

  void Seek(const Slice& target) override {
    direction_ = kForward;
    ClearSaved();
    std::string seek_key;
    AppendInternalKey(&seek_key, target, sequence_, kValueTypeForSeek);
    iter_->Seek(seek_key);
    if (Load())
      FindNextUserEntry(false);
    else
      valid_ = false;
  }

  void Next() override {
    if (direction_ == kReverse) {
      direction_ = kForward;
      // iter_ is before the entries of saved_key_ (or off the start).
      if (!iter_->Valid())
        iter_->SeekToFirst();
      else
        iter_->Next();
      if (!Load()) {
        valid_ = false;
        ClearSaved();
        return;
      }
      // saved_key_ is the key to skip past.
    } else {
      Slice current = ExtractUserKey(current_);
      saved_key_.assign(current.data(), current.size());
      if (!iter_->NextEntry(&current_, &current_value_)) {
        valid_ = false;
        ClearSaved();
        return;
      }
    }
    FindNextUserEntry(true);
  }

  bool NextEntry(Slice* key, Slice* value) override {
    Next();
    if (!valid_) return false;
    *key = this->key();
    *value = this->value();
    return true;
  }

  void Prev() override {
    if (direction_ == kForward) {
      // Step back to before every entry of the current key.
      Slice current = ExtractUserKey(iter_->key());
      saved_key_.assign(current.data(), current.size());
      while (true) {
        iter_->Prev();
        if (!iter_->Valid()) {
          valid_ = false;
          ClearSaved();
          return;
        }
        if (ExtractUserKey(iter_->key()).compare(saved_key_) < 0) break;
      }
      direction_ = kReverse;
    }
    FindPrevUserEntry();
  }

 private:
  enum Direction { kForward, kReverse };

  void ClearSaved() {
    saved_key_.clear();
    saved_value_.clear();
  }

  // Whether iter_ is on an entry; if so, reads it into current_ and
  // current_value_.
  bool Load() {
    if (!iter_->Valid()) return false;
    current_ = iter_->key();
    current_value_ = iter_->value();
    return true;
  }

  // Parses the entry in current_ (read by Load or NextEntry).
  bool Parse(ParsedInternalKey* parsed) {
    if (sampler_) CountRead(current_, current_.size() + current_value_.size());
    if (ParseInternalKey(current_, parsed)) return true;
    status_ = Status::Corruption("malformed internal key in a table or memtable");
    return false;
  }

  void CountRead(const Slice& key, uint64_t bytes) {
    while (bytes_until_sample_ < bytes) {
      bytes_until_sample_ += NextSampleGap();
      sampler_(key);
    }
    bytes_until_sample_ -= bytes;
  }
  // Uniform in [0, 2 * period): samples average one per period.
  uint64_t NextSampleGap() {
    rng_ ^= rng_ >> 12, rng_ ^= rng_ << 25, rng_ ^= rng_ >> 27;  // xorshift64*
    return period_ == 0 ? 0 : (rng_ * 0x2545F4914F6CDD1DULL) % (2 * period_);
  }

  // Moves forward to the first visible, undeleted entry, from the one in
  // current_. With skipping, entries whose user key is <= saved_key_ are
  // hidden.
  void FindNextUserEntry(bool skipping) {
    do {
      ParsedInternalKey ikey;
      if (!Parse(&ikey)) break;
      if (ikey.sequence <= sequence_) {
        if (ikey.type == kTypeDeletion) {
          saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
          skipping = true;
        } else if (!skipping || ikey.user_key.compare(saved_key_) > 0) {
          valid_ = true;
          saved_key_.clear();
          return;
        }
      }
    } while (iter_->NextEntry(&current_, &current_value_));
    saved_key_.clear();
    valid_ = false;
  }

  // Moves backward collecting the newest visible version of the previous
  // user key into saved_key_ / saved_value_.
  void FindPrevUserEntry() {
    ValueType value_type = kTypeDeletion;
    while (Load()) {
      ParsedInternalKey ikey;
      if (!Parse(&ikey)) {
        value_type = kTypeDeletion;
        break;
      }
      if (ikey.sequence <= sequence_) {
        if (value_type != kTypeDeletion && ikey.user_key.compare(saved_key_) < 0)
          break;  // done with saved_key_
        value_type = ikey.type;
        if (value_type == kTypeDeletion) {
          ClearSaved();
        } else {
          saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
          saved_value_.assign(current_value_.data(), current_value_.size());
        }
      }
      iter_->Prev();
    }
    if (value_type == kTypeDeletion) {
      valid_ = false;
      ClearSaved();
      direction_ = kForward;
    } else {
      valid_ = true;
    }
  }

  std::unique_ptr<Iterator> iter_;
  const SequenceNumber sequence_;
  Status status_;
  Direction direction_ = kForward;
  bool valid_ = false;
  // The entry iter_ is on, as Load or NextEntry read it: going forward,
  // key(), value() and Next() take it from here instead of reading it again
  // down every layer of the merge.
  Slice current_;
  Slice current_value_;
  std::string saved_key_;
  std::string saved_value_;
  const ReadSampler sampler_;
  const uint64_t period_;
  uint64_t rng_;  // never 0
  uint64_t bytes_until_sample_;
};

}  // namespace

Iterator* NewDBIterator(Iterator* internal, SequenceNumber sequence, ReadSampler sampler, uint64_t period,
                        uint64_t seed) {
  return new DBIter(internal, sequence, std::move(sampler), period, seed);
}

}  // namespace strata
