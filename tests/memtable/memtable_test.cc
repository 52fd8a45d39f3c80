// Tests of MemTable: versions, deletions, snapshots and iteration order.
#include "memtable/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db/dbformat.h"
#include "strata/iterator.h"

namespace strata {
namespace {

// Holds one reference to a fresh memtable for the test's lifetime.
class MemTableTest : public ::testing::Test {
 protected:
  MemTableTest() : mem_(new MemTable) { mem_->Ref(); }
  ~MemTableTest() override { mem_->Unref(); }

  // "value", "DELETED" or "MISSING" as of sequence seq.
  std::string Get(const std::string& key, SequenceNumber seq) {
    std::string value = "untouched";
    Status s = Status::Corruption("untouched");
    if (!mem_->Get(LookupKey(key, seq), &value, &s)) {
      EXPECT_EQ("untouched", value);
      EXPECT_TRUE(s.IsCorruption());
      return "MISSING";
    }
    if (s.IsNotFound()) return "DELETED";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }

  // All entries in iteration order as "user_key@seq:type=value".
  std::string Contents() {
    std::unique_ptr<Iterator> iter(mem_->NewIterator());
    std::string result;
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) result += Describe(iter.get()) + " ";
    EXPECT_TRUE(iter->status().ok());
    return result;
  }

  // The same, stepping with NextEntry.
  std::string ContentsByNextEntry() {
    std::unique_ptr<Iterator> iter(mem_->NewIterator());
    std::string result;
    iter->SeekToFirst();
    if (!iter->Valid()) return result;
    Slice key = iter->key(), value = iter->value();
    do {
      result += Describe(key, value) + " ";
    } while (iter->NextEntry(&key, &value));
    EXPECT_FALSE(iter->Valid());
    return result;
  }

  static std::string Describe(Iterator* iter) { return Describe(iter->key(), iter->value()); }
  static std::string Describe(const Slice& key, const Slice& value) {
    ParsedInternalKey parsed;
    if (!ParseInternalKey(key, &parsed)) return "BAD";
    return parsed.user_key.ToString() + "@" + std::to_string(parsed.sequence) +
           (parsed.type == kTypeValue ? "=" + value.ToString() : ":del");
  }

