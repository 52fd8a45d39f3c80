// Utf16Length: well-formedness by The Unicode Standard's table 3-7, and the
// UTF-16 length of what is well formed, at each boundary of the table.
#include "utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

// The UTF-16 length of s, or -1 when Utf16Length calls it malformed.
long Units(const std::string& s) {
  uint32_t units = 12345;
  if (!Utf16Length(s.data(), s.size(), &units)) return -1;
  return units;
}

TEST(Utf16LengthTest, CountsWellFormedSequences) {
  EXPECT_EQ(0, Units(""));
  EXPECT_EQ(1, Units("a"));
  EXPECT_EQ(37, Units("an ASCII run longer than eight bytes."));
  EXPECT_EQ(3, Units(std::string("a\0b", 3)));  // NUL is a character
  EXPECT_EQ(1, Units("\x7F"));
  EXPECT_EQ(1, Units("\xC2\x80"));          // U+0080
  EXPECT_EQ(1, Units("\xDF\xBF"));          // U+07FF
  EXPECT_EQ(1, Units("\xE0\xA0\x80"));      // U+0800
  EXPECT_EQ(1, Units("\xED\x9F\xBF"));      // U+D7FF, below the surrogates
  EXPECT_EQ(1, Units("\xEE\x80\x80"));      // U+E000, above them
  EXPECT_EQ(1, Units("\xEF\xBB\xBF"));      // U+FEFF (a BOM is a character here)
  EXPECT_EQ(1, Units("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_EQ(2, Units("\xF0\x90\x80\x80"));  // U+10000: a surrogate pair
  EXPECT_EQ(2, Units("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  // Mixed, with sequences on both sides of an eight-byte ASCII run.
  EXPECT_EQ(16, Units("\xC3\xA9t\xC3\xA9 12345678 \xE2\x82\xAC\xF0\x9F\x98\x80"));
}

TEST(Utf16LengthTest, RefusesMalformedSequences) {
  for (const std::string& bad : {
           std::string("\x80"),              // a continuation byte alone
           std::string("\xBF"),              //
           std::string("\xC0\x80"),          // overlong U+0000
           std::string("\xC1\xBF"),          // overlong U+007F
           std::string("\xE0\x9F\xBF"),      // overlong U+07FF
           std::string("\xF0\x8F\xBF\xBF"),  // overlong U+FFFF
           std::string("\xED\xA0\x80"),      // U+D800, a surrogate
           std::string("\xED\xBF\xBF"),      // U+DFFF
           std::string("\xF4\x90\x80\x80"),  // U+110000
           std::string("\xF5\x80\x80\x80"),  // a lead that is never valid
           std::string("\xFF"),              //
           std::string("\xC3"),              // cut short at the end
           std::string("\xE2\x82"),          //
           std::string("\xF0\x9F\x98"),      //
           std::string("\xC3\x28"),          // a second byte that does not continue
           std::string("\xE2\x82\x28"),      // a third
           std::string("\xF0\x9F\x98\x28"),  // a fourth
           std::string("\xE0\xA0\x28"),      // ... after each lead with a narrower second byte
           std::string("\xED\x9F\x28"),      //
           std::string("\xF0\x90\x80\x28"),  //
           std::string("\xF4\x8F\xBF\x28"),  //
           std::string("12345678\x80"),      // after an ASCII run
           std::string("1234567\xC3\xA9\xFF"),
       }) {
    EXPECT_EQ(-1, Units(bad)) << testing::PrintToString(bad);
  }
}

}  // namespace
}  // namespace strata
