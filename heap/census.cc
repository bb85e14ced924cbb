#include "heap/census.h"

#include <atomic>
#include <bit>
#include <cstdint>
#include <utility>

#include "heap/heap.h"
#include "heap/side_mark_bitmap.h"

namespace gclab {

HeapCensus::HeapCensus(Heap& heap, const CensusOptions& options,
                       const CollectorCapabilities& collector)
    : heap_(heap),
      options_(options),
      at_collections_(collector.marks_reachable),
      collector_frees_(collector.collects) {
  if (options.leak_growth_censuses > 0) {
    growth_.emplace(options.leak_growth_censuses);
  }
}

void HeapCensus::take_at_close(std::uint32_t cycle, std::uint8_t epoch) {
  std::int64_t start_ns = heap_.events().now_ns();
  CensusCounts counts;
  auto count_marked = [&counts, epoch](Object* object) {
    if (object->is_marked(epoch)) counts.count(object);
  };
  // Side mark bits name exactly the objects marked, so walking them reads
  // no dead object; otherwise a walk meets every object the last mark left,
  // dead ones included (a lazy sweep has freed none yet), and is most of the
  // census. An allocator whose blocks tile its arena is walked inline,
  // without a call per object.
  Allocator& allocator = heap_.allocator();
  if (SideMarkBitmap* marks = allocator.side_marks(); marks != nullptr) {
    std::byte* base = allocator.arena().data();
    for (std::size_t word = 0; word < marks->word_count(); ++word) {
      for (std::uint64_t bits =
               marks->word(word).load(std::memory_order_relaxed);
           bits != 0; bits &= bits - 1) {
        std::size_t bit = word * AtomicBitmap::kBitsPerWord +
                          static_cast<std::size_t>(std::countr_zero(bits));
        count_marked(reinterpret_cast<Object*>(base + bit * kGranuleBytes));
      }
    }
  } else if (std::span<std::byte> blocks = allocator.parseable();
             !blocks.empty()) {
    for (std::byte* at = blocks.data(); at < blocks.data() + blocks.size();) {
      __builtin_prefetch(at + 2048);
      auto* block = reinterpret_cast<Object*>(at);
      if (block->is_object()) count_marked(block);
      at += block->size_bytes();
    }
  } else {
    allocator.visit_objects(count_marked);
  }
  record({.time_ns = start_ns, .cycle = cycle}, counts, nullptr);
  records_.back().duration_ns = heap_.events().now_ns() - start_ns;
}

void HeapCensus::take_between_collections(Mutator& requester) {
  std::int64_t start_ns = heap_.events().now_ns();
  Heap::WorldStop world(heap_, &requester, Heap::WorldStop::Unrecorded{});
  if (!world.stopped()) return;  // whoever held it restarted our count
  // Paths want a breadth-first trace (heap/census_trace.h).
  CensusTrace trace(heap_,
                    growth_ ? CensusTrace::Order::kBreadthFirst
                            : CensusTrace::Order::kDepthFirst,
                    CensusTrace::Aging::kAgeReached, workspace());
  record({.time_ns = start_ns}, trace.counts(), &trace);
  if (growth_ && collector_frees_) {
    find_garbage_cycles(records_.back().index, trace);
  }
  for (Mutator* mutator : heap_.safepoints().mutators()) {
    mutator->restart_census_count();
  }
  records_.back().duration_ns = heap_.events().now_ns() - start_ns;
}

void HeapCensus::record(CensusRecord record, const CensusCounts& counts,
                        const CensusTrace* trace) {
  record.index = static_cast<std::uint32_t>(records_.size());
  MutatorCounters allocated = heap_.mutator_totals();
  for (Mutator* mutator : heap_.safepoints().mutators()) {
    allocated.add(mutator->counters());
  }
  record.allocated_objects = allocated.objects_allocated;
  record.allocated_bytes = allocated.bytes_allocated;
  record.sites = counts.sites();
  record.ages = counts.ages();
  if (growth_) {
    std::vector<std::uint16_t> want_paths = growth_->observe(
        record.index, record.allocated_bytes, counts.bytes_by_site());
    // Marks give no paths: a trace of its own, in the same pause, only at
    // a census that needs one.
    std::optional<CensusTrace> own_trace;
    if (!want_paths.empty() && trace == nullptr) {
      trace = &own_trace.emplace(heap_, CensusTrace::Order::kBreadthFirst,
                                 CensusTrace::Aging::kNone, workspace());
    }
    for (std::uint16_t site : want_paths) {
      growth_->set_path(site, record.index, trace->path_to_site(site));
    }
  }
  records_.push_back(std::move(record));
}

void HeapCensus::find_garbage_cycles(std::uint32_t census,
                                     const CensusTrace& trace) {
  std::vector<Object*> garbage;
  heap_.allocator().visit_objects([&garbage, &trace](Object* object) {
    if (!trace.reached(object)) garbage.push_back(object);
  });
  garbage_cycles_ =
      GarbageCycles{.census = census,
                    .components = gclab::garbage_cycles(std::move(garbage))};
}

EndOfRunAllocation HeapCensus::end_of_run() {
  EndOfRunAllocation result{
      .collector_frees = collector_frees_,
      .reachable_only = collector_frees_ && at_collections_};
  if (result.reachable_only) {
    result.sites = CensusTrace(heap_, CensusTrace::Order::kDepthFirst,
                               CensusTrace::Aging::kNone, workspace())
                       .counts()
                       .sites();
    return result;
  }
  CensusCounts counts;
  heap_.allocator().visit_objects(
      [&counts](Object* object) { counts.count(object); });
  result.sites = counts.sites();
  return result;
}

CensusTrace::Workspace& HeapCensus::workspace() {
  if (!workspace_) workspace_.emplace(heap_.allocator().arena());
  return *workspace_;
}

std::vector<GrowingSite> HeapCensus::growing_sites() const {
  return growth_ ? growth_->flagged() : std::vector<GrowingSite>{};
}

}  // namespace gclab
