// `gclab help` shows every flag of the table, each where its command's
// section is, within the usage width.
#include "harness/usage.h"

#include <gtest/gtest.h>

#include <string>

#include "harness/flags.h"

namespace gclab {
namespace {

// The usage from `heading` to the next blank line.
std::string section(const std::string& usage, const std::string& heading) {
  std::size_t start = usage.find("\n" + heading);
  if (start == std::string::npos) return "";
  std::size_t end = usage.find("\n\n", start + 1);
  return usage.substr(start, end - start);
}

TEST(UsageTest, EveryFlagOfTheTableIsInItsCommandsSection) {
  std::string usage = usage_text();
  std::string run = section(usage, "run flags:");
  std::string compare = section(usage, "compare flags");
  ASSERT_FALSE(run.empty()) << usage;
  ASSERT_FALSE(compare.empty()) << usage;
  for (const FlagDeclaration& flag : flag_table()) {
    std::string label = "\n  --" + std::string(flag.name);
    switch (flag.value) {
      case FlagValue::kNone:
        break;
      case FlagValue::kRequired:
        label += " " + std::string(flag.value_name);
        break;
      case FlagValue::kOptional:
        label += "[=" + std::string(flag.value_name) + "]";
        break;
    }
    const std::string& expected_in = takes(flag, Command::kRun) ? run : compare;
    std::size_t at = expected_in.find(label + " ");
    ASSERT_NE(at, std::string::npos) << "expected '" << label << "' in\n"
                                     << expected_in;
    // Then its help, whose first words fit on the entry's first line.
    std::string_view shown(expected_in);
    shown.remove_prefix(at + label.size());
    shown.remove_prefix(shown.find_first_not_of(' '));
    std::string_view help = flag.required ? "required" : flag.help;
    EXPECT_TRUE(shown.starts_with(help.substr(0, 12)))
        << "--" << flag.name << ": " << shown.substr(0, 40);
  }
}

// `text` with each line break and the indentation after it as one blank, so
// that wrapped prose can be searched.
std::string flowed(const std::string& text) {
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      result += text[i];
      continue;
    }
    result += ' ';
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
  }
  return result;
}

TEST(UsageTest, ValueListsNameEveryListableFlag) {
  std::string usage = flowed(usage_text());
  std::string lists = usage.substr(usage.find("value lists "));
  lists = lists.substr(0, lists.find("(run takes one each)"));
  for (const FlagDeclaration& flag : flag_table()) {
    bool listed =
        lists.find("--" + std::string(flag.name) + ",") != std::string::npos ||
        lists.find("--" + std::string(flag.name) + " and") != std::string::npos;
    EXPECT_EQ(listed, flag.listable) << "--" << flag.name << " in\n" << lists;
  }
}

TEST(UsageTest, LinesFitTheWidth) {
  std::string usage = usage_text();
  std::size_t start = 0;
  while (start < usage.size()) {
    std::size_t end = usage.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the usage ends with a newline";
    EXPECT_LE(end - start, kUsageWidth) << usage.substr(start, end - start);
    start = end + 1;
  }
}

TEST(UsageTest, KeepsTheIntroductionAndTheClosingParagraphs) {
  std::string usage = flowed(usage_text());
  EXPECT_TRUE(usage.starts_with("usage: gclab <command> [flags] "));
  EXPECT_NE(usage.find("compare flags (and every run flag but --collector, "
                       "--allocator, --trace and --record-trace):"),
            std::string::npos);
  EXPECT_NE(
      usage.find("in this order: parameters, --heap, --mutators, --gc-threads, "
                 "--trigger, --barrier, the last changing fastest"),
      std::string::npos)
      << usage;
  EXPECT_NE(usage.find("Exit status: 0 success"), std::string::npos) << usage;
}

}  // namespace
}  // namespace gclab
