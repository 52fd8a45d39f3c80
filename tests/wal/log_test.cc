// Tests of the WAL record format: log::Writer and log::Reader.
//
// Logs are written to and read from strings through small in-memory files,
// so tests can damage any byte and check exactly what the reader reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "strata/env.h"
#include "util/coding.h"
#include "util/crc.h"
#include "util/random.h"
#include "wal/log_format.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata::log {
namespace {

// Appends to a string; can be told to fail.
class StringSink : public WritableFile {
 public:
  Status Append(const Slice& data) override {
    if (fail_appends) return Status::IOError("injected append failure");
    contents.append(data.data(), data.size());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }

  std::string contents;
  bool fail_appends = false;
};

// Reads a string front to back; can be told to fail reads past an offset.
class StringSource : public SequentialFile {
 public:
  explicit StringSource(const std::string* contents) : contents_(contents) {}

  Status Read(size_t n, Slice* result, char* scratch) override {
    if (pos_ >= fail_reads_at) return Status::IOError("injected read failure");
    const size_t avail = contents_->size() - pos_;
    n = std::min(n, avail);
    // Copy into scratch, as a file would, so stale pointers show up in ASan.
    memcpy(scratch, contents_->data() + pos_, n);
    *result = Slice(scratch, n);
    pos_ += n;
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += std::min<uint64_t>(n, contents_->size() - pos_);
    return Status::OK();
  }

  size_t fail_reads_at = SIZE_MAX;

 private:
  const std::string* contents_;
  size_t pos_ = 0;
};

class RecordingReporter : public Reader::Reporter {
 public:
  void Dropped(size_t bytes, const Status& reason, bool torn_write) override {
    calls++;
    bytes_dropped += bytes;
    reasons.push_back(reason);
    torn_writes.push_back(torn_write);
  }

  int calls = 0;
  size_t bytes_dropped = 0;
  std::vector<Status> reasons;
  std::vector<bool> torn_writes;  // per report: could a torn write explain it
};

// A string of length n built from seed, distinct for distinct (seed, n).
std::string BigString(const std::string& seed, size_t n) {
  std::string result;
  while (result.size() < n) result += seed;
  result.resize(n);
  return result;
}

std::string NumberString(int n) {
  return std::to_string(n) + ".";
}

// Bytes a record of `length` takes when written at file offset `offset`,
// counting headers, and any trailer padding needed before it.
size_t PhysicalSize(uint64_t offset, size_t length) {
  size_t total = 0;
  size_t block_offset = offset % kBlockSize;
  bool first = true;
  while (first || length > 0) {
    first = false;
    if (kBlockSize - block_offset < kHeaderSize) {
      total += kBlockSize - block_offset;
      block_offset = 0;
    }
    const size_t n = std::min(length, kBlockSize - block_offset - kHeaderSize);
    total += kHeaderSize + n;
    block_offset += kHeaderSize + n;
    length -= n;
  }
  return total;
}

class LogTest : public ::testing::Test {
 protected:
  LogTest() : writer_(std::make_unique<Writer>(&sink_)) {}

  void Write(const std::string& record) { ASSERT_TRUE(writer_->AddRecord(record).ok()); }
  size_t WrittenBytes() const { return sink_.contents.size(); }
  std::string& Contents() { return sink_.contents; }

  // Reads the next record, or "EOF".
  std::string Read() {
    if (reader_ == nullptr) {
      source_ = std::make_unique<StringSource>(&sink_.contents);
      source_->fail_reads_at = fail_reads_at_;
      reader_ = std::make_unique<Reader>(source_.get(), &reporter_, verify_checksums_);
    }
    std::string scratch;
    Slice record;
    if (reader_->ReadRecord(&record, &scratch)) return record.ToString();
    return "EOF";
  }

  // Reads every remaining record.
  std::vector<std::string> ReadAll() {
    std::vector<std::string> records;
    for (std::string r = Read(); r != "EOF"; r = Read()) records.push_back(r);
    return records;
  }

