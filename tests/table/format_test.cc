// Table format building blocks: block handles, the footer, block trailers
// and zlib blocks all round-trip and reject damage with Corruption.
#include "table/format.h"

#include <gtest/gtest.h>

#include <string>

#include "strata/options.h"
#include "table/compression.h"
#include "table_test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

using test::StringSource;

TEST(BlockHandle, RoundTripsAndRejectsTruncation) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{300}, uint64_t{1} << 40, ~uint64_t{0}}) {
    std::string encoded;
    BlockHandle(v, v / 3).EncodeTo(&encoded);
    EXPECT_LE(encoded.size(), BlockHandle::kMaxEncodedLength);
    Slice input = encoded;
    BlockHandle decoded;
    ASSERT_TRUE(decoded.DecodeFrom(&input).ok());
    EXPECT_EQ(decoded.offset(), v);
    EXPECT_EQ(decoded.size(), v / 3);
    EXPECT_TRUE(input.empty());
    for (size_t len = 0; len < encoded.size(); len++) {
      Slice truncated(encoded.data(), len);
      EXPECT_TRUE(decoded.DecodeFrom(&truncated).IsCorruption());
    }
  }
}

Footer SampleFooter() {
  Footer footer;
  footer.properties_handle = BlockHandle(5000, 120);
  footer.filter_handle = BlockHandle(3000, 1000);
  footer.index_handle = BlockHandle(4005, 990);
  return footer;
}

TEST(Footer, HasFixedSizeAndRoundTrips) {
  std::string encoded;
  SampleFooter().EncodeTo(&encoded);
  ASSERT_EQ(encoded.size(), Footer::kEncodedLength);
  EXPECT_EQ(encoded.substr(encoded.size() - 8), "STRATAtb");
  Footer decoded;
  ASSERT_TRUE(decoded.DecodeFrom(encoded).ok());
  EXPECT_EQ(decoded.properties_handle.offset(), 5000u);
  EXPECT_EQ(decoded.filter_handle.size(), 1000u);
  EXPECT_EQ(decoded.index_handle.offset(), 4005u);
  EXPECT_EQ(decoded.format_version, kTableFormatVersion);
}

TEST(Footer, EveryBitFlipIsCorruption) {
  std::string encoded;
  SampleFooter().EncodeTo(&encoded);
  for (size_t i = 0; i < encoded.size(); i++) {
    for (int bit = 0; bit < 8; bit++) {
      std::string damaged = encoded;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      Footer f;
      EXPECT_TRUE(f.DecodeFrom(damaged).IsCorruption()) << "byte " << i << " bit " << bit;
    }
  }
  Footer f;
  EXPECT_TRUE(f.DecodeFrom(Slice(encoded.data(), encoded.size() - 1)).IsCorruption());
}

TEST(Footer, NamesAnUnsupportedVersion) {
  Footer footer = SampleFooter();
  footer.format_version = 99;
  std::string encoded;
  footer.EncodeTo(&encoded);
  Footer decoded;
  Status s = decoded.DecodeFrom(encoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("version 99"), std::string::npos) << s.ToString();
}

std::string CompressibleText(size_t n) {
  std::string s;
  while (s.size() < n) s += "the quick brown fox jumps over the lazy dog; ";
  s.resize(n);
  return s;
}

TEST(Zlib, RoundTripsAndShrinksText) {
  const std::string raw = CompressibleText(10000);
  std::string stored;
  ASSERT_TRUE(ZlibCompress(raw, 6, &stored));
  EXPECT_LT(stored.size(), raw.size() / 4);
  BlockContents out;
  ASSERT_TRUE(ZlibUncompress(stored, &out).ok());
  EXPECT_EQ(out.data.ToString(), raw);
  EXPECT_EQ(out.data.data(), out.owned.get());
}

