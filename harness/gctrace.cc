#include "harness/gctrace.h"

#include <cstdint>
#include <string>

namespace gclab {
namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kNsPerSecond = 1'000'000'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads one trace line left to right; every read names what it expected,
// so that an error says where the line stopped matching.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : line_(line) {}

  void expect(std::string_view literal) {
    if (!line_.substr(at_).starts_with(literal)) {
      fail("'" + std::string(literal) + "'");
    }
    at_ += literal.size();
  }

  bool consume(std::string_view literal) {
    if (!line_.substr(at_).starts_with(literal)) return false;
    at_ += literal.size();
    return true;
  }

  std::int64_t integer(std::string_view what) {
    std::size_t start = at_;
    std::int64_t value = 0;
    while (at_ < line_.size() && is_digit(line_[at_])) {
      if (at_ - start == 18) fail(std::string(what) + " of at most 18 digits");
      value = value * 10 + (line_[at_] - '0');
      ++at_;
    }
    if (at_ == start) fail(what);
    return value;
  }

  // A decimal number of `unit_ns` ("0.029" ms, "6.9" ms, "10" ms), exactly,
  // in nanoseconds: no more decimals than the unit has nanoseconds to hold.
  std::int64_t decimal(std::int64_t unit_ns, std::string_view what) {
    std::int64_t whole = integer(what);
    // Below the limit, adding the decimals (less than one unit) cannot
    // overflow.
    if (whole >= INT64_MAX / unit_ns)
      fail(std::string(what) + " below 2^63 ns");
    std::int64_t value = whole * unit_ns;
    if (!consume(".")) return value;
    std::int64_t scale = unit_ns;
    std::size_t start = at_;
    while (at_ < line_.size() && is_digit(line_[at_])) {
      if (scale % 10 != 0) fail(std::string(what) + " to at most 1 ns");
      scale /= 10;
      value += (line_[at_] - '0') * scale;
      ++at_;
    }
    if (at_ == start) fail("decimals of " + std::string(what));
    return value;
  }

  bool at_end() const { return at_ == line_.size(); }

  [[noreturn]] void fail(std::string_view expected) const {
    throw GctraceError("expected " + std::string(expected) + " at column " +
                       std::to_string(at_ + 1));
  }

 private:
  std::string_view line_;
  std::size_t at_ = 0;
};

bool looks_like_trace_line(std::string_view line) {
  return line.starts_with("gc ") && line.size() > 3 && is_digit(line[3]);
}

}  // namespace

GctraceCycle parse_gctrace_line(std::string_view line) {
  LineReader reader(line);
  GctraceCycle cycle;
  reader.expect("gc ");
  std::int64_t number = reader.integer("the collection number");
  if (number > UINT32_MAX) reader.fail("a collection number below 2^32");
  cycle.number = static_cast<std::uint32_t>(number);
  reader.expect(" @");
  cycle.start_ns = reader.decimal(kNsPerSecond, "the start in seconds");
  reader.expect("s ");
  cycle.cumulative_gc_cpu_percent =
      static_cast<int>(reader.integer("the GC CPU percentage"));
  reader.expect("%: ");

  cycle.sweep_termination_ns =
      reader.decimal(kNsPerMs, "the sweep termination clock time");
  reader.expect("+");
  cycle.mark_ns = reader.decimal(kNsPerMs, "the mark clock time");
  reader.expect("+");
  cycle.mark_termination_ns =
      reader.decimal(kNsPerMs, "the mark termination clock time");
  reader.expect(" ms clock, ");

  cycle.sweep_termination_cpu_ns =
      reader.decimal(kNsPerMs, "the sweep termination CPU time");
  reader.expect("+");
  cycle.assist_mark_cpu_ns = reader.decimal(kNsPerMs, "the assist CPU time");
  reader.expect("/");
  cycle.background_mark_cpu_ns =
      reader.decimal(kNsPerMs, "the background mark CPU time");
  reader.expect("/");
  cycle.idle_mark_cpu_ns = reader.decimal(kNsPerMs, "the idle mark CPU time");
  reader.expect("+");
  cycle.mark_termination_cpu_ns =
      reader.decimal(kNsPerMs, "the mark termination CPU time");
  reader.expect(" ms cpu, ");

  cycle.heap_start_mib = reader.integer("the heap size at the start");
  reader.expect("->");
  cycle.heap_end_mib = reader.integer("the heap size at the end");
  reader.expect("->");
  cycle.live_mib = reader.integer("the live heap size");
  reader.expect(" MB, ");
  cycle.goal_mib = reader.integer("the heap goal");
  reader.expect(" MB goal, ");
  cycle.stacks_mib = reader.integer("the stack size");
  reader.expect(" MB stacks, ");
  cycle.globals_mib = reader.integer("the globals size");
  reader.expect(" MB globals, ");
  cycle.procs = static_cast<int>(reader.integer("the processor count"));
  reader.expect(" P");
  cycle.forced = reader.consume(" (forced)");
  if (!reader.at_end()) reader.fail("the end of the line");
  return cycle;
}

std::vector<GctraceCycle> parse_gctrace(std::string_view text) {
  std::vector<GctraceCycle> cycles;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!looks_like_trace_line(line)) continue;
    try {
      GctraceCycle cycle = parse_gctrace_line(line);
      if (!cycles.empty() && cycle.number != cycles.back().number + 1) {
        throw GctraceError(
            "expected collection " + std::to_string(cycles.back().number + 1) +
            " after collection " + std::to_string(cycles.back().number));
      }
      cycles.push_back(cycle);
    } catch (const GctraceError& error) {
      throw GctraceError("gctrace line " + std::to_string(line_number) + ": " +
                         error.what() + ": '" + std::string(line) + "'");
    }
  }
  return cycles;
}

}  // namespace gclab
