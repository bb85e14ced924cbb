#include "harness/usage.h"

#include <string_view>
#include <vector>

#include "harness/flags.h"

namespace gclab {
namespace {

constexpr std::string_view kIntroduction = R"(usage: gclab <command> [flags]

commands:
  list      collectors, allocators and workloads, their parameters, and which
            collector x allocator pairs fit (--json: the same as JSON)
  run       one run: prints a summary and, with --json, writes its metrics,
            with --trace its timeline
  compare   one workload under every fitting collector x allocator pair and
            every combination of the values listed for other settings, each
            run in a fresh process, repeats interleaved; prints medians
  minheap   the smallest --heap in which one run configuration completes,
            found by bisection over fresh processes
  help      this text
)";

// gclab minheap (harness/minheap.h) reads these itself.
constexpr std::string_view kMinheapSection =
    R"(minheap flags (and every run flag but --heap; --json is minheap's own):
  --precision P           stop once the least heap that completes and the
                          greatest that fails are within P of the former: 1%,
                          0.5% or 0.01 (default: 1%)
  --successes K           runs in a row a heap must complete to count (default:
                          1 for one mutator under a stop-the-world collector,
                          whose runs are deterministic; 3 otherwise)
  --start SIZE            first heap probed (default: 4M)
  --max-heap SIZE         largest heap probed before giving up (default: 16G)
  --json FILE             the minimum and every probe, as JSON
)";

// Flag labels take the first columns, help starts at this one.
constexpr std::size_t kHelpColumn = 24;
constexpr std::size_t kLabelIndent = 2;

// Breaks `words` into lines of at most kUsageWidth columns: the first after
// `first_prefix`, the others after `indent` spaces; a word longer than a line
// has one to itself.
std::string wrapped(std::string_view first_prefix,
                    const std::vector<std::string>& words, std::size_t indent) {
  std::string text(first_prefix);
  std::size_t newline = text.rfind('\n');
  std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
  bool line_empty = true;
  for (const std::string& word : words) {
    std::size_t column = text.size() - line_start;
    if (!line_empty && column + 1 + word.size() > kUsageWidth) {
      text += "\n";
      line_start = text.size();
      text += std::string(indent, ' ');
      line_empty = true;
    }
    if (!line_empty) text += " ";
    text += word;
    line_empty = false;
  }
  return text + "\n";
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  while (!text.empty()) {
    std::size_t space = text.find(' ');
    if (space != 0) words.emplace_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return words;
}

// One entry of a flag section: the label, then its help from kHelpColumn on
// (on the next line when the label reaches that far).
std::string entry(std::string_view label,
                  const std::vector<std::string>& help) {
  std::string prefix = std::string(kLabelIndent, ' ') + std::string(label);
  if (prefix.size() + 2 > kHelpColumn) {
    prefix += "\n" + std::string(kHelpColumn, ' ');
  } else {
    prefix.resize(kHelpColumn, ' ');
  }
  return wrapped(prefix, help, kHelpColumn);
}

std::string label_of(const FlagDeclaration& flag) {
  std::string label = "--" + std::string(flag.name);
  switch (flag.value) {
    case FlagValue::kNone:
      return label;
    case FlagValue::kRequired:
      return label + " " + std::string(flag.value_name);
    case FlagValue::kOptional:
      return label + "[=" + std::string(flag.value_name) + "]";
  }
  return label;
}

std::string flag_entry(const FlagDeclaration& flag) {
  std::string help(flag.help);
  if (flag.required) help = help.empty() ? "required" : "required; " + help;
  if (flag.repeatable) help += "; repeatable";
  std::vector<std::string> words = words_of(help);
  // "(default 64M)" stays on one line.
  if (!flag.default_value.empty()) {
    words.push_back("(default " + std::string(flag.default_value) + ")");
  }
  return entry(label_of(flag), words);
}

bool takes_only(const FlagDeclaration& flag, Command command) {
  Command other = command == Command::kRun ? Command::kCompare : Command::kRun;
  return takes(flag, command) && !takes(flag, other);
}

bool compare_has_flag_named(std::string_view name) {
  for (const FlagDeclaration& flag : flag_table()) {
    if (flag.name == name && takes(flag, Command::kCompare)) return true;
  }
  return false;
}

// "--a, --b, --c", or with `and_last` "--a, --b and --c".
std::string listed(const std::vector<std::string_view>& names, bool and_last) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += and_last && i + 1 == names.size() ? " and " : ", ";
    text += "--" + std::string(names[i]);
  }
  return text;
}

std::vector<std::string_view> listable_names() {
  std::vector<std::string_view> names;
  for (const FlagDeclaration& flag : flag_table()) {
    if (flag.listable) names.push_back(flag.name);
  }
  return names;
}

std::string run_section() {
  std::string text = "run flags:\n";
  for (const FlagDeclaration& flag : flag_table()) {
    if (takes(flag, Command::kRun)) text += flag_entry(flag);
  }
  return text + entry("--NAME=VALUE",
                      words_of("a parameter of the chosen collector or "
                               "allocator, as a flag: --fit=best"));
}

std::string compare_section() {
  // The flags of run that compare does not take, under any row.
  std::vector<std::string_view> run_only;
  for (const FlagDeclaration& flag : flag_table()) {
    if (takes_only(flag, Command::kRun) && !compare_has_flag_named(flag.name)) {
      run_only.push_back(flag.name);
    }
  }
  std::string text =
      "compare flags (and every run flag but " + listed(run_only, true) + "):";
  if (text.size() > kUsageWidth) text[text.rfind(' ', kUsageWidth)] = '\n';
  text += '\n';
  for (const FlagDeclaration& flag : flag_table()) {
    if (takes_only(flag, Command::kCompare)) text += flag_entry(flag);
  }
  return text + entry("value lists",
                      words_of(listed(listable_names(), false) +
                               " and every parameter (--param NAME=A,B,... "
                               "or --NAME=A,B,...) take comma-separated "
                               "values (run takes one each)"));
}

std::string closing() {
  std::string order =
      "Compare's configurations are collectors x allocators x each value "
      "list, in this order: parameters, " +
      listed(listable_names(), false) +
      ", the last changing fastest and values in the order given; a "
      "parameter list varies only the pairs whose components declare it, "
      "and a concurrent collector skips --barrier none. Labels show what "
      "varies: mark-sweep/free-list fit=best heap=32M.";
  std::string_view exits =
      "Every flag takes --flag=value or --flag value. Exit status: 0 "
      "success, 1 a run failed (a workload self-check, a compared run), 2 "
      "bad input or a heap too small (one line on stderr; no result file is "
      "written). Compare records a heap-exhausted configuration as such, "
      "runs it no more and goes on.";
  return wrapped("", words_of(order), 0) + "\n" +
         wrapped("", words_of(exits), 0);
}

}  // namespace

std::string usage_text() {
  return std::string(kIntroduction) + "\n" + run_section() + "\n" +
         compare_section() + "\n" + std::string(kMinheapSection) + "\n" +
         closing();
}

}  // namespace gclab
