#include "collectors/ref_count.h"

#include <string>

#include "collectors/ref_count_check.h"
#include "heap/errors.h"
#include "heap/fatal.h"
#include "heap/gc_events.h"
#include "heap/ref_count_word.h"

namespace gclab {
namespace {

using ref_count::load;
using ref_count::store;

std::int64_t bounded(const ParamValues& params, std::string_view name,
                     std::int64_t low, std::int64_t high) {
  std::int64_t value = params.get_int(name);
  if (value < low || value > high) {
    throw ConfigError("bad parameter " + std::string(name) + "=" +
                      std::to_string(value) + ": expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
  return value;
}

RefCountOptions options_from(const ParamValues& params) {
  return {.cycles = parse_cycle_collection(params.get_choice("cycles")),
          .cycle_buffer = static_cast<std::size_t>(
              bounded(params, "cycle-buffer", 1, std::int64_t{1} << 30)),
          .count_bits = static_cast<int>(bounded(params, "count-bits",
                                                 ref_count::kMinCountBits,
                                                 ref_count::kMaxCountBits)),
          .log_limit = static_cast<std::size_t>(
              bounded(params, "log", 1, std::int64_t{1} << 30))};
}

CollectorCapabilities capabilities_for(CycleCollection cycles) {
  CollectorCapabilities capabilities = RefCountCollector::kCapabilities;
  capabilities.needs_sweepable_allocator =
      cycles == CycleCollection::kBackupTrace;
  return capabilities;
}

}  // namespace

CycleCollection parse_cycle_collection(std::string_view name) {
  if (name == "trial-deletion") return CycleCollection::kTrialDeletion;
  if (name == "backup-trace") return CycleCollection::kBackupTrace;
  if (name == "none") return CycleCollection::kNone;
  throw ConfigError("bad parameter cycles='" + std::string(name) +
                    "': expected one of trial-deletion|backup-trace|none");
}

RefCountCollector::RefCountCollector(Heap& heap, RefCountOptions options)
    : heap_(heap),
      options_(options),
      capabilities_(capabilities_for(options.cycles)),
      stuck_word_(ref_count::stuck_word(options.count_bits)),
      deferred_(heap.options().mutators > 1),
      poison_(heap.options().verify),
      trial_deletion_(stuck_word_),
      marker_(heap.options().gc_threads, heap.allocator().side_marks()) {
  stats_.deferred = deferred_;
  bool buffers = options_.cycles == CycleCollection::kTrialDeletion;
  heap_.set_reference_counting(
      {.hooks = this,
       .deferred = deferred_,
       .stuck_word = stuck_word_,
       .log_limit = options_.log_limit,
       .candidates = buffers && !deferred_ ? &candidates_ : nullptr});
}

RefCountCollector::~RefCountCollector() = default;

std::unique_ptr<Collector> RefCountCollector::create(
    Heap& heap, const ParamValues& params) {
  return std::make_unique<RefCountCollector>(heap, options_from(params));
}

CollectorCapabilities RefCountCollector::capabilities_of(
    const ParamValues& params) {
  return capabilities_for(options_from(params).cycles);
}

void RefCountCollector::attach(Mutator&) {
  std::lock_guard lock(detached_mutex_);
  if (++attached_ > 1 && !deferred_) {
    fatal(
        "ref-count: a second mutator attached to a heap built for one "
        "(HeapOptions::mutators), whose counting is not thread-safe");
  }
}

// With one mutator its workload is over, so nothing holds a raw pointer and
// its table can be processed now. With several, the others still run.
void RefCountCollector::detach(Mutator& mutator) {
  if (!deferred_) {
    settle_alone(mutator);
  } else {
    std::lock_guard lock(detached_mutex_);
    detached_log_.insert(detached_log_.end(), mutator.decrement_log().begin(),
                         mutator.decrement_log().end());
    detached_table_.insert(detached_table_.end(), mutator.zero_counts().begin(),
                           mutator.zero_counts().end());
    mutator.decrement_log().clear();
    mutator.zero_counts().clear();
  }
  std::lock_guard lock(detached_mutex_);
  --attached_;
}

void RefCountCollector::drop_reference(Object* object) {
  std::lock_guard lock(detached_mutex_);
  detached_log_.push_back(object);
}

void RefCountCollector::process(Mutator& mutator) {
  bool cycles_due = false;
  if (!deferred_) {
    std::int64_t start = thread_cpu_ns();
    settle_alone(mutator);
    std::int64_t spent = thread_cpu_ns() - start;
    stats_.processing_ns += spent;
    heap_.events().add_gc_cpu_ns(spent);
    cycles_due = candidates_.size() >= options_.cycle_buffer;
  } else {
    Heap::WorldStop world(heap_, &mutator, PauseKind::kCount,
                          Heap::Buffers::kKeep);
    if (!world.stopped()) return;  // another mutator's stop applied it all
    std::int64_t start = heap_.events().now_ns();
    settle_all();
    stats_.processing_ns += heap_.events().now_ns() - start;
    cycles_due = options_.cycles == CycleCollection::kTrialDeletion &&
                 candidates_.size() >= options_.cycle_buffer;
  }
  if (cycles_due) heap_.collect(&mutator, GcCause::kTrigger);
}

void RefCountCollector::settle_alone(Mutator& mutator) {
  {
    std::lock_guard lock(detached_mutex_);
    apply_log(detached_log_);
  }
  process_table(mutator.zero_counts());
  purge_released_candidates();
}

void RefCountCollector::settle_all() {
  for (Mutator* mutator : heap_.safepoints().mutators()) {
    apply_log(mutator->decrement_log());
  }
  {
    std::lock_guard lock(detached_mutex_);
    apply_log(detached_log_);
  }
  for (Mutator* mutator : heap_.safepoints().mutators()) {
    process_table(mutator->zero_counts());
  }
  std::lock_guard lock(detached_mutex_);
  process_table(detached_table_);
  purge_released_candidates();
}

void RefCountCollector::apply_log(std::vector<Object*>& log) {
  stats_.logged_decrements += log.size();
  for (Object* object : log) {
    drop(object);
    release_dead();
  }
  log.clear();
}

// Entries whose count is zero are dead (see heap/ref_counting.h); the rest
// leave the table, to come back if their count falls to zero again.
void RefCountCollector::process_table(std::vector<Object*>& table) {
  if (table.empty()) return;
  ++stats_.table_processings;
  stats_.table_entries += table.size();
  for (Object* object : table) {
    std::uint32_t word = load(object) & ~ref_count::kZeroCount;
    store(object, word);
    if (ref_count::count(word) == 0) work_.push_back(object);
  }
  table.clear();
  release_dead();
}

void RefCountCollector::drop(Object* object) {
  std::uint32_t word = load(object);
  if (word >= stuck_word_) return;
  if (ref_count::count(word) == 0) {
    fatal("ref-count: a reference count fell below zero (site " +
          std::to_string(object->site()) + ")");
  }
  word -= ref_count::kOne;
  if (ref_count::count(word) == 0) {
    store(object, word);
    // In a table, it is freed when the table is processed.
    if ((word & ref_count::kZeroCount) == 0) work_.push_back(object);
    return;
  }
  if (options_.cycles == CycleCollection::kTrialDeletion &&
      ref_count::colour(word) != ref_count::Colour::kPurple) {
    word = ref_count::with_colour(word, ref_count::Colour::kPurple);
    if ((word & ref_count::kCandidate) == 0) {
      word |= ref_count::kCandidate;
      candidates_.push_back(object);
    }
  }
  store(object, word);
}

// A dead object's slots are cleared as their references are dropped, so an
// object left for the candidate buffer to free holds no references that the
// counts no longer include.
void RefCountCollector::release_dead() {
  while (!work_.empty()) {
    Object* dead = work_.back();
    work_.pop_back();
    for (std::size_t i = 0; i < dead->num_refs(); ++i) {
      if (Object* child = dead->load_slot(i)) {
        dead->store_slot(i, nullptr);
        drop(child);
      }
    }
    std::uint32_t word = load(dead);
    if ((word & ref_count::kCandidate) != 0) {
      store(dead, ref_count::with_colour(word, ref_count::Colour::kBlack));
      ++released_candidates_;
      continue;
    }
    free_counted(dead);
  }
}

// A Root dropped to a non-zero count makes its object a candidate, so
// nearly every node of a tree built bottom up is buffered while it is
// built; when the tree dies, counting releases them into the buffer. Left
// there until trial deletion, they would keep dead trees' memory and fill
// the buffer, forcing trial deletions that find nothing. Purging once they
// are half of it costs one pass over the buffer per as many releases.
void RefCountCollector::purge_released_candidates() {
  if (released_candidates_ < 1024 ||
      released_candidates_ * 2 < candidates_.size()) {
    return;
  }
  std::size_t kept = 0;
  for (Object* candidate : candidates_) {
    std::uint32_t word = load(candidate);
    // Released: no count, and in no table (where it would wait to be).
    if (ref_count::count(word) == 0 && (word & ref_count::kZeroCount) == 0) {
      store(candidate, word & ~ref_count::kCandidate);
      free_counted(candidate);
    } else {
      candidates_[kept++] = candidate;
    }
  }
  candidates_.resize(kept);
  released_candidates_ = 0;
}

void RefCountCollector::free_counted(Object* object) {
  ++stats_.freed_by_counting_objects;
  stats_.freed_by_counting_bytes += object->size_bytes();
  heap_.allocator().free_object(object, poison_);
}

void RefCountCollector::free_cyclic(Object* object) {
  ++stats_.freed_by_cycles_objects;
  stats_.freed_by_cycles_bytes += object->size_bytes();
  heap_.allocator().free_object(object, poison_);
}

void RefCountCollector::collect(Mutator* requester, GcCause cause) {
  Heap::WorldStop world(heap_, requester, PauseKind::kFull);
  if (!world.stopped()) return;         // another mutator collected meanwhile
  CollectionCycle cycle(heap_, cause);  // closes before the world resumes
  const std::uint64_t freed_objects =
      stats_.freed_by_counting_objects + stats_.freed_by_cycles_objects;
  const std::uint64_t freed_bytes =
      stats_.freed_by_counting_bytes + stats_.freed_by_cycles_bytes;
  {
    PhaseTimer phase = cycle.phase("count");
    settle_all();
  }
  switch (options_.cycles) {
    case CycleCollection::kTrialDeletion:
      collect_cycles(cycle);
      break;
    case CycleCollection::kBackupTrace:
      backup_trace(cycle);
      break;
    case CycleCollection::kNone:
      break;
  }
  cycle.record().freed_objects = stats_.freed_by_counting_objects +
                                 stats_.freed_by_cycles_objects - freed_objects;
  cycle.record().freed_bytes = stats_.freed_by_counting_bytes +
                               stats_.freed_by_cycles_bytes - freed_bytes;
  if (heap_.options().verify) {
    check_counts("after collection " + std::to_string(cycle.index()));
  }
}

void RefCountCollector::collect_cycles(CollectionCycle& cycle) {
  PhaseTimer phase = cycle.phase("trial-deletion");
  ++stats_.cycle_collections;
  stats_.candidate_buffer_sizes.push_back(candidates_.size());
  TrialDeletion::Freed freed = trial_deletion_.collect(candidates_);
  released_candidates_ = 0;
  for (Object* object : freed.released) free_counted(object);
  for (Object* object : freed.cyclic) free_cyclic(object);
}

// The sweep frees whatever the trace did not reach: garbage cycles, and
// garbage under stuck counts. What it keeps is then recounted from the
// graph, which un-sticks counts that are below the limit again and clears
// every flag: no table holds anything (settle_all ran) and there is no
// candidate buffer in this mode.
void RefCountCollector::backup_trace(CollectionCycle& cycle) {
  ++stats_.cycle_collections;
  Allocator& allocator = heap_.allocator();
  std::uint8_t epoch = cycle.flip_mark_epoch();
  {
    PhaseTimer phase = cycle.phase("mark");
    MarkResult marked = marker_.mark_from_roots(heap_, epoch, phase);
    cycle.count_marked(marked.objects, marked.bytes);
  }
  {
    PhaseTimer phase = cycle.phase("sweep");
    SweepResult swept = allocator.sweep(epoch, poison_);
    stats_.freed_by_cycles_objects += swept.freed_objects;
    stats_.freed_by_cycles_bytes += swept.freed_bytes;
  }
  PhaseTimer phase = cycle.phase("recount");
  allocator.visit_objects([](Object* object) { store(object, 0); });
  auto count = [this](Object* object) {
    std::uint32_t word = load(object);
    if (word < stuck_word_) store(object, word + ref_count::kOne);
  };
  allocator.visit_objects([&](Object* object) {
    for (std::size_t i = 0; i < object->num_refs(); ++i) {
      if (Object* child = object->load_slot(i)) count(child);
    }
  });
  heap_.for_each_root([&](Object** slot) {
    if (*slot != nullptr) count(*slot);
  });
}

void RefCountCollector::check_counts(std::string_view when) {
  if (auto error = check_reference_counts(heap_, stuck_word_)) {
    fatal("verification failed " + std::string(when) + ": " + *error);
  }
  heap_.verifier().count_checked();
}

void RefCountCollector::finish() {
  {
    std::lock_guard lock(detached_mutex_);
    if (attached_ > 0) return;  // a mutator may still hold raw pointers
  }
  settle_all();
  if (heap_.options().verify) check_counts("after the run");
}

}  // namespace gclab
