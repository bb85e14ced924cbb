#include "heap/trace_recorder.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "heap/fatal.h"
#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
constexpr std::uint64_t kMaxObjects = std::numeric_limits<std::uint32_t>::max();

}  // namespace

TraceRecorder::TraceRecorder(Heap& heap, std::FILE* out)
    : heap_(heap),
      out_(out),
      arena_base_(heap.allocator().arena().data()),
      ids_(heap.allocator().arena().size() / kGranuleBytes *
           sizeof(std::uint32_t)) {
  buffer_ = "gclab-trace 1\n";
}

std::uint64_t TraceRecorder::id_of(Object* object) const {
  if (object == nullptr) return 0;
  std::size_t granule =
      static_cast<std::size_t>(object->address() - arena_base_) / kGranuleBytes;
  std::uint32_t id =
      reinterpret_cast<const std::uint32_t*>(ids_.begin())[granule];
  if (id == 0) fatal("trace recorder: an object it never saw allocated");
  return id;
}

void TraceRecorder::allocated(Object* object, ObjectShape shape) {
  if (finished_) return;
  if (++objects_ > kMaxObjects) {
    fatal("--record-trace: more than 2^32-1 objects; record a shorter run");
  }
  std::size_t granule =
      static_cast<std::size_t>(object->address() - arena_base_) / kGranuleBytes;
  reinterpret_cast<std::uint32_t*>(ids_.begin())[granule] =
      static_cast<std::uint32_t>(objects_);
  if (shape.site >= site_declared_.size()) {
    site_declared_.resize(shape.site + 1u, false);
  }
  if (!site_declared_[shape.site]) {
    site_declared_[shape.site] = true;
    begin('s');
    put(std::uint64_t{shape.site});
    buffer_ += ' ';
    buffer_ += heap_.site_names().at(shape.site);
    end_line();
  }
  begin('a');
  put(std::uint64_t{shape.site});
  put(std::uint64_t{shape.num_refs});
  put(std::uint64_t{shape.payload_bytes});
  end_line();
}

void TraceRecorder::wrote(Object* object, std::size_t slot, Object* value) {
  if (finished_) return;
  begin('w');
  put(id_of(object));
  put(slot);
  put(id_of(value));
  end_line();
}

void TraceRecorder::read(Object* object, std::size_t slot, Object* value) {
  if (finished_) return;
  begin('r');
  put(id_of(object));
  put(slot);
  put(id_of(value));
  end_line();
}

void TraceRecorder::root_pushed(const Root* root, Object* value) {
  if (finished_) return;
  roots_.push_back(root);
  begin('+');
  put(id_of(value));
  end_line();
}

void TraceRecorder::root_set(const Root* root, Object* value) {
  if (finished_) return;
  // Usually one of the innermost.
  auto found = std::find(roots_.rbegin(), roots_.rend(), root);
  if (found == roots_.rend()) fatal("trace recorder: a Root it never saw");
  begin('=');
  put(static_cast<std::uint64_t>(roots_.rend() - found - 1));
  put(id_of(value));
  end_line();
}

void TraceRecorder::root_popped(const Root* root) {
  if (finished_) return;
  if (roots_.empty() || roots_.back() != root) {
    fatal("trace recorder: Roots popped out of order");
  }
  roots_.pop_back();
  begin('-');
  end_line();
}

void TraceRecorder::global_set(Object* const* slot, Object* value) {
  if (finished_) return;
  auto found = std::find(globals_.begin(), globals_.end(), slot);
  if (found == globals_.end()) {
    globals_.push_back(slot);
    found = globals_.end() - 1;
  }
  begin('g');
  put(static_cast<std::uint64_t>(found - globals_.begin()) + 1);
  put(id_of(value));
  end_line();
}

void TraceRecorder::global_dropped(Object* const* slot) {
  if (finished_) return;
  auto found = std::find(globals_.begin(), globals_.end(), slot);
  if (found == globals_.end()) return;  // never set: nothing to replay
  begin('x');
  put(static_cast<std::uint64_t>(found - globals_.begin()) + 1);
  end_line();
  *found = nullptr;  // a new root at this address is a new global
}

bool TraceRecorder::finish() {
  if (finished_) return !failed_;
  buffer_ += "end";
  put(objects_);
  end_line();
  flush();
  if (std::fflush(out_) != 0) failed_ = true;
  finished_ = true;
  return !failed_;
}

void TraceRecorder::begin(char record) { buffer_ += record; }

void TraceRecorder::put(std::uint64_t number) {
  char digits[24];
  digits[0] = ' ';
  auto [end, error] = std::to_chars(digits + 1, digits + sizeof digits, number);
  buffer_.append(digits, end);
}

void TraceRecorder::end_line() {
  buffer_ += '\n';
  if (buffer_.size() >= kFlushBytes) flush();
}

void TraceRecorder::flush() {
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
    failed_ = true;
  }
  buffer_.clear();
}

}  // namespace gclab
