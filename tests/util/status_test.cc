// Status codes and predicates (engine/include/strata/status.h).
#include "strata/status.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace strata {
namespace {

struct CodeCase {
  Status status;
  Status::Code code;
  const char* name;
};

std::vector<CodeCase> AllErrorCodes() {
  return {
      {Status::NotFound("m"), Status::Code::kNotFound, "NotFound"},
      {Status::Corruption("m"), Status::Code::kCorruption, "Corruption"},
      {Status::InvalidArgument("m"), Status::Code::kInvalidArgument, "InvalidArgument"},
      {Status::IOError("m"), Status::Code::kIOError, "IOError"},
      {Status::Busy("m"), Status::Code::kBusy, "Busy"},
      {Status::ReadOnly("m"), Status::Code::kReadOnly, "ReadOnly"},
  };
}

// Which predicates hold, in a fixed order.
std::vector<bool> Predicates(const Status& s) {
  return {s.ok(),        s.IsNotFound(), s.IsCorruption(), s.IsInvalidArgument(),
          s.IsIOError(), s.IsBusy(),     s.IsReadOnly()};
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(Status::Code::kOk, s.code());
  EXPECT_EQ("OK", s.ToString());
  EXPECT_TRUE(Status::OK().ok());
}

TEST(StatusTest, CodesKeepTheirNumbers) {
  // Mirrored by the TypeScript error codes: never renumbered.
  EXPECT_EQ(0, static_cast<int>(Status::Code::kOk));
  EXPECT_EQ(1, static_cast<int>(Status::Code::kNotFound));
  EXPECT_EQ(2, static_cast<int>(Status::Code::kCorruption));
  EXPECT_EQ(3, static_cast<int>(Status::Code::kInvalidArgument));
  EXPECT_EQ(4, static_cast<int>(Status::Code::kIOError));
  EXPECT_EQ(5, static_cast<int>(Status::Code::kBusy));
  EXPECT_EQ(6, static_cast<int>(Status::Code::kReadOnly));
}

TEST(StatusTest, EachFactoryMakesItsCodeAndOnlyItsPredicateHolds) {
  for (const auto& c : AllErrorCodes()) {
    EXPECT_EQ(c.code, c.status.code()) << c.name;
    std::vector<bool> expected(7, false);
    expected[static_cast<int>(c.code)] = true;
    EXPECT_EQ(expected, Predicates(c.status)) << c.name;
  }
}

TEST(StatusTest, OkHasOnlyTheOkPredicate) {
  std::vector<bool> expected(7, false);
  expected[0] = true;
  EXPECT_EQ(expected, Predicates(Status::OK()));
}

TEST(StatusTest, CodeNameNamesEveryCode) {
  EXPECT_STREQ("OK", Status::CodeName(Status::Code::kOk));
  for (const auto& c : AllErrorCodes()) EXPECT_STREQ(c.name, Status::CodeName(c.code));
}

TEST(StatusTest, ToStringIsCodeNameColonMessage) {
  for (const auto& c : AllErrorCodes()) EXPECT_EQ(std::string(c.name) + ": m", c.status.ToString());
  EXPECT_EQ("IOError: disk on fire", Status::IOError("disk on fire").ToString());
}

TEST(StatusTest, MessageIsKeptVerbatim) {
  std::string msg("a\0b", 3);
  EXPECT_EQ(msg, Status::Corruption(msg).message());
}

TEST(StatusTest, WithContextKeepsCodeAndPrefixesMessage) {
  for (const auto& c : AllErrorCodes()) {
    Status s = c.status.WithContext("opening db");
    EXPECT_EQ(c.code, s.code()) << c.name;
    EXPECT_EQ("opening db: m", s.message());
  }
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = Status::OK().WithContext("ctx");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ("OK", s.ToString());
}

TEST(StatusTest, WithContextLeavesOriginalUnchanged) {
  Status original = Status::NotFound("key");
  Status with = original.WithContext("ctx");
  EXPECT_EQ("key", original.message());
  EXPECT_EQ("ctx: key", with.message());
}

TEST(StatusTest, CopiesKeepCodeAndMessage) {
  Status a = Status::Busy("locked");
  Status b = a;
  Status c;
  c = a;
  EXPECT_TRUE(b.IsBusy());
  EXPECT_TRUE(c.IsBusy());
  EXPECT_EQ("locked", c.message());
}

}  // namespace
}  // namespace strata
