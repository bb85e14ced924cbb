#include "workloads/replay.h"

#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::size_t kPrefetchDistance = 16;

std::uint64_t mix(std::uint64_t digest, std::uint64_t value) {
  digest ^= value + 0x9e3779b97f4a7c15ULL + (digest << 6) + (digest >> 2);
  return digest;
}

// What the replay checks is the trace itself (every read against it), so
// its digest is the trace's, taken once when the workload is made rather
// than step by step on the run's clock.
std::uint64_t digest_of(const AllocationTrace& trace) {
  std::uint64_t digest = 0;
  for (const TraceStep& step : trace.steps) {
    digest = mix(digest, (std::uint64_t{step.a} << 32) | step.b);
  }
  return digest == 0 ? 1 : digest;
}

// The replayed Roots. Roots must be destroyed innermost first, which a
// deque's destructor does not promise.
class RootStack {
 public:
  explicit RootStack(Mutator& mutator) : mutator_(mutator) {}
  ~RootStack() {
    while (!roots_.empty()) pop();
  }
  RootStack(const RootStack&) = delete;
  RootStack& operator=(const RootStack&) = delete;

  void push(Object* object, std::uint32_t id) {
    roots_.emplace_back(mutator_, object);
    ids_.push_back(id);
  }
  void set(std::size_t depth, Object* object, std::uint32_t id) {
    roots_[depth].set(object);
    ids_[depth] = id;
  }
  void pop() {
    roots_.pop_back();
    ids_.pop_back();
  }
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (std::size_t i = 0; i < roots_.size(); ++i) {
      visit(ids_[i], roots_[i].get());
    }
  }

 private:
  Mutator& mutator_;
  std::deque<Root> roots_;
  std::vector<std::uint32_t> ids_;
};

}  // namespace

// Where each traced object is, as of the last relocation (see the header).
class ReplayWorkload::ObjectTable {
 public:
  explicit ObjectTable(std::uint32_t objects) : entries_(objects + 1u) {}

  void remember(std::uint32_t id, Object* object) {
    entries_[id] = {object, epoch_};
  }
  bool knows(std::uint32_t id) const { return entries_[id].epoch == epoch_; }
  Object* find(std::uint32_t id) const {
    if (id == 0) return nullptr;
    if (!knows(id)) {
      throw WorkloadCheckFailed(
          "replay: the trace uses object " + std::to_string(id) +
          " after a collection moved it without reaching it again from a "
          "root; the recorded workload kept an address across an "
          "allocation");
    }
    return entries_[id].object;
  }
  void forget_all() { ++epoch_; }
  // A step's fields name objects only in some records (an allocation's are
  // a site and a size), so ids past the table are passed over.
  void prefetch(std::uint32_t id) const {
    if (id < entries_.size()) __builtin_prefetch(&entries_[id]);
  }

 private:
  struct Entry {
    Object* object = nullptr;
    std::uint32_t epoch = 0;
  };
  std::vector<Entry> entries_;
  std::uint32_t epoch_ = 1;
};

ReplayWorkload::ReplayWorkload(AllocationTrace trace)
    : trace_(std::move(trace)), checksum_(digest_of(trace_)) {
  prepared_table_ = std::make_unique<ObjectTable>(trace_.objects);
}

ReplayWorkload::~ReplayWorkload() = default;

std::unique_ptr<ReplayWorkload::ObjectTable> ReplayWorkload::take_table() {
  {
    std::lock_guard lock(prepared_table_mutex_);
    if (prepared_table_ != nullptr) return std::move(prepared_table_);
  }
  return std::make_unique<ObjectTable>(trace_.objects);
}

std::unique_ptr<Workload> ReplayWorkload::make(const ParamValues& params) {
  const std::string& path = params.get_string("trace");
  if (path.empty()) {
    throw ConfigError(
        "workload replay needs a trace: --param trace=FILE (written by gclab "
        "run --record-trace FILE)");
  }
  return std::make_unique<ReplayWorkload>(read_allocation_trace(path));
}

