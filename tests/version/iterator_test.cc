// The iterators a Version reads through: the merging iterator, the level
// iterator and the DB iterator (engine/src/db/{merger,level_iterator,db_iter}.h),
// over in-memory children and checked against sorted models.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/db_iter.h"
#include "db/dbformat.h"
#include "db/level_iterator.h"
#include "db/merger.h"
#include "util/random.h"
#include "version/version_edit.h"

namespace strata {
namespace {

using Entry = std::pair<std::string, std::string>;
using Entries = std::vector<Entry>;

std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType type = kTypeValue) {
  std::string r;
  AppendInternalKey(&r, user_key, seq, type);
  return r;
}

std::string UserKeyOf(int i) {
  char buf[16];
  snprintf(buf, sizeof(buf), "k%04d", i);
  return buf;
}

bool InternalLess(const Entry& a, const Entry& b) {
  return CompareInternalKeys(a.first, b.first) < 0;
}

// An iterator over a vector of internal-key entries (kept as given), with an
// optional error status.
class VectorIterator final : public Iterator {
 public:
  explicit VectorIterator(Entries entries, Status status = Status::OK())
      : entries_(std::move(entries)), status_(std::move(status)), pos_(entries_.size()) {}
  bool Valid() const override { return pos_ < entries_.size(); }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override { pos_ = entries_.empty() ? 0 : entries_.size() - 1; }
  void Seek(const Slice& target) override {
    pos_ = std::lower_bound(entries_.begin(), entries_.end(), Entry(target.ToString(), ""), InternalLess) -
           entries_.begin();
  }
  void Next() override { pos_++; }
  void Prev() override { pos_ = pos_ == 0 ? entries_.size() : pos_ - 1; }
  Slice key() const override { return entries_[pos_].first; }
  Slice value() const override { return entries_[pos_].second; }
  Status status() const override { return status_; }

