#include "workloads/allocation_trace.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

#include "heap/errors.h"

namespace gclab {
namespace {

constexpr std::string_view kHeader = "gclab-trace 1";
constexpr std::uint64_t kMaxId = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kMaxSlots = std::numeric_limits<std::uint16_t>::max();

class TraceParser {
 public:
  TraceParser(std::string_view text, std::string_view name)
      : rest_(text), name_(name) {}

  AllocationTrace parse() {
    // Records are 7 to 9 bytes on average: one growth of the vector, not
    // thirty copies of a gigabyte.
    trace_.steps.reserve(rest_.size() / 8);
    if (!next_line() || line_ != kHeader) {
      fail("expected the header '" + std::string(kHeader) + "'");
    }
    bool ended = false;
    while (next_line()) {
      if (line_.empty() || line_[0] == '#') continue;
      if (ended) fail("a record after the end record");
      std::string_view record = word();
      if (record == "end") {
        std::uint64_t objects = number("object count");
        if (objects != trace_.objects) {
          fail("the end record counts " + std::to_string(objects) +
               " objects, the trace allocates " +
               std::to_string(trace_.objects));
        }
        ended = true;
      } else if (record.size() != 1) {
        fail("unknown record '" + std::string(record) + "'");
      } else {
        step(record[0]);
      }
      if (!line_.empty()) fail("unexpected '" + std::string(line_) + "'");
    }
    if (!ended) {
      fail("truncated: no end record after line " +
           std::to_string(line_number_));
    }
    return std::move(trace_);
  }

 private:
  void step(char record) {
    switch (record) {
      case 's': {
        std::uint64_t site = number("site", kMaxSlots);
        std::string name(trim(line_));
        line_ = {};
        if (name.empty()) fail("a site without a name");
        if (site >= trace_.site_names.size()) {
          trace_.site_names.resize(site + 1);
        }
        if (!trace_.site_names[site].empty()) {
          fail("site " + std::to_string(site) + " declared twice");
        }
        trace_.site_names[site] = name;
        return;
      }
      case 'a': {
        std::uint64_t site = number("site", kMaxSlots);
        if (site >= trace_.site_names.size() ||
            trace_.site_names[site].empty()) {
          fail("site " + std::to_string(site) + " is not declared");
        }
        std::uint64_t refs = number("slot count", kMaxSlots);
        std::uint64_t payload = number("payload bytes", kMaxId);
        if (trace_.objects == kMaxId) fail("more than 2^32-1 objects");
        ++trace_.objects;
        refs_.push_back(static_cast<std::uint16_t>(refs));
        add(TraceOp::kAllocate, site, refs, payload);
        return;
      }
      case 'w':
      case 'r': {
        std::uint64_t object = known_object(false);
        std::uint64_t slot = number("slot", kMaxSlots);
        if (slot >= refs_[object - 1]) {
          fail("slot " + std::to_string(slot) + " of object " +
               std::to_string(object) + ", which has " +
               std::to_string(refs_[object - 1]) + " slots");
        }
        add(record == 'w' ? TraceOp::kWrite : TraceOp::kRead, object, slot,
            known_object(true));
        return;
      }
      case '+':
        ++roots_;
        add(TraceOp::kPushRoot, 0, 0, known_object(true));
        return;
      case '=': {
        std::uint64_t depth = number("root depth");
        if (depth >= roots_) {
          fail("root " + std::to_string(depth) + " of " +
               std::to_string(roots_) + " roots");
        }
        add(TraceOp::kSetRoot, depth, 0, known_object(true));
        return;
      }
      case '-':
        if (roots_ == 0) fail("a pop with no root pushed");
        --roots_;
        add(TraceOp::kPopRoot, 0, 0, 0);
        return;
      case 'g': {
        std::uint64_t global = number("global root", kMaxId);
        if (global == 0) fail("global root 0 (they count from 1)");
        if (global > globals_live_.size()) globals_live_.resize(global);
        globals_live_[global - 1] = true;
        if (global > trace_.globals) {
          trace_.globals = static_cast<std::uint32_t>(global);
        }
        add(TraceOp::kSetGlobal, global, 0, known_object(true));
        return;
      }
      case 'x': {
        std::uint64_t global = number("global root", kMaxId);
        if (global == 0 || global > globals_live_.size() ||
            !globals_live_[global - 1]) {
          fail("drops global root " + std::to_string(global) +
               ", which is not set");
        }
        globals_live_[global - 1] = false;
        add(TraceOp::kDropGlobal, global, 0, 0);
        return;
      }
      default:
        fail("unknown record '" + std::string(1, record) + "'");
    }
  }

  // An object allocated by an earlier line (or null, where allowed).
  std::uint64_t known_object(bool null_allowed) {
    std::uint64_t id = number("object", kMaxId);
    if (id == 0 && !null_allowed) fail("object 0 (null) has no slots");
    if (id > trace_.objects) {
      fail("unknown object " + std::to_string(id) + " (" +
           std::to_string(trace_.objects) + " allocated so far)");
    }
    return id;
  }

  void add(TraceOp op, std::uint64_t a, std::uint64_t slot, std::uint64_t b) {
    trace_.steps.push_back({.op = op,
                            .slot = static_cast<std::uint16_t>(slot),
                            .a = static_cast<std::uint32_t>(a),
                            .b = static_cast<std::uint32_t>(b)});
  }

  bool next_line() {
    if (rest_.empty()) return false;
    std::size_t end = rest_.find('\n');
    line_ = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view{}
                                          : rest_.substr(end + 1);
    ++line_number_;
    return true;
  }

  static std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
  }

  std::string_view word() {
    line_ = trim(line_);
    std::size_t end = line_.find(' ');
    std::string_view result = line_.substr(0, end);
    line_ =
        end == std::string_view::npos ? std::string_view{} : line_.substr(end);
    line_ = trim(line_);
    return result;
  }

  std::uint64_t number(
      const char* what,
      std::uint64_t most = std::numeric_limits<std::uint64_t>::max()) {
    std::string_view text = word();
    std::uint64_t value = 0;
    auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() ||
        end != text.data() + text.size()) {
      fail(std::string("expected a ") + what + ", got '" + std::string(text) +
           "'");
    }
    if (value > most) {
      fail(std::string(what) + " " + std::to_string(value) + " is over " +
           std::to_string(most));
    }
    return value;
  }

  [[noreturn]] void fail(const std::string& reason) const {
    throw ConfigError("trace " + std::string(name_) + " line " +
                      std::to_string(line_number_) + ": " + reason);
  }

  std::string_view rest_;
  std::string_view line_;
  std::string_view name_;
  std::uint64_t line_number_ = 0;
  AllocationTrace trace_;
  std::vector<std::uint16_t> refs_;  // by object id - 1
  std::uint64_t roots_ = 0;
  std::vector<bool> globals_live_;
};

}  // namespace

AllocationTrace parse_allocation_trace(std::string_view text,
                                       std::string_view name) {
  return TraceParser(text, name).parse();
}

// Read in one piece: a trace of GCBench is most of a gigabyte.
AllocationTrace read_allocation_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code error;
  std::uintmax_t bytes = std::filesystem::file_size(path, error);
  if (!in || error) throw ConfigError("cannot read trace " + path);
  std::string contents(bytes, '\0');
  if (!in.read(contents.data(), static_cast<std::streamsize>(bytes))) {
    throw ConfigError("cannot read trace " + path);
  }
  return parse_allocation_trace(contents, path);
}

}  // namespace gclab