TEST(Zlib, RejectsLyingSizePrefixTruncationAndTrailingBytes) {
  const std::string raw = CompressibleText(5000);
  std::string stored;
  ASSERT_TRUE(ZlibCompress(raw, 1, &stored));
  Slice stream = stored;
  uint32_t size;
  ASSERT_TRUE(GetVarint32(&stream, &size));
  ASSERT_EQ(size, raw.size());
  BlockContents out;

  auto with_prefix = [&](uint32_t claimed) {
    std::string s;
    PutVarint32(&s, claimed);
    s.append(stream.data(), stream.size());
    return s;
  };
  EXPECT_TRUE(ZlibUncompress(with_prefix(size - 1), &out).IsCorruption());
  EXPECT_TRUE(ZlibUncompress(with_prefix(size + 1), &out).IsCorruption());
  EXPECT_TRUE(ZlibUncompress(with_prefix(0xffffffffu), &out).IsCorruption());  // over the block limit
  EXPECT_TRUE(ZlibUncompress(with_prefix(200u << 20), &out).IsCorruption());   // bomb: ratio impossible
  EXPECT_TRUE(ZlibUncompress(stored + "x", &out).IsCorruption());
  EXPECT_TRUE(ZlibUncompress("", &out).IsCorruption());
  for (size_t len = 1; len < stored.size(); len++) {
    EXPECT_TRUE(ZlibUncompress(Slice(stored.data(), len), &out).IsCorruption()) << len;
  }
}

TEST(Zlib, GarbageStreamsAreCorruptionOrTheClaimedSizeNeverACrash) {
  Random rnd(11);
  const std::string raw = CompressibleText(3000);
  std::string stored;
  ASSERT_TRUE(ZlibCompress(raw, 9, &stored));
  int caught = 0;
  for (int trial = 0; trial < 2000; trial++) {
    std::string damaged = stored;
    damaged[rnd.Uniform(damaged.size())] ^= static_cast<char>(1 + rnd.Uniform(255));
    Slice prefix = damaged;
    uint32_t claimed = 0;
    const bool has_prefix = GetVarint32(&prefix, &claimed);
    BlockContents out;
    Status s = ZlibUncompress(damaged, &out);
    // The Adler-32 is not checked here (ReadBlock's CRC-32C covers the
    // stored bytes, below), so damage can inflate to other bytes of the
    // size claimed; otherwise it is Corruption.
    if (s.ok()) {
      EXPECT_TRUE(has_prefix && out.data.size() == claimed);
    } else {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      caught++;
    }
  }
  EXPECT_GT(caught, 1000);  // most damage still breaks the stream or its size
}

// A file holding one block with its trailer, padded with a footer's worth
// of bytes so that the block lies in the data area.
std::string FileWithBlock(const Slice& stored, uint8_t type) {
  std::string file(stored.data(), stored.size());
  AppendBlockTrailer(&file, stored, type);
  file.append(Footer::kEncodedLength, '\0');
  return file;
}

TEST(ReadBlock, ReturnsRawAndZlibBlocks) {
  const std::string raw = CompressibleText(2000);
  BlockContents contents;
  StringSource plain(FileWithBlock(raw, 0));
  ASSERT_TRUE(
      ReadBlock(plain, raw.size() + 5 + Footer::kEncodedLength, BlockHandle(0, raw.size()), &contents).ok());
  EXPECT_EQ(contents.data.ToString(), raw);
  EXPECT_EQ(contents.data.data(), contents.owned.get());

  std::string stored;
  ASSERT_TRUE(ZlibCompress(raw, 1, &stored));
  StringSource zipped(FileWithBlock(stored, static_cast<uint8_t>(Compression::kZlib)));
  ASSERT_TRUE(
      ReadBlock(zipped, stored.size() + 5 + Footer::kEncodedLength, BlockHandle(0, stored.size()), &contents)
          .ok());
  EXPECT_EQ(contents.data.ToString(), raw);
  EXPECT_EQ(contents.data.data(), contents.owned.get());
}

TEST(ReadBlock, ViewsAnUncompressedBlockOfAMappedFileOnlyWhenAllowed) {
  const std::string raw = CompressibleText(2000);
  test::MappedSource mapped(FileWithBlock(raw, 0));
  const uint64_t size = raw.size() + 5 + Footer::kEncodedLength;
  BlockContents contents;
  ASSERT_TRUE(ReadBlock(mapped, size, BlockHandle(0, raw.size()), &contents, true, /*allow_view=*/true).ok());
  EXPECT_EQ(contents.owned, nullptr);
  EXPECT_TRUE(mapped.Holds(contents.data.data()));
  EXPECT_EQ(contents.data.ToString(), raw);

  ASSERT_TRUE(
      ReadBlock(mapped, size, BlockHandle(0, raw.size()), &contents, true, /*allow_view=*/false).ok());
  EXPECT_EQ(contents.data.data(), contents.owned.get());  // a copy the caller owns
  EXPECT_EQ(contents.data.ToString(), raw);

  // A compressed block is inflated into memory of its own either way.
  std::string stored;
  ASSERT_TRUE(ZlibCompress(raw, 1, &stored));
  test::MappedSource zipped(FileWithBlock(stored, static_cast<uint8_t>(Compression::kZlib)));
  ASSERT_TRUE(ReadBlock(zipped, stored.size() + 5 + Footer::kEncodedLength, BlockHandle(0, stored.size()),
                        &contents, true, /*allow_view=*/true)
                  .ok());
  EXPECT_EQ(contents.data.data(), contents.owned.get());
  EXPECT_EQ(contents.data.ToString(), raw);
}