 private:
  Entries entries_;
  Status status_;
  size_t pos_;
};

Entries Forward(Iterator* it) {
  Entries out;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.emplace_back(it->key().ToString(), it->value().ToString());
  return out;
}

Entries Backward(Iterator* it) {
  Entries out;
  for (it->SeekToLast(); it->Valid(); it->Prev())
    out.emplace_back(it->key().ToString(), it->value().ToString());
  return out;
}

// Drives `it` with random moves (NextEntry among them) and checks each
// position against `model` (sorted by `less`); seek targets come from
// `targets`.
template <typename Less>
void RandomWalk(Iterator* it, const Entries& model, const std::vector<std::string>& targets, Less less,
                uint64_t seed) {
  Random rnd(seed);
  size_t pos = model.size();  // model.size(): not valid
  for (int step = 0; step < 2000; step++) {
    const int op = static_cast<int>(rnd.Uniform(pos < model.size() ? 6 : 3));
    std::string what;
    switch (op) {
      case 0:
        it->SeekToFirst();
        pos = 0;
        what = "SeekToFirst";
        break;
      case 1:
        it->SeekToLast();
        pos = model.empty() ? 0 : model.size() - 1;
        what = "SeekToLast";
        break;
      case 2: {
        const std::string& t = targets[rnd.Uniform(targets.size())];
        it->Seek(t);
        pos = std::lower_bound(model.begin(), model.end(), Entry(t, ""), less) - model.begin();
        what = "Seek";
        break;
      }
      case 3:
        it->Next();
        pos++;
        what = "Next";
        break;
      case 4:
        it->Prev();
        pos = pos == 0 ? model.size() : pos - 1;
        what = "Prev";
        break;
      case 5: {
        Slice key, value;
        const bool valid = it->NextEntry(&key, &value);
        pos++;
        what = "NextEntry";
        ASSERT_EQ(pos < model.size(), valid) << "step " << step << " " << what;
        if (valid) {
          ASSERT_EQ(model[pos].first, key.ToString()) << "step " << step << " " << what;
          ASSERT_EQ(model[pos].second, value.ToString()) << "step " << step << " " << what;
        }
        break;
      }
    }
    if (pos >= model.size()) {
      pos = model.size();
      ASSERT_FALSE(it->Valid()) << "step " << step << " after " << what;
    } else {
      ASSERT_TRUE(it->Valid()) << "step " << step << " after " << what;
      ASSERT_EQ(model[pos].first, it->key().ToString()) << "step " << step << " after " << what;
      ASSERT_EQ(model[pos].second, it->value().ToString()) << "step " << step << " after " << what;
    }
  }
  EXPECT_TRUE(it->status().ok());
}

// ---- MergingIterator ----

TEST(MergingIteratorTest, MergesChildrenInKeyOrderBothWays) {
  std::unique_ptr<Iterator> it(NewMergingIterator({
      new VectorIterator({{IKey("a", 5), "a5"}, {IKey("c", 1), "c1"}}),
      new VectorIterator({}),
      new VectorIterator({{IKey("a", 7), "a7"}, {IKey("b", 2), "b2"}, {IKey("d", 9), "d9"}}),
  }));
  const Entries expected = {{IKey("a", 7), "a7"},
                            {IKey("a", 5), "a5"},
                            {IKey("b", 2), "b2"},
                            {IKey("c", 1), "c1"},
                            {IKey("d", 9), "d9"}};
  EXPECT_EQ(expected, Forward(it.get()));
  EXPECT_EQ(Entries(expected.rbegin(), expected.rend()), Backward(it.get()));
  EXPECT_TRUE(it->status().ok());
}

TEST(MergingIteratorTest, NoChildrenIsEmpty) {
  std::unique_ptr<Iterator> it(NewMergingIterator({}));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
}

TEST(MergingIteratorTest, ChildErrorIsReported) {
  std::unique_ptr<Iterator> it(NewMergingIterator({
      new VectorIterator({{IKey("a", 1), "v"}}),
      new VectorIterator({}, Status::Corruption("bad block")),
  }));
  Forward(it.get());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(MergingIteratorTest, ChildFailingMidwayStopsTheMerge) {
  // The first child stops with an error after "c": nothing past it may come
  // out, since its lost entries could shadow the other child's.
  std::unique_ptr<Iterator> it(NewMergingIterator({
      new VectorIterator({{IKey("a", 1), "a"}, {IKey("c", 1), "c"}}, Status::Corruption("bad block")),
      new VectorIterator({{IKey("b", 1), "b"}, {IKey("d", 1), "d"}, {IKey("e", 1), "e"}}),
  }));
  const Entries expected = {{IKey("a", 1), "a"}, {IKey("b", 1), "b"}, {IKey("c", 1), "c"}};
  EXPECT_EQ(expected, Forward(it.get()));
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(MergingIteratorTest, EqualKeysComeInChildOrderForwardAndReversedBackward) {
  std::vector<Iterator*> children;
  for (int i = 0; i < 7; i++) {
    children.push_back(new VectorIterator(
        {{IKey("a", 1), "a" + std::to_string(i)}, {IKey("b", 2), "b" + std::to_string(i)}}));
  }
  std::unique_ptr<Iterator> it(NewMergingIterator(children));
  Entries expected;
  for (const char* k : {"a", "b"}) {
    for (int i = 0; i < 7; i++) expected.emplace_back(IKey(k, *k == 'a' ? 1 : 2), k + std::to_string(i));
  }
  EXPECT_EQ(expected, Forward(it.get()));
  // Backward each key's entries come last child first: the reverse of the
  // forward order, entry for entry.
  EXPECT_EQ(Entries(expected.rbegin(), expected.rend()), Backward(it.get()));
}

TEST(MergingIteratorTest, RandomMovesMatchTheSortedUnion) {
  // Up to 20 children: a database behind on compactions merges a dozen or
  // more (memtables, L0 tables, one per deeper level).
  for (uint64_t seed = 1; seed <= 12; seed++) {
    Random rnd(seed);
    std::vector<Entries> children(1 + rnd.Uniform(seed <= 4 ? 5 : 20));
    Entries all;
    SequenceNumber seq = 1;
    for (int i = 0; i < 300; i++) {
      Entry e(IKey(UserKeyOf(static_cast<int>(rnd.Uniform(60))), seq++), "v" + std::to_string(i));
      children[rnd.Uniform(children.size())].push_back(e);
      all.push_back(e);
    }
    std::vector<Iterator*> iters;
    for (auto& c : children) {
      std::sort(c.begin(), c.end(), InternalLess);
      iters.push_back(new VectorIterator(c));
    }
    std::sort(all.begin(), all.end(), InternalLess);
    std::vector<std::string> targets;
    for (int i = -1; i <= 61; i++) targets.push_back(IKey(UserKeyOf(i), rnd.Uniform(seq + 1)));
    std::unique_ptr<Iterator> it(NewMergingIterator(iters));
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomWalk(it.get(), all, targets, InternalLess, seed);
  }
}

// ---- LevelIterator ----

class LevelIteratorTest : public testing::Test {
 protected:
  // Adds a table holding entries (sorted, non-empty) or an empty table
  // spanning [lo, hi].
  void AddTable(Entries entries, const std::string& lo = "", const std::string& hi = "") {
    auto f = std::make_shared<FileMetaData>();
    f->number = tables_.size();
    if (entries.empty()) {
      f->smallest = InternalKey(lo, 100, kTypeValue);
      f->largest = InternalKey(hi, 1, kTypeValue);
    } else {
      f->smallest.DecodeFrom(entries.front().first);
      f->largest.DecodeFrom(entries.back().first);
    }
    files_.push_back(f);
    all_.insert(all_.end(), entries.begin(), entries.end());
    tables_.push_back(std::move(entries));
  }

  Iterator* NewIterator() {
    return NewLevelIterator(files_, [this](const FileMetaData& f) -> Iterator* {
      opened_++;
      if (f.number == failing_) return NewEmptyIterator(Status::Corruption("cannot open"));
      return new VectorIterator(tables_[f.number]);
    });
  }

  std::vector<Entries> tables_;
  std::vector<FileMetaPtr> files_;
  Entries all_;
  uint64_t failing_ = ~uint64_t{0};
  int opened_ = 0;
};

TEST_F(LevelIteratorTest, ReadsEveryTableInOrderBothWays) {
  AddTable({{IKey("a", 3), "a3"}, {IKey("b", 2), "b2"}});
  AddTable({}, "c", "d");  // holds nothing in its range
  AddTable({{IKey("e", 9), "e9"}});
  AddTable({}, "f", "g");
  AddTable({{IKey("h", 1), "h1"}, {IKey("i", 1), "i1"}});
  std::unique_ptr<Iterator> it(NewIterator());
  EXPECT_EQ(all_, Forward(it.get()));
  EXPECT_EQ(Entries(all_.rbegin(), all_.rend()), Backward(it.get()));
  EXPECT_TRUE(it->status().ok());
}

TEST_F(LevelIteratorTest, SeekFindsTheFirstEntryAtOrAfterTarget) {
  AddTable({{IKey("a", 3), "a3"}, {IKey("c", 2), "c2"}});
  AddTable({{IKey("e", 9), "e9"}, {IKey("g", 1), "g1"}});
  std::unique_ptr<Iterator> it(NewIterator());
  it->Seek(IKey("b", 50));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(IKey("c", 2), it->key().ToString());
  it->Seek(IKey("d", 50));  // between tables
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(IKey("e", 9), it->key().ToString());
  it->Seek(IKey("c", 1));  // after c@2: next table
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(IKey("e", 9), it->key().ToString());
  it->Seek(IKey("z", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_F(LevelIteratorTest, EmptyLevelIsEmpty) {
  std::unique_ptr<Iterator> it(NewIterator());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_F(LevelIteratorTest, OpensTablesOnlyWhenReached) {
  for (int t = 0; t < 10; t++) AddTable({{IKey(UserKeyOf(t), 1), "v"}});
  std::unique_ptr<Iterator> it(NewIterator());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(1, opened_);
  it->Seek(IKey(UserKeyOf(7), 5));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(2, opened_);
}

TEST_F(LevelIteratorTest, TableThatFailsToOpenEndsIterationWithItsError) {
  AddTable({{IKey("a", 3), "a3"}});
  AddTable({{IKey("b", 3), "b3"}});
  AddTable({{IKey("c", 3), "c3"}});
  failing_ = 1;
  std::unique_ptr<Iterator> it(NewIterator());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST_F(LevelIteratorTest, RandomMovesMatchTheConcatenation) {
  Random rnd(7);
  SequenceNumber seq = 1;
  for (int t = 0; t < 12; t++) {
    Entries entries;
    if (!rnd.OneIn(4)) {
      for (int k = t * 10; k < t * 10 + 10; k++) {
        if (rnd.OneIn(2)) entries.emplace_back(IKey(UserKeyOf(k), seq++), "v" + std::to_string(k));
      }
    }
    AddTable(entries, UserKeyOf(t * 10), UserKeyOf(t * 10 + 9));
  }
  std::vector<std::string> targets;
  for (int k = -1; k <= 121; k++) targets.push_back(IKey(UserKeyOf(k), rnd.Uniform(seq + 1)));
  std::unique_ptr<Iterator> it(NewIterator());
  RandomWalk(it.get(), all_, targets, InternalLess, 7);
}

// ---- DBIter ----

std::vector<std::pair<std::string, std::string>> UserView(Iterator* it) {
  std::vector<std::pair<std::string, std::string>> out;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.emplace_back(it->key().ToString(), it->value().ToString());
  return out;
}

Iterator* NewDB(Entries entries, SequenceNumber seq) {
  std::sort(entries.begin(), entries.end(), InternalLess);
  return NewDBIterator(new VectorIterator(std::move(entries)), seq);
}

using UserEntries = std::vector<std::pair<std::string, std::string>>;

TEST(DBIterTest, ShowsTheNewestVersionVisibleAtTheSequence) {
  const Entries entries = {{IKey("a", 5), "a5"}, {IKey("a", 3), "a3"}, {IKey("b", 4), "b4"}};
  std::unique_ptr<Iterator> at10(NewDB(entries, 10));
  EXPECT_EQ((UserEntries{{"a", "a5"}, {"b", "b4"}}), UserView(at10.get()));
  std::unique_ptr<Iterator> at4(NewDB(entries, 4));
  EXPECT_EQ((UserEntries{{"a", "a3"}, {"b", "b4"}}), UserView(at4.get()));
  std::unique_ptr<Iterator> at3(NewDB(entries, 3));
  EXPECT_EQ((UserEntries{{"a", "a3"}}), UserView(at3.get()));
  std::unique_ptr<Iterator> at2(NewDB(entries, 2));
  EXPECT_EQ(UserEntries{}, UserView(at2.get()));
}

TEST(DBIterTest, DeletionsHideOlderVersionsOnlyOnceVisible) {
  const Entries entries = {{IKey("a", 6, kTypeDeletion), ""},
                           {IKey("a", 3), "a3"},
                           {IKey("b", 2), "b2"},
                           {IKey("c", 9, kTypeDeletion), ""}};
  std::unique_ptr<Iterator> at10(NewDB(entries, 10));
  EXPECT_EQ((UserEntries{{"b", "b2"}}), UserView(at10.get()));
  std::unique_ptr<Iterator> at5(NewDB(entries, 5));
  EXPECT_EQ((UserEntries{{"a", "a3"}, {"b", "b2"}}), UserView(at5.get()));
}

TEST(DBIterTest, ReverseIterationMatchesForward) {
  const Entries entries = {{IKey("a", 6, kTypeDeletion), ""},
                           {IKey("a", 3), "a3"},
                           {IKey("b", 2), "b2"},
                           {IKey("b", 1), "b1"},
                           {IKey("c", 9), "c9"},
                           {IKey("d", 4, kTypeDeletion), ""}};
  std::unique_ptr<Iterator> it(NewDB(entries, 10));
  UserEntries backward;
  for (it->SeekToLast(); it->Valid(); it->Prev())
    backward.emplace_back(it->key().ToString(), it->value().ToString());
  EXPECT_EQ((UserEntries{{"c", "c9"}, {"b", "b2"}}), backward);
}

TEST(DBIterTest, SeekSkipsDeletedAndInvisibleKeys) {
  const Entries entries = {{IKey("a", 1), "a1"},
                           {IKey("b", 6, kTypeDeletion), ""},
                           {IKey("b", 3), "b3"},
                           {IKey("c", 20), "c20"},
                           {IKey("d", 2), "d2"}};
  std::unique_ptr<Iterator> it(NewDB(entries, 10));
  it->Seek("b");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("d", it->key().ToString());
  it->Seek("");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("a", it->key().ToString());
  it->Seek("e");
  EXPECT_FALSE(it->Valid());
}

TEST(DBIterTest, SamplesWhatItReadsAboutOncePerPeriodOfBytes) {
  // 2,000 entries of 10-byte internal keys and 90-byte values: 200,000
  // bytes read, to be sampled once per 1,000 on average.
  Entries entries;
  for (int i = 0; i < 2000; i++) {
    char user_key[3] = {static_cast<char>('a' + i / 26 / 26 % 26), static_cast<char>('a' + i / 26 % 26),
                        static_cast<char>('a' + i % 26)};
    entries.push_back({IKey(std::string(user_key, 2) + user_key[2], 1), std::string(90, 'v')});
  }
  std::sort(entries.begin(), entries.end(), InternalLess);
  std::vector<std::string> sampled;
  std::unique_ptr<Iterator> it(NewDBIterator(
      new VectorIterator(entries), 10, [&](const Slice& ikey) { sampled.push_back(ikey.ToString()); }, 1000,
      7));
  size_t read = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) read++;
  ASSERT_EQ(2000u, read);
  // Gaps are uniform in [0, 2000): 200 samples expected; far fewer or more
  // would mean a wrong period (the seed fixes the count).
  EXPECT_GT(sampled.size(), 150u);
  EXPECT_LT(sampled.size(), 250u);
  EXPECT_TRUE(std::is_sorted(sampled.begin(), sampled.end(), [](const std::string& a, const std::string& b) {
    return InternalLess({a, ""}, {b, ""});
  }));

  // No sampler, or a period of 0: nothing is sampled, and reading is the same.
  std::unique_ptr<Iterator> unsampled(NewDBIterator(
      new VectorIterator(entries), 10, [&](const Slice&) { ADD_FAILURE() << "sampled with period 0"; }, 0,
      7));
  read = 0;
  for (unsampled->SeekToFirst(); unsampled->Valid(); unsampled->Next()) read++;
  EXPECT_EQ(2000u, read);
}

TEST(DBIterTest, MalformedInternalKeyIsCorruption) {
  Entries entries = {{IKey("a", 1), "a1"}, {"bad", "x"}};  // "bad" is shorter than a tag
  std::unique_ptr<Iterator> it(NewDBIterator(new VectorIterator(entries), 10));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(DBIterTest, InternalErrorIsReported) {
  std::unique_ptr<Iterator> it(NewDBIterator(new VectorIterator({}, Status::IOError("disk")), 10));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

TEST(DBIterTest, RandomMovesMatchTheVisibleState) {
  for (uint64_t seed = 1; seed <= 8; seed++) {
    Random rnd(seed);
    Entries entries;
    SequenceNumber seq = 1;
    const int kKeys = 30;
    for (int i = 0; i < 200; i++) {
      const bool del = rnd.OneIn(3);
      entries.emplace_back(
          IKey(UserKeyOf(static_cast<int>(rnd.Uniform(kKeys))), seq++, del ? kTypeDeletion : kTypeValue),
          del ? "" : "v" + std::to_string(i));
    }
    const SequenceNumber snapshot = rnd.Uniform(seq + 1);
    // Model: the newest version at or below the snapshot, if it is a value.
    std::map<std::string, std::pair<SequenceNumber, Entry>> newest;
    for (const auto& e : entries) {
      ParsedInternalKey p;
      ASSERT_TRUE(ParseInternalKey(e.first, &p));
      if (p.sequence > snapshot) continue;
      auto& slot = newest[p.user_key.ToString()];
      if (slot.second.first.empty() || p.sequence > slot.first) slot = {p.sequence, e};
    }
    Entries model;  // user key, value
    for (const auto& [uk, slot] : newest) {
      ParsedInternalKey p;
      ASSERT_TRUE(ParseInternalKey(slot.second.first, &p));
      if (p.type == kTypeValue) model.emplace_back(uk, slot.second.second);
    }
    std::vector<std::string> targets;
    for (int k = -1; k <= kKeys; k++) targets.push_back(UserKeyOf(k));
    std::unique_ptr<Iterator> it(NewDB(entries, snapshot));
    SCOPED_TRACE("seed " + std::to_string(seed) + " snapshot " + std::to_string(snapshot));
    RandomWalk(
        it.get(), model, targets, [](const Entry& a, const Entry& b) { return a.first < b.first; }, seed);
  }
}

}  // namespace
}  // namespace strata