  MemTable* mem_;
};

TEST_F(MemTableTest, EmptyMemTableHasNothing) {
  EXPECT_EQ("MISSING", Get("a", kMaxSequenceNumber));
  EXPECT_EQ("", Contents());
  EXPECT_EQ(0u, mem_->NumEntries());
}

TEST_F(MemTableTest, GetReturnsTheNewestVersionAtOrBelowTheSequence) {
  mem_->Add(10, kTypeValue, "k", "v10");
  mem_->Add(20, kTypeValue, "k", "v20");
  mem_->Add(30, kTypeValue, "k", "v30");
  EXPECT_EQ("MISSING", Get("k", 9));
  EXPECT_EQ("v10", Get("k", 10));
  EXPECT_EQ("v10", Get("k", 19));
  EXPECT_EQ("v20", Get("k", 20));
  EXPECT_EQ("v30", Get("k", 30));
  EXPECT_EQ("v30", Get("k", kMaxSequenceNumber));
}

TEST_F(MemTableTest, DeletionHidesOlderVersionsOnlyForLaterSnapshots) {
  mem_->Add(1, kTypeValue, "k", "old");
  mem_->Add(2, kTypeDeletion, "k", "");
  mem_->Add(3, kTypeValue, "k", "new");
  EXPECT_EQ("old", Get("k", 1));
  EXPECT_EQ("DELETED", Get("k", 2));
  EXPECT_EQ("new", Get("k", 3));
}

TEST_F(MemTableTest, DeletionWithoutAnyValueIsStillAnAnswer) {
  mem_->Add(5, kTypeDeletion, "gone", "");
  EXPECT_EQ("DELETED", Get("gone", 5));
  EXPECT_EQ("MISSING", Get("gone", 4));
}

TEST_F(MemTableTest, KeysThatArePrefixesOfEachOtherStayApart) {
  mem_->Add(1, kTypeValue, "ab", "ab-value");
  mem_->Add(2, kTypeValue, "abc", "abc-value");
  mem_->Add(3, kTypeValue, std::string("a\0", 2), "a0-value");
  EXPECT_EQ("MISSING", Get("a", 10));
  EXPECT_EQ("ab-value", Get("ab", 10));
  EXPECT_EQ("abc-value", Get("abc", 10));
  EXPECT_EQ("a0-value", Get(std::string("a\0", 2), 10));
  EXPECT_EQ("MISSING", Get("abcd", 10));
  EXPECT_EQ("MISSING", Get("b", 10));
}

TEST_F(MemTableTest, EmptyAndBinaryValuesRoundTrip) {
  const std::string binary("\x00\xff\x01\x80", 4);
  mem_->Add(1, kTypeValue, "empty", "");
  mem_->Add(2, kTypeValue, "binary", binary);
  const std::string big(300000, 'v');
  mem_->Add(3, kTypeValue, "big", big);
  EXPECT_EQ("", Get("empty", 10));
  EXPECT_EQ(binary, Get("binary", 10));
  EXPECT_EQ(big, Get("big", 10));
}

TEST_F(MemTableTest, IteratesByUserKeyThenNewestFirst) {
  mem_->Add(5, kTypeValue, "b", "b5");
  mem_->Add(1, kTypeValue, "a", "a1");
  mem_->Add(7, kTypeDeletion, "b", "ignored");
  mem_->Add(3, kTypeValue, "a", "a3");
  mem_->Add(2, kTypeValue, "c", "c2");
  EXPECT_EQ("a@3=a3 a@1=a1 b@7:del b@5=b5 c@2=c2 ", Contents());
  EXPECT_EQ("a@3=a3 a@1=a1 b@7:del b@5=b5 c@2=c2 ", ContentsByNextEntry());
  EXPECT_EQ(5u, mem_->NumEntries());
}

TEST_F(MemTableTest, IteratorSeeksByInternalKeyAndMovesBothWays) {
  mem_->Add(1, kTypeValue, "a", "a1");
  mem_->Add(3, kTypeValue, "b", "b3");
  mem_->Add(6, kTypeValue, "b", "b6");
  mem_->Add(2, kTypeValue, "d", "d2");
  std::unique_ptr<Iterator> iter(mem_->NewIterator());

  // (b, 4) sorts after b@6 and before b@3.
  iter->Seek(InternalKey("b", 4, kValueTypeForSeek).Encode());
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("b@3=b3", Describe(iter.get()));
  iter->Prev();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("b@6=b6", Describe(iter.get()));
  iter->Prev();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("a@1=a1", Describe(iter.get()));
  iter->Prev();
  EXPECT_FALSE(iter->Valid());

  iter->Seek(InternalKey("c", kMaxSequenceNumber, kValueTypeForSeek).Encode());
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("d@2=d2", Describe(iter.get()));
  iter->Next();
  EXPECT_FALSE(iter->Valid());

  iter->Seek(InternalKey("e", kMaxSequenceNumber, kValueTypeForSeek).Encode());
  EXPECT_FALSE(iter->Valid());

  iter->SeekToLast();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("d@2=d2", Describe(iter.get()));
  EXPECT_TRUE(iter->status().ok());
}

TEST_F(MemTableTest, MemoryUsageGrowsWithEntries) {
  const size_t before = mem_->ApproximateMemoryUsage();
  for (int i = 0; i < 1000; i++)
    mem_->Add(i + 1, kTypeValue, "key" + std::to_string(i), std::string(100, 'x'));
  EXPECT_GE(mem_->ApproximateMemoryUsage(), before + 1000 * 100);
  EXPECT_EQ(1000u, mem_->NumEntries());
}

TEST_F(MemTableTest, IteratorKeepsWorkingWhileReferencedAfterTheCreatorsUnref) {
  MemTable* mem = new MemTable;
  mem->Ref();
  mem->Add(1, kTypeValue, "k", "v");
  Iterator* iter = mem->NewIterator();
  mem->Ref();  // what the iterator's owner holds
  iter->RegisterCleanup([mem] { mem->Unref(); });
  mem->Unref();  // the creator lets go
  iter->SeekToFirst();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("k@1=v", Describe(iter));
  delete iter;  // the last reference goes with it
}

// Readers call Get while one writer adds; every finished Add is visible.
TEST_F(MemTableTest, ConcurrentGetsSeeFinishedAdds) {
  constexpr int kKeys = 20000;
  std::atomic<int> added{0};
  std::atomic<bool> failed{false};
  std::atomic<bool> reader_started{false};
  std::atomic<int> passes{0};
  std::thread reader([&] {
    reader_started.store(true);
    int done = 0;
    while (done < kKeys && !failed.load()) {
      done = added.load(std::memory_order_acquire);
      for (int i = std::max(0, done - 50); i < done; i++) {
        std::string value;
        Status s;
        const std::string key = "key" + std::to_string(i);
        if (!mem_->Get(LookupKey(key, kMaxSequenceNumber), &value, &s) || !s.ok() || value != "v" + key) {
          failed.store(true);
        }
      }
      std::unique_ptr<Iterator> iter(mem_->NewIterator());
      std::string previous;
      for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
        const std::string current = iter->key().ToString();
        if (!previous.empty() && CompareInternalKeys(previous, current) >= 0) failed.store(true);
        previous = current;
      }
      passes.fetch_add(1);
    }
  });
  while (!reader_started.load()) std::this_thread::yield();
  for (int i = 0; i < kKeys && !failed.load(); i++) {
    const std::string key = "key" + std::to_string(i);
    mem_->Add(i + 1, kTypeValue, key, "v" + key);
    added.store(i + 1, std::memory_order_release);
    if (i % 500 == 0) std::this_thread::yield();
  }
  reader.join();
  EXPECT_FALSE(failed.load());
  EXPECT_GT(passes.load(), 1);
}

}  // namespace
}  // namespace strata