// A file that answers reads with pointers into its own bytes without
// saying they stay in memory (a wrapper that forwards Read only, say).
class ForwardingSource : public RandomAccessFile {
 public:
  explicit ForwardingSource(std::string contents) : mapped_(std::move(contents)) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    return mapped_.Read(offset, n, result, scratch);
  }
  bool Holds(const char* p) const { return mapped_.Holds(p); }

 private:
  test::MappedSource mapped_;
};

TEST(ReadBlock, CopiesABlockReadFromElsewhereThanItsBufferUnlessItMayViewIt) {
  const std::string raw = CompressibleText(2000);
  ForwardingSource source(FileWithBlock(raw, 0));
  const uint64_t size = raw.size() + 5 + Footer::kEncodedLength;
  for (bool allow_view : {false, true}) {
    BlockContents contents;
    ASSERT_TRUE(ReadBlock(source, size, BlockHandle(0, raw.size()), &contents, true, allow_view).ok());
    EXPECT_EQ(contents.data.data(), contents.owned.get())
        << allow_view;  // not a view: the file never said it may be
    EXPECT_FALSE(source.Holds(contents.data.data()));
    EXPECT_EQ(contents.data.ToString(), raw) << allow_view;
  }
}

TEST(ReadBlock, DetectsChecksumMismatchUnknownTypeAndBadHandles) {
  const std::string raw = "some block contents";
  const std::string file = FileWithBlock(raw, 0);
  const uint64_t size = file.size();
  BlockContents contents;

  for (size_t i = 0; i < raw.size() + kBlockTrailerSize; i++) {
    std::string damaged = file;
    damaged[i] ^= 0x10;
    StringSource source(damaged);
    Status s = ReadBlock(source, size, BlockHandle(0, raw.size()), &contents);
    EXPECT_TRUE(s.IsCorruption()) << i;
  }

  // In a compressed block too, including its stream's Adler-32 (the last 4
  // bytes), which inflating does not check.
  std::string stored;
  ASSERT_TRUE(ZlibCompress(CompressibleText(2000), 1, &stored));
  const std::string zipped = FileWithBlock(stored, static_cast<uint8_t>(Compression::kZlib));
  for (size_t i = 0; i < stored.size() + kBlockTrailerSize; i++) {
    std::string damaged = zipped;
    damaged[i] ^= 0x10;
    StringSource source(damaged);
    Status s = ReadBlock(source, damaged.size(), BlockHandle(0, stored.size()), &contents);
    EXPECT_TRUE(s.IsCorruption()) << i;
  }

  StringSource unknown(FileWithBlock(raw, 7));
  Status s = ReadBlock(unknown, size, BlockHandle(0, raw.size()), &contents);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("compression type 7"), std::string::npos) << s.ToString();

  StringSource source(file);
  EXPECT_TRUE(ReadBlock(source, size, BlockHandle(0, raw.size() + 1), &contents).IsCorruption());
  EXPECT_TRUE(ReadBlock(source, size, BlockHandle(1, raw.size()), &contents).IsCorruption());
  EXPECT_TRUE(ReadBlock(source, size, BlockHandle(~uint64_t{0}, 10), &contents).IsCorruption());
  EXPECT_TRUE(ReadBlock(source, size, BlockHandle(3, ~uint64_t{0} - 1), &contents).IsCorruption());
  // A file shorter than it claims to be: the read comes back short.
  EXPECT_TRUE(ReadBlock(source, size + 1000, BlockHandle(500, 100), &contents).IsCorruption());
}

}  // namespace
}  // namespace strata
