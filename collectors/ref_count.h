// `ref-count`: reference counting with cycle collection.
//
// Counts live in each object's collector word (heap/ref_count_word.h) and are
// kept by the mutators inline: the counting store increments the new value
// and decrements the old one, and Roots count the references they hold
// (heap/ref_counting.h says what is and is not counted, and why an object
// whose count falls to zero waits in its mutator's zero count table until
// the next allocation). This collector does what the mutators cannot:
//   processing    a mutator's zero count table, at an allocation: each
//                 object whose count is still zero is dead; freeing it drops
//                 what its slots held, which frees what falls to zero in
//                 turn, on an explicit work list (a long list costs no native
//                 stack). With several mutators, decrements are logged and
//                 all of this happens in a stop of the world (pause kind
//                 `count`), after every log has been applied;
//   cycles        garbage cycles keep their counts above zero. --cycles
//                 chooses what reclaims them:
//                   trial-deletion  synchronous trial deletion over the
//                                   buffer of possible cycle roots
//                                   (collectors/trial_deletion.h), run when
//                                   the buffer holds cycle-buffer objects or
//                                   an allocation fails;
//                   backup-trace    a stop-the-world trace (the parallel
//                                   marker) and an eager sweep when an
//                                   allocation fails, which then recounts
//                                   every survivor from the graph, so sticky
//                                   counts become exact again (LXR's backup
//                                   trace; Shahriyar et al. 2012);
//                   none            nothing: cycles leak, for the leak
//                                   report to find;
//   collection    an allocation failure, the trigger or --stress: the world
//                 stops, every log is applied and table processed, then the
//                 cycle collection runs; with --verify every count is also
//                 checked against a recount from the graph
//                 (collectors/ref_count_check.h).
// Freeing goes through Allocator::free_object, so the allocator must free
// single objects (free-list, size-class, tlsf; not bump).
//
// Design note: docs/design.md#reference-counting.
#ifndef GCLAB_COLLECTORS_REF_COUNT_H_
#define GCLAB_COLLECTORS_REF_COUNT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "collectors/parallel_marker.h"
#include "collectors/trial_deletion.h"
#include "heap/collection_cycle.h"
#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/params.h"
#include "heap/ref_counting.h"

namespace gclab {

enum class CycleCollection { kTrialDeletion, kBackupTrace, kNone };

// Parses "trial-deletion", "backup-trace" or "none"; throws ConfigError.
CycleCollection parse_cycle_collection(std::string_view name);

struct RefCountOptions {
  CycleCollection cycles = CycleCollection::kTrialDeletion;
  std::size_t cycle_buffer = 65536;
  int count_bits = 16;
  std::size_t log_limit = 1024;
};

class RefCountCollector final : public Collector, private RefCountHooks {
 public:
  static constexpr CollectorCapabilities kCapabilities{
      .marks_reachable = false,
      .needs_object_free = true,
      .counts_references = true};
  static constexpr ParamSpec kParams[] = {
      {"cycles", ParamKind::kChoice, "trial-deletion",
       "what reclaims garbage cycles: trial-deletion (Bacon & Rajan 2001), "
       "backup-trace (a stop-the-world mark and sweep on allocation "
       "failure), none (they leak)",
       "trial-deletion|backup-trace|none"},
      {"cycle-buffer", ParamKind::kInt, "65536",
       "possible cycle roots buffered before trial deletion runs"},
      {"count-bits", ParamKind::kInt, "16",
       "bits of the count; a count that reaches 2^bits-1 sticks (2..24)"},
      {"log", ParamKind::kInt, "1024",
       "entries of a mutator's zero count table (and decrement log) that "
       "make its next allocation process them"},
  };

  RefCountCollector(Heap& heap, RefCountOptions options);
  ~RefCountCollector() override;
  static std::unique_ptr<Collector> create(Heap& heap,
                                           const ParamValues& params);
  static CollectorCapabilities capabilities_of(const ParamValues& params);

  CollectorCapabilities capabilities() const override { return capabilities_; }
  void collect(Mutator* requester, GcCause cause) override;
  // Applies what detached mutators left and processes it: every mutator has
  // finished, so nothing holds a raw pointer.
  void finish() override;

  const RefCountOptions& options() const { return options_; }
  std::uint32_t stuck_word() const { return stuck_word_; }
  // Read after the run, or with the world stopped.
  const RefCountStats& stats() const { return stats_; }

 private:
  void process(Mutator& mutator) override;
  void attach(Mutator& mutator) override;
  void detach(Mutator& mutator) override;
  void drop_reference(Object* object) override;

  // Applies every log and processes every table: the world stopped, or the
  // only mutator at an allocation.
  void settle_all();
  // The same for the only mutator, from its own thread (one mutator).
  void settle_alone(Mutator& mutator);
  void apply_log(std::vector<Object*>& log);
  void process_table(std::vector<Object*>& table);
  // Frees the candidates that counting released, once they are half the
  // buffer (see purge_released_candidates in the .cc).
  void purge_released_candidates();
  // Drops one reference to `object`: at zero it is dead, onto the work list.
  void drop(Object* object);
  // Frees the work list's objects and what falls to zero after them.
  void release_dead();
  void free_counted(Object* object);
  void free_cyclic(Object* object);
  void collect_cycles(CollectionCycle& cycle);
  void backup_trace(CollectionCycle& cycle);
  void check_counts(std::string_view when);

  Heap& heap_;
  const RefCountOptions options_;
  const CollectorCapabilities capabilities_;
  const std::uint32_t stuck_word_;
  const bool deferred_;
  const bool poison_;
  TrialDeletion trial_deletion_;
  ParallelMarker marker_;
  std::vector<Object*> candidates_;
  // Candidates released by counting since the buffer was last purged.
  std::size_t released_candidates_ = 0;
  std::vector<Object*> work_;
  // Decrements from outside the mutators' logs (drop_reference, and what
  // detached mutators left with several), and detached mutators' tables;
  // guarded.
  std::mutex detached_mutex_;
  std::vector<Object*> detached_log_;
  std::vector<Object*> detached_table_;
  int attached_ = 0;
  RefCountStats stats_;
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_REF_COUNT_H_
