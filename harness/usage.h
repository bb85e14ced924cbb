// The text `gclab help` (or -h, --help anywhere) prints.
//
// The introduction and the closing paragraphs are prose written here; the
// flag sections are generated from the flag table (harness/flags.h), so help
// can never show a flag that no command takes or miss one that one does:
//   run flags       every row `run` takes, in table order: "--NAME VALUE",
//                   "--NAME[=VALUE]" for an optional value, then its help,
//                   "required" and "repeatable" as the row says and its
//                   default; then --NAME=VALUE, component parameters as flags;
//   compare flags   the rows only `compare` takes, then the value lists: the
//                   listable rows and every parameter.
// Lines are wrapped to kUsageWidth columns, help in a column of its own.
#ifndef GCLAB_HARNESS_USAGE_H_
#define GCLAB_HARNESS_USAGE_H_

#include <cstddef>
#include <string>

namespace gclab {

inline constexpr std::size_t kUsageWidth = 80;

std::string usage_text();

}  // namespace gclab

#endif  // GCLAB_HARNESS_USAGE_H_