WorkloadReport ReplayWorkload::run(Mutator& mutator, std::uint64_t) {
  Heap& heap = mutator.heap();
  std::vector<std::uint16_t> sites(trace_.site_names.size());
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (!trace_.site_names[i].empty()) {
      sites[i] = heap.register_site(trace_.site_names[i]);
    }
  }
  const bool moving = heap.collector().capabilities().moving;
  std::uint64_t relocations = heap.relocations();
  std::unique_ptr<ObjectTable> table_owner = take_table();
  ObjectTable& table = *table_owner;
  RootStack roots(mutator);
  std::vector<std::unique_ptr<GlobalRoot>> globals(trace_.globals + 1u);
  std::vector<std::uint32_t> global_ids(trace_.globals + 1u);
  // Called after each allocation, the only place this mutator polls: the
  // recorded workload may hold an unrooted new object until its next
  // allocation, so a stop anywhere else could free what the trace still
  // uses.
  auto after_safepoint = [&] {
    if (!moving || heap.relocations() == relocations) return;
    relocations = heap.relocations();
    table.forget_all();
    roots.for_each([&](std::uint32_t id, Object* object) {
      if (id != 0) table.remember(id, object);
    });
    for (std::size_t g = 1; g < globals.size(); ++g) {
      if (global_ids[g] != 0) table.remember(global_ids[g], globals[g]->get());
    }
  };

  WorkloadReport report;
  std::uint32_t next_id = 0;
  std::uint64_t allocations = 0;
  std::uint64_t writes = 0;
  for (std::size_t index = 0; index < trace_.steps.size(); ++index) {
    const TraceStep& step = trace_.steps[index];
    // The table is too large for any cache and the ids a step names are
    // scattered, so their entries are fetched a few steps ahead.
    if (index + kPrefetchDistance < trace_.steps.size()) {
      const TraceStep& ahead = trace_.steps[index + kPrefetchDistance];
      table.prefetch(ahead.a);
      table.prefetch(ahead.b);
    }
    switch (step.op) {
      case TraceOp::kAllocate: {
        Object* object = mutator.allocate({.site = sites[step.a],
                                           .num_refs = step.slot,
                                           .payload_bytes = step.b});
        after_safepoint();
        table.remember(++next_id, object);
        ++allocations;
        break;
      }
      case TraceOp::kWrite:
        mutator.write(table.find(step.a), step.slot, table.find(step.b));
        ++writes;
        break;
      case TraceOp::kRead: {
        Object* value = mutator.read(table.find(step.a), step.slot);
        bool expected = step.b == 0           ? value == nullptr
                        : table.knows(step.b) ? table.find(step.b) == value
                                              : value != nullptr;
        if (!expected) {
          throw WorkloadCheckFailed(
              "replay: step " + std::to_string(index) + " read slot " +
              std::to_string(step.slot) + " of object " +
              std::to_string(step.a) + " and found " +
              (value == nullptr ? "null" : "another object") +
              " where the recording found " +
              (step.b == 0 ? "null" : "object " + std::to_string(step.b)));
        }
        if (step.b != 0) table.remember(step.b, value);
        ++report.checks_passed;
        break;
      }
      case TraceOp::kPushRoot:
        roots.push(table.find(step.b), step.b);
        break;
      case TraceOp::kSetRoot:
        roots.set(step.a, table.find(step.b), step.b);
        break;
      case TraceOp::kPopRoot:
        roots.pop();
        break;
      case TraceOp::kSetGlobal:
        if (globals[step.a] == nullptr) {
          globals[step.a] =
              std::make_unique<GlobalRoot>(mutator, table.find(step.b));
        } else {
          globals[step.a]->set(mutator, table.find(step.b));
        }
        global_ids[step.a] = step.b;
        break;
      case TraceOp::kDropGlobal:
        globals[step.a].reset();
        global_ids[step.a] = 0;
        break;
    }
  }
  report.checksum = checksum_;
  report.output = {"replayed " + std::to_string(trace_.steps.size()) +
                   " steps: " + std::to_string(allocations) + " objects, " +
                   std::to_string(writes) + " stores, " +
                   std::to_string(report.checks_passed) + " reads checked"};
  return report;
}

}  // namespace gclab