  void IncrementByte(size_t offset, int delta) {
    Contents()[offset] = static_cast<char>(Contents()[offset] + delta);
  }
  void SetByte(size_t offset, char value) { Contents()[offset] = value; }
  void ShrinkSize(size_t bytes) { Contents().resize(Contents().size() - bytes); }

  // Rewrites the checksum of the physical record whose header is at offset,
  // after a test changed its type or payload on purpose.
  void FixChecksum(size_t header_offset) {
    const char* header = Contents().data() + header_offset;
    const size_t length = static_cast<uint8_t>(header[4]) | static_cast<uint8_t>(header[5]) << 8;
    const uint32_t crc = crc::Mask(crc::Value(header + 6, 1 + length));
    EncodeFixed32(&Contents()[header_offset], crc);
  }

  bool ReasonMentions(const std::string& text) const {
    for (const Status& s : reporter_.reasons) {
      if (s.message().find(text) != std::string::npos) return true;
    }
    return false;
  }

  StringSink sink_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<StringSource> source_;
  std::unique_ptr<Reader> reader_;
  RecordingReporter reporter_;
  bool verify_checksums_ = true;
  size_t fail_reads_at_ = SIZE_MAX;
};

// --- Well-formed logs ------------------------------------------------------

TEST_F(LogTest, EmptyLogReadsNothing) {
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(0, reporter_.calls);
  EXPECT_EQ(0u, writer_->BytesWritten());
}

TEST_F(LogTest, ReadsBackSmallRecordsInOrder) {
  Write("foo");
  Write("bar");
  Write("");
  Write("xxxx");
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("bar", Read());
  EXPECT_EQ("", Read());
  EXPECT_EQ("xxxx", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ("EOF", Read());  // stays at the end
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, EmptyRecordIsOneHeader) {
  Write("");
  EXPECT_EQ(kHeaderSize, WrittenBytes());
  EXPECT_EQ("", Read());
  EXPECT_EQ("EOF", Read());
}

TEST_F(LogTest, ManyRecordsAcrossManyBlocks) {
  for (int i = 0; i < 100000; i++) Write(NumberString(i));
  ASSERT_GT(WrittenBytes(), 10 * kBlockSize);
  for (int i = 0; i < 100000; i++) ASSERT_EQ(NumberString(i), Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, FragmentsRecordsLargerThanABlock) {
  Write("small");
  Write(BigString("medium", 50000));
  Write(BigString("large", 100000));
  Write(BigString("huge", 5 * kBlockSize + 123));
  EXPECT_EQ("small", Read());
  EXPECT_EQ(BigString("medium", 50000), Read());
  EXPECT_EQ(BigString("large", 100000), Read());
  EXPECT_EQ(BigString("huge", 5 * kBlockSize + 123), Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, FragmentTypesFollowFirstMiddleLast) {
  // Spans three blocks: FIRST fills block 0, MIDDLE block 1, LAST ends in 2.
  Write(BigString("x", 2 * kBlockSize));
  ASSERT_EQ(2 * kBlockSize + 3 * kHeaderSize, WrittenBytes());
  EXPECT_EQ(kFirstType, Contents()[6]);
  EXPECT_EQ(kMiddleType, Contents()[kBlockSize + 6]);
  EXPECT_EQ(kLastType, Contents()[2 * kBlockSize + 6]);
  EXPECT_EQ(BigString("x", 2 * kBlockSize), Read());
}

TEST_F(LogTest, RecordExactlyFillingABlockLeavesNoTrailer) {
  const std::string fill = BigString("a", kBlockSize - kHeaderSize);
  Write(fill);
  EXPECT_EQ(kBlockSize, WrittenBytes());
  EXPECT_EQ(kFullType, Contents()[6]);
  Write("next");
  EXPECT_EQ(kBlockSize + kHeaderSize + 4, WrittenBytes());
  EXPECT_EQ(fill, Read());
  EXPECT_EQ("next", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, TrailersOfZeroToSixBytesAreZeroFilledAndSkipped) {
  for (size_t trailer = 0; trailer < kHeaderSize; trailer++) {
    SCOPED_TRACE("trailer " + std::to_string(trailer));
    StringSink sink;
    Writer writer(&sink);
    const std::string first = BigString("f", kBlockSize - kHeaderSize - trailer);
    ASSERT_TRUE(writer.AddRecord(first).ok());
    ASSERT_EQ(kBlockSize - trailer, sink.contents.size());
    ASSERT_TRUE(writer.AddRecord("second").ok());
    ASSERT_EQ(kBlockSize + kHeaderSize + 6, sink.contents.size());
    EXPECT_EQ(sink.contents.size(), writer.BytesWritten());
    EXPECT_EQ(std::string(trailer, '\0'), sink.contents.substr(kBlockSize - trailer, trailer));

    StringSource source(&sink.contents);
    RecordingReporter reporter;
    Reader reader(&source, &reporter, true);
    std::string scratch;
    Slice record;
    ASSERT_TRUE(reader.ReadRecord(&record, &scratch));
    EXPECT_EQ(first, record.ToString());
    ASSERT_TRUE(reader.ReadRecord(&record, &scratch));
    EXPECT_EQ("second", record.ToString());
    EXPECT_EQ(kBlockSize, reader.LastRecordOffset());
    EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
    EXPECT_EQ(0, reporter.calls);
  }
}

TEST_F(LogTest, SevenByteLeftoverHoldsAnEmptyFirstFragment) {
  // Exactly a header fits: the next record starts there with no payload.
  Write(BigString("f", kBlockSize - 2 * kHeaderSize));
  Write("spills into the next block");
  EXPECT_EQ(kFirstType, Contents()[kBlockSize - kHeaderSize + 6]);
  EXPECT_EQ(BigString("f", kBlockSize - 2 * kHeaderSize), Read());
  EXPECT_EQ("spills into the next block", Read());
  EXPECT_EQ(kBlockSize - kHeaderSize, reader_->LastRecordOffset());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, FileEndingBeforeATrailerIsNotDamage) {
  // The writer pads a trailer only when the next record comes; a log that
  // ends where a trailer would start is complete.
  Write(BigString("f", kBlockSize - kHeaderSize - 3));
  ASSERT_EQ(kBlockSize - 3, WrittenBytes());
  EXPECT_EQ(BigString("f", kBlockSize - kHeaderSize - 3), Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, WalkThroughInLogFormatMdHolds) {
  Write(BigString("A", 1000));
  Write(BigString("B", 97270));
  Write("");
  ASSERT_EQ(98311u, WrittenBytes());
  EXPECT_EQ(kFullType, Contents()[0 + 6]);
  EXPECT_EQ(kFirstType, Contents()[1007 + 6]);
  EXPECT_EQ(kMiddleType, Contents()[32768 + 6]);
  EXPECT_EQ(kLastType, Contents()[65536 + 6]);
  EXPECT_EQ(std::string(6, '\0'), Contents().substr(98298, 6));
  EXPECT_EQ(kFullType, Contents()[98304 + 6]);
  EXPECT_EQ(0, Contents()[98304 + 4]);  // C's length
  EXPECT_EQ(BigString("A", 1000), Read());
  EXPECT_EQ(BigString("B", 97270), Read());
  EXPECT_EQ(1007u, reader_->LastRecordOffset());
  EXPECT_EQ("", Read());
  EXPECT_EQ(98304u, reader_->LastRecordOffset());
}

TEST_F(LogTest, BytesWrittenMatchesTheFile) {
  Random rnd(301);
  for (int i = 0; i < 200; i++) {
    const uint64_t before = writer_->BytesWritten();
    const size_t length = rnd.OneIn(10) ? rnd.Uniform(3 * kBlockSize) : rnd.Uniform(200);
    Write(BigString(NumberString(i), length));
    ASSERT_EQ(WrittenBytes(), writer_->BytesWritten());
    ASSERT_EQ(PhysicalSize(before, length), writer_->BytesWritten() - before);
  }
}

TEST_F(LogTest, LastRecordOffsetIsTheFirstHeaderOfTheRecord) {
  EXPECT_EQ(0u, Reader(nullptr, nullptr, true).LastRecordOffset());
  Write("a");                                  // [0, 8)
  Write(BigString("b", kBlockSize));           // FIRST at 8
  Write(BigString("c", kBlockSize - 40 - 7));  // FULL after the LAST
  Write("d");
  ASSERT_EQ("a", Read());
  EXPECT_EQ(0u, reader_->LastRecordOffset());
  ASSERT_EQ(BigString("b", kBlockSize), Read());
  EXPECT_EQ(8u, reader_->LastRecordOffset());
  ASSERT_EQ(BigString("c", kBlockSize - 40 - 7), Read());
  const uint64_t c_offset = 8 + PhysicalSize(8, kBlockSize);
  EXPECT_EQ(c_offset, reader_->LastRecordOffset());
  ASSERT_EQ("d", Read());
  EXPECT_EQ(c_offset + PhysicalSize(c_offset, kBlockSize - 47), reader_->LastRecordOffset());
}

TEST_F(LogTest, WriteErrorIsStickyAndCountsOnlyWrittenBytes) {
  Write("ok");
  sink_.fail_appends = true;
  EXPECT_TRUE(writer_->AddRecord("lost").IsIOError());
  sink_.fail_appends = false;
  EXPECT_TRUE(writer_->AddRecord("after").IsIOError());
  EXPECT_EQ(kHeaderSize + 2, writer_->BytesWritten());
  EXPECT_EQ("ok", Read());
  EXPECT_EQ("EOF", Read());
}

// --- Torn tails --------------------------------------------------------------

// Writes `records`, then cuts the file at every offset inside the last one
// (and inside any padding before it), and checks that the earlier records
// read back and the torn bytes are reported once, with their exact count.
void CheckEveryTruncationOfTheLastRecordIsReported(const std::vector<std::string>& records) {
  StringSink sink;
  Writer writer(&sink);
  for (size_t i = 0; i + 1 < records.size(); i++) ASSERT_TRUE(writer.AddRecord(records[i]).ok());
  const size_t previous_end = sink.contents.size();
  ASSERT_TRUE(writer.AddRecord(records.back()).ok());
  const std::string full = sink.contents;

  for (size_t cut = previous_end + 1; cut < full.size(); cut++) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(full.size()));
    const std::string truncated = full.substr(0, cut);
    StringSource source(&truncated);
    RecordingReporter reporter;
    Reader reader(&source, &reporter, true);
    std::string scratch;
    Slice record;
    for (size_t i = 0; i + 1 < records.size(); i++) {
      ASSERT_TRUE(reader.ReadRecord(&record, &scratch));
      ASSERT_EQ(records[i], record.ToString());
    }
    ASSERT_EQ(0, reporter.calls) << "reported before the tail";
    ASSERT_FALSE(reader.ReadRecord(&record, &scratch));
    // Padding before the last record that reaches the end of its block is a
    // complete trailer, which is never counted as dropped.
    const size_t room = kBlockSize - previous_end % kBlockSize;
    const size_t padding = room < kHeaderSize ? room : 0;
    const size_t expected = cut - previous_end - (cut >= previous_end + padding ? padding : 0);
    if (expected == 0) {
      ASSERT_EQ(0, reporter.calls);
    } else {
      ASSERT_EQ(1, reporter.calls);
      ASSERT_EQ(expected, reporter.bytes_dropped);
      ASSERT_TRUE(reporter.reasons[0].IsCorruption()) << reporter.reasons[0].ToString();
      ASSERT_NE(std::string::npos, reporter.reasons[0].message().find("offset"));
    }
    ASSERT_FALSE(reader.ReadRecord(&record, &scratch));
    ASSERT_LE(reporter.calls, 1) << "a drop was reported twice";
  }
}

TEST(LogTornTailTest, TruncatedSmallRecordIsReported) {
  CheckEveryTruncationOfTheLastRecordIsReported({"first", "second", "the last record"});
}

TEST(LogTornTailTest, TruncatedOnlyRecordIsReported) {
  CheckEveryTruncationOfTheLastRecordIsReported({BigString("only", 1000)});
}

TEST(LogTornTailTest, TruncatedFragmentedRecordIsReported) {
  CheckEveryTruncationOfTheLastRecordIsReported({"first", BigString("spans three blocks", 2 * kBlockSize)});
}

TEST(LogTornTailTest, TruncatedRecordAfterTrailerPaddingIsReported) {
  // The last record starts after 4 bytes of padding; cuts inside the
  // padding are torn writes too, except the one at the block boundary.
  CheckEveryTruncationOfTheLastRecordIsReported({BigString("f", kBlockSize - kHeaderSize - 4), "last"});
}

TEST(LogTornTailTest, TruncatedRecordEndingExactlyAtABlockIsReported) {
  CheckEveryTruncationOfTheLastRecordIsReported({"a", BigString("b", kBlockSize - 2 * kHeaderSize - 1)});
}

TEST_F(LogTest, TruncatedHeaderAtEndOfFileIsReported) {
  Write("foo");
  Write("bar");
  ShrinkSize(3 + 4);  // leaves 3 bytes of bar's header
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(3u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("truncated record header at offset 10"));
}

TEST_F(LogTest, MissingLastFragmentAtEndOfFileIsReported) {
  Write(BigString("x", kBlockSize + 100));
  ShrinkSize(kHeaderSize + 100 + kHeaderSize);  // cut just after FIRST
  ASSERT_EQ(kBlockSize, WrittenBytes());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(kBlockSize, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("truncated"));
}

TEST_F(LogTest, ZeroFilledTailIsReported) {
  // A file system may extend a file before its data lands after a crash.
  Write("foo");
  Contents().append(100, '\0');
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(100u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("zero-filled"));
}

TEST_F(LogTest, ZeroFilledBlocksAtTheTailAreOneDrop) {
  Write("foo");
  Contents().append(3 * kBlockSize - WrittenBytes() + 50, '\0');
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(WrittenBytes() - 10, reporter_.bytes_dropped);
}

// --- Telling a torn write from damage ----------------------------------------
// A torn write leaves a prefix of what was appended, maybe followed by zeros
// or garbage; a complete record damaged before valid data is something else.

TEST_F(LogTest, TornTailsAreReportedAsPossibleTornWrites) {
  Write("foo");
  Write("bar");
  ShrinkSize(2);  // bar cut short
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  ASSERT_EQ(1, reporter_.calls);
  EXPECT_TRUE(reporter_.torn_writes[0]);
}

TEST_F(LogTest, ZeroFillAfterTheLastRecordIsAPossibleTornWrite) {
  Write("foo");
  Contents().append(50, '\0');
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  ASSERT_EQ(1, reporter_.calls);
  EXPECT_TRUE(reporter_.torn_writes[0]);
}

TEST_F(LogTest, DamagedLastRecordIsAPossibleTornWrite) {
  // Nothing follows it: a partly written sector looks the same.
  Write("foo");
  Write("bar");
  IncrementByte(10 + kHeaderSize, 1);
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  ASSERT_EQ(1, reporter_.calls);
  EXPECT_TRUE(reporter_.torn_writes[0]);
}

TEST_F(LogTest, DamagedRecordBeforeAValidOneInTheLastBlockIsNotATornWrite) {
  Write("foo");  // [0, 10)
  Write("bar");  // [10, 20)
  Write("baz");  // [20, 30), intact
  IncrementByte(10 + kHeaderSize, 1);
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());  // the rest of the block goes with bar
  ASSERT_EQ(1, reporter_.calls);
  EXPECT_EQ(20u, reporter_.bytes_dropped);
  EXPECT_FALSE(reporter_.torn_writes[0]);
  EXPECT_TRUE(ReasonMentions("checksum mismatch in record at offset 10"));
}

TEST_F(LogTest, UnknownTypeAndOrphanFragmentsAtTheTailAreNotTornWrites) {
  Write("foo");
  Write("bar");
  SetByte(10 + 6, 9);
  FixChecksum(10);  // a whole record, checksum good, type unknown
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  ASSERT_EQ(1, reporter_.calls);
  EXPECT_FALSE(reporter_.torn_writes[0]);
}

TEST_F(LogTest, ReadErrorIsNotATornWrite) {
  Write("foo");
  Write(BigString("x", kBlockSize));
  fail_reads_at_ = kBlockSize;
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  ASSERT_GE(reporter_.calls, 1);
  EXPECT_FALSE(reporter_.torn_writes.back());
}

// --- Damage in the middle ----------------------------------------------------

TEST_F(LogTest, ChecksumMismatchDropsTheRestOfTheBlockAndResyncs) {
  Write("foo");                                             // [0, 10)
  Write("bar");                                             // [10, 20)
  Write("baz");                                             // [20, 30)
  Write(BigString("fill", kBlockSize - 30 - kHeaderSize));  // ends the block
  Write("next block");
  IncrementByte(10 + kHeaderSize, 1);  // damage bar's payload
  EXPECT_EQ("foo", Read());
  EXPECT_EQ(0, reporter_.calls);
  EXPECT_EQ("next block", Read());  // baz and fill shared bar's block
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(kBlockSize - 10, reporter_.bytes_dropped);
  EXPECT_TRUE(reporter_.reasons[0].IsCorruption());
  EXPECT_TRUE(ReasonMentions("checksum mismatch in record at offset 10"));
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
}

TEST_F(LogTest, ChecksumMismatchInAHeaderIsDetected) {
  Write("foo");
  Write("bar");
  IncrementByte(10, 1);  // bar's stored checksum
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("checksum mismatch"));
}

TEST_F(LogTest, DamagedFirstFragmentDropsTheWholeRecordOnce) {
  Write("before");
  const size_t start = WrittenBytes();
  Write(BigString("frag", 3 * kBlockSize));  // FIRST MIDDLE MIDDLE LAST
  const size_t end = WrittenBytes();
  Write("after");
  IncrementByte(start + kHeaderSize + 5, 1);
  EXPECT_EQ("before", Read());
  EXPECT_EQ("after", Read());
  // The MIDDLE and LAST fragments that follow are orphans: same region.
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(end - start, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("checksum mismatch in record at offset " + std::to_string(start)));
  EXPECT_EQ("EOF", Read());
}

TEST_F(LogTest, DamagedMiddleFragmentDropsTheWholeRecordOnce) {
  Write("before");
  const size_t start = WrittenBytes();
  Write(BigString("frag", 3 * kBlockSize));
  const size_t end = WrittenBytes();
  Write("after");
  IncrementByte(kBlockSize + kHeaderSize + 5, 1);  // the first MIDDLE
  EXPECT_EQ("before", Read());
  EXPECT_EQ("after", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(end - start, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("dropped " + std::to_string(end - start) + " bytes from offset " +
                             std::to_string(start)));
}

TEST_F(LogTest, BadLengthDropsTheRestOfTheBlockAndResyncs) {
  Write("foo");
  Write("bar");
  Write(BigString("fill", kBlockSize - 20 - kHeaderSize));
  Write("next block");
  SetByte(10 + 4, static_cast<char>(0xff));  // bar's length: 0x??ff
  SetByte(10 + 5, static_cast<char>(0x7f));  // 32767: beyond the block
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("next block", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(kBlockSize - 10, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("bad record length 32767 at offset 10"));
}

TEST_F(LogTest, BadLengthInTheLastBlockIsNotMistakenForATornWrite) {
  Write("foo");
  Write("bar");
  SetByte(10 + 5, static_cast<char>(0x80));  // longer than any block holds
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("bad record length"));
}

TEST_F(LogTest, ShortenedLengthFailsTheChecksum) {
  Write("foo");
  Write("bar");
  SetByte(10 + 4, 2);  // bar claims 2 bytes
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("checksum mismatch"));
}

TEST_F(LogTest, UnknownRecordTypeDropsOnlyThatRecord) {
  Write("foo");
  Write("bar");
  Write("baz");
  SetByte(10 + 6, 9);
  FixChecksum(10);
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("baz", Read());  // same block: the length was trustworthy
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("unknown record type 9 at offset 10"));
}

TEST_F(LogTest, ReservedZeroTypeWithPayloadIsAnUnknownType) {
  Write("foo");
  Write("bar");
  SetByte(6, kZeroType);
  FixChecksum(0);
  EXPECT_EQ("bar", Read());
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("unknown record type 0 at offset 0"));
}

