#include "heap/params.h"

#include <gtest/gtest.h>

#include "heap/errors.h"

namespace gclab {
namespace {

constexpr ParamSpec kSpecs[] = {
    {"depth", ParamKind::kInt, "4", "tree depth"},
    {"chunk", ParamKind::kSize, "32K", "bytes"},
    {"ratio", ParamKind::kDouble, "0.5", "a fraction"},
    {"fit", ParamKind::kChoice, "first", "policy", "first|next|best"},
    {"stw", ParamKind::kFlag, "0", "a switch"},
    {"bins", ParamKind::kText, "16:1,64:3", "a histogram, parsed by its user"},
};

TEST(ParseSize, AcceptsBinaryUnits) {
  EXPECT_EQ(parse_size("4096", "x"), 4096u);
  EXPECT_EQ(parse_size("512K", "x"), 512u << 10);
  EXPECT_EQ(parse_size("64M", "x"), 64u << 20);
  EXPECT_EQ(parse_size("2g", "x"), 2ull << 30);
}

TEST(ParseSize, RejectsMalformedSizesNamingWhatWasParsed) {
  for (const char* bad : {"", "M", "-1M", "0", "12Q", "1.5M", "64MB"}) {
    try {
      parse_size(bad, "--heap");
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--heap"), std::string::npos)
          << e.what();
    }
  }
}

TEST(ParamValues, DefaultsApplyWhenNothingIsGiven) {
  ParamValues values(kSpecs, {});
  EXPECT_EQ(values.get_int("depth"), 4);
  EXPECT_EQ(values.get_size("chunk"), 32u << 10);
  EXPECT_DOUBLE_EQ(values.get_double("ratio"), 0.5);
  EXPECT_EQ(values.get_choice("fit"), "first");
  EXPECT_FALSE(values.get_flag("stw"));
}

TEST(ParamValues, FlagAndChoiceAreReadTyped) {
  ParamValues values(kSpecs, {{"stw", "1"}, {"fit", "best"}});
  EXPECT_TRUE(values.get_flag("stw"));
  EXPECT_EQ(values.get_choice("fit"), "best");
  EXPECT_EQ(values.get_string("stw"), "1") << "the text, for the record";
  EXPECT_THROW(ParamValues(kSpecs, {{"stw", "yes"}}), ConfigError);
}

TEST(ParamValues, TextIsTakenAsGivenForItsUserToParse) {
  EXPECT_EQ(ParamValues(kSpecs, {}).get_string("bins"), "16:1,64:3");
  for (const char* text : {"", "4K:0.5, 1M:2", "any text at all"}) {
    EXPECT_EQ(ParamValues(kSpecs, {{"bins", text}}).get_string("bins"), text);
  }
  EXPECT_EQ(to_string(ParamKind::kText), "text");
}

// Reading a parameter as a kind it was not declared as is a gclab bug.
TEST(ParamValuesDeathTest, ReadingAnotherKindAborts) {
  ParamValues values(kSpecs, {});
  EXPECT_DEATH(values.get_flag("fit"),
               "parameter 'fit' has kind choice but was read as kind flag");
  EXPECT_DEATH(values.get_choice("stw"),
               "parameter 'stw' has kind flag but was read as kind choice");
  EXPECT_DEATH(values.get_int("chunk"),
               "has kind size but was read as kind integer");
  EXPECT_DEATH(values.get_size("depth"), "read as kind size");
  EXPECT_DEATH(values.get_double("depth"), "read as kind number");
}

TEST(ParamValues, OverridesReplaceDefaultsAndAreRecorded) {
  ParamValues values(kSpecs, {{"depth", "7"}, {"fit", "best"}});
  EXPECT_EQ(values.get_int("depth"), 7);
  EXPECT_EQ(values.values().at("fit"), "best");
  EXPECT_EQ(values.values().at("chunk"), "32K");
}

TEST(ParamValues, RejectsUnknownNamesAndBadValues) {
  EXPECT_THROW(ParamValues(kSpecs, {{"colour", "red"}}), ConfigError);
  EXPECT_THROW(ParamValues(kSpecs, {{"depth", "four"}}), ConfigError);
  EXPECT_THROW(ParamValues(kSpecs, {{"depth", "4x"}}), ConfigError);
  EXPECT_THROW(ParamValues(kSpecs, {{"ratio", "half"}}), ConfigError);
  EXPECT_THROW(ParamValues(kSpecs, {{"chunk", "lots"}}), ConfigError);
  EXPECT_THROW(ParamValues(kSpecs, {{"fit", "worst"}}), ConfigError);
}

}  // namespace
}  // namespace gclab
