// The flag table is consistent: no command takes two flags of one name,
// every flag of run can be read and written back, and the defaults it shows
// are the ones that apply.
#include "harness/flags.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness/compare.h"
#include "harness/run_config.h"
#include "heap/census.h"

namespace gclab {
namespace {

TEST(FlagTableTest, NoCommandTakesTwoFlagsOfOneName) {
  for (Command command : {Command::kRun, Command::kCompare}) {
    std::set<std::string_view> names;
    for (const FlagSpec& spec : command_flags(command)) {
      EXPECT_TRUE(names.insert(spec.name).second) << "--" << spec.name;
    }
  }
}

TEST(FlagTableTest, EveryRunFlagIsReadAndWrittenBack) {
  for (const FlagDeclaration& flag : flag_table()) {
    if (takes(flag, Command::kRun)) {
      EXPECT_NE(flag.read, nullptr) << "--" << flag.name;
      EXPECT_NE(flag.write, nullptr) << "--" << flag.name;
    } else {
      EXPECT_EQ(flag.write, nullptr)
          << "--" << flag.name << " is no flag of a child run";
    }
    if (flag.listable) {
      EXPECT_TRUE(takes(flag, Command::kCompare)) << "--" << flag.name;
      EXPECT_NE(flag.read, nullptr) << "--" << flag.name;
    }
  }
}

TEST(FlagTableTest, DefaultsShownAreTheDefaultsThatApply) {
  for (const FlagDeclaration& flag : flag_table()) {
    if (flag.default_value.empty()) continue;
    if (flag.name == "repeat") {
      EXPECT_EQ(flag.default_value, std::to_string(kDefaultRepeat));
      continue;
    }
    ASSERT_NE(flag.read, nullptr) << "--" << flag.name;
    RunConfig read;
    flag.read(flag.default_value, read);
    EXPECT_EQ(read, RunConfig())
        << "--" << flag.name << " shows the default " << flag.default_value;
  }
}

// --census and --leak-report alone mean their defaults, which their help
// names in words (the table's default_value is what applies when a flag is
// not given: no census).
TEST(FlagTableTest, CensusFlagsNameTheDefaultsTheyTakeAlone) {
  for (const FlagDeclaration& flag : flag_table()) {
    RunConfig read;
    if (flag.name == "census") {
      flag.read("", read);
      EXPECT_EQ(read.census, kDefaultCensusInterval);
      EXPECT_NE(flag.help.find("(N default " +
                               std::to_string(kDefaultCensusInterval) + ")"),
                std::string_view::npos)
          << flag.help;
    }
    if (flag.name == "leak-report") {
      flag.read("", read);
      EXPECT_EQ(read.leak_report, kDefaultLeakGrowthCensuses);
      EXPECT_NE(
          flag.help.find("(default " +
                         std::to_string(kDefaultLeakGrowthCensuses) + ")"),
          std::string_view::npos)
          << flag.help;
    }
  }
}

}  // namespace
}  // namespace gclab