TEST_F(LogTest, UnexpectedMiddleFragmentIsDropped) {
  Write("foo");
  Write("bar");
  SetByte(6, kMiddleType);
  FixChecksum(0);
  EXPECT_EQ("bar", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("MIDDLE fragment at offset 0 without a FIRST"));
  EXPECT_EQ("EOF", Read());
}

TEST_F(LogTest, UnexpectedLastFragmentIsDropped) {
  Write("foo");
  Write("bar");
  SetByte(6, kLastType);
  FixChecksum(0);
  EXPECT_EQ("bar", Read());
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("LAST fragment at offset 0 without a FIRST"));
}

TEST_F(LogTest, FirstFragmentFollowedByFullRecordIsDropped) {
  Write("foo");
  Write("bar");
  SetByte(6, kFirstType);
  FixChecksum(0);
  EXPECT_EQ("bar", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_TRUE(ReasonMentions("fragmented record at offset 0 ends without a LAST fragment"));
  EXPECT_EQ(10u, reader_->LastRecordOffset());
}

TEST_F(LogTest, FirstFragmentFollowedByFirstFragmentIsDropped) {
  Write("foo");
  Write(BigString("x", kBlockSize));
  SetByte(6, kFirstType);
  FixChecksum(0);
  EXPECT_EQ(BigString("x", kBlockSize), Read());
  EXPECT_EQ(10u, reporter_.bytes_dropped);
  EXPECT_EQ(10u, reader_->LastRecordOffset());
}

TEST_F(LogTest, DamageBetweenGoodRecordsIsReportedBeforeTheNextRecord) {
  Write("one");
  Write("two");
  Write("three");
  SetByte(10 + 6, 9);
  FixChecksum(10);
  EXPECT_EQ("one", Read());
  EXPECT_EQ(0, reporter_.calls);
  EXPECT_EQ("three", Read());
  EXPECT_EQ(1, reporter_.calls);  // reported by the call that returned "three"
}

TEST_F(LogTest, SeparateDamagedRegionsAreSeparateDrops) {
  Write("one");
  Write("two");
  Write("three");
  Write("four");
  Write("five");
  SetByte(10 + 6, 9);  // two
  FixChecksum(10);
  SetByte(32 + 6, 9);  // four
  FixChecksum(32);
  EXPECT_EQ((std::vector<std::string>{"one", "three", "five"}), ReadAll());
  EXPECT_EQ(2, reporter_.calls);
  EXPECT_EQ(10u + 11u, reporter_.bytes_dropped);
}

TEST_F(LogTest, ReadErrorIsReportedAsIOErrorAndEndsReading) {
  Write(BigString("a", kBlockSize));  // FIRST in block 0, LAST in block 1
  Write("b");
  fail_reads_at_ = kBlockSize;
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
  EXPECT_TRUE(reporter_.reasons[0].IsIOError()) << reporter_.reasons[0].ToString();
  EXPECT_EQ(kBlockSize, reporter_.bytes_dropped);  // the FIRST fragment in progress
  EXPECT_TRUE(ReasonMentions("injected read failure"));
  EXPECT_EQ("EOF", Read());
  EXPECT_EQ(1, reporter_.calls);
}

TEST_F(LogTest, ChecksumsAreIgnoredWhenNotVerified) {
  Write("foo");
  Write("bar");
  IncrementByte(10 + kHeaderSize, 1);
  verify_checksums_ = false;
  EXPECT_EQ("foo", Read());
  EXPECT_EQ("car", Read());
  EXPECT_EQ(0, reporter_.calls);
}

TEST_F(LogTest, NullReporterIgnoresDrops) {
  Write("foo");
  Write("bar");
  IncrementByte(kHeaderSize, 1);
  StringSource source(&Contents());
  Reader reader(&source, nullptr, true);
  std::string scratch;
  Slice record;
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
}

// --- Arbitrary bytes ---------------------------------------------------------

// Reads a whole file, checking the reporting contract holds: at most one
// report per ReadRecord, and all bytes accounted for up to trailers.
// check_accounting: the file is a damaged log whose checksums are verified,
// so returned records have the writer's fragmentation.
void ReadArbitraryFile(const std::string& contents, bool verify_checksums, bool check_accounting,
                       std::vector<std::string>* records) {
  StringSource source(&contents);
  RecordingReporter reporter;
  Reader reader(&source, &reporter, verify_checksums);
  std::string scratch;
  Slice record;
  size_t delivered = 0;
  int calls_before = 0;
  while (reader.ReadRecord(&record, &scratch)) {
    ASSERT_LE(reporter.calls, calls_before + 1);
    calls_before = reporter.calls;
    if (check_accounting) {
      delivered += PhysicalSize(reader.LastRecordOffset(), record.size());
      ASSERT_LE(reader.LastRecordOffset() + PhysicalSize(reader.LastRecordOffset(), record.size()),
                contents.size());
    }
    records->push_back(record.ToString());
  }
  ASSERT_LE(reporter.calls, calls_before + 1);
  const size_t blocks = (contents.size() + kBlockSize - 1) / kBlockSize;
  ASSERT_LE(delivered + reporter.bytes_dropped, contents.size());
  if (check_accounting) {
    ASSERT_GE(delivered + reporter.bytes_dropped + blocks * (kHeaderSize - 1), contents.size());
  }
  for (const Status& s : reporter.reasons) ASSERT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(LogGarbageTest, RandomFilesNeverCrashTheReader) {
  Random rnd(17);
  for (int i = 0; i < 300; i++) {
    const size_t size = rnd.OneIn(4) ? rnd.Uniform(4 * kBlockSize) : rnd.Uniform(200);
    std::string contents(size, '\0');
    for (char& c : contents) c = static_cast<char>(rnd.Next());
    // Some files get plausible short lengths so that headers parse.
    if (rnd.OneIn(2)) {
      for (size_t p = 0; p + kHeaderSize <= size; p += 1 + rnd.Uniform(64)) {
        contents[p + 5] = 0;
        contents[p + 6] = static_cast<char>(rnd.Uniform(6));
      }
    }
    std::vector<std::string> records;
    ReadArbitraryFile(contents, true, false, &records);
    records.clear();
    ReadArbitraryFile(contents, false, false, &records);
  }
}

TEST(LogGarbageTest, DamagedLogsYieldOnlyOriginalRecordsInOrder) {
  Random rnd(99);
  for (int trial = 0; trial < 200; trial++) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    StringSink sink;
    Writer writer(&sink);
    std::vector<std::string> written;
    const int n = 1 + static_cast<int>(rnd.Uniform(40));
    for (int i = 0; i < n; i++) {
      const size_t length = rnd.OneIn(8) ? rnd.Uniform(2 * kBlockSize) : rnd.Uniform(300);
      written.push_back(BigString(std::to_string(trial) + "/" + NumberString(i), length));
      ASSERT_TRUE(writer.AddRecord(written.back()).ok());
    }
    std::string contents = sink.contents;
    const int damage = 1 + static_cast<int>(rnd.Uniform(4));
    for (int d = 0; d < damage; d++) {
      switch (rnd.Uniform(3)) {
        case 0:  // flip a bit
          contents[rnd.Uniform(contents.size())] ^= static_cast<char>(1 << rnd.Uniform(8));
          break;
        case 1:  // zero a run
        {
          const size_t at = rnd.Uniform(contents.size());
          const size_t len = std::min<size_t>(1 + rnd.Uniform(100), contents.size() - at);
          std::fill(contents.begin() + at, contents.begin() + at + len, '\0');
          break;
        }
        case 2:  // truncate
          contents.resize(rnd.Uniform(contents.size() + 1));
          break;
      }
      if (contents.empty()) break;
    }
    std::vector<std::string> records;
    ReadArbitraryFile(contents, true, true, &records);
    // What survived is a subsequence of what was written.
    size_t w = 0;
    for (const std::string& r : records) {
      while (w < written.size() && written[w] != r) w++;
      ASSERT_LT(w, written.size()) << "a record that was never written";
      w++;
    }
  }
}

}  // namespace
}  // namespace strata::log
