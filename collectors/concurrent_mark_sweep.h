// `concurrent-mark-sweep`: tri-colour marking concurrent with the mutators,
// with the write barrier chosen by --barrier (heap/barrier.h), and sweeping
// concurrent with them too.
//
// A cycle, run by the collector's own thread (the driver):
//   1. initial mark (world stopped): finish the last cycle's sweep, flip the
//      mark epoch, allocate black from now on (new objects carry the epoch),
//      turn the barrier on with the marker's queue as its sink, and grey the
//      global roots; with yuasa also every mutator's roots (the snapshot
//      must include them all at once); with hybrid, flag every mutator's
//      roots as unscanned so the barrier also shades new values;
//   2. root handshake (dijkstra, hybrid): each mutator greys its own roots
//      at its next safepoint poll, the others running on (ragged);
//   3. concurrent mark: GC threads (--gc-threads, a TBB arena) drain the
//      grey queue while the mutators run; then a handshake has every mutator
//      flush its barrier buffer; repeat while that brought new work;
//   4. remark (world stopped): take the barrier buffers and, with dijkstra,
//      every mutator's unmarked roots (stores into roots are not
//      barriered); if that (or an assist's leftover) is work, resume the
//      mutators and go back to 3, at most kRemarkAttempts times; else, or
//      on the last attempt, mark to the end in the pause, turn the barrier
//      off, with --verify run the checkmark, begin a lazy sweep and close
//      the cycle;
//   5. concurrent sweep: the driver sweeps in the background, step by step,
//      while the mutators also sweep on allocation; the next initial mark
//      finishes whatever is left.
// Invariants. Dijkstra: no black object points at a white one, except
// through stores into roots, which remark rescans. Yuasa: every object
// reachable at initial mark gets marked (each deleted reference is shaded),
// and objects allocated since are black. Hybrid: both halves hold without a
// rescan, since a mutator's stores shade the new value until its own roots
// are scanned (Go's proof, Clements and Hudson 2016). So after remark every
// reachable object carries the epoch, and the sweep frees only garbage.
//
// Pacing: `collect` is asked on the allocation slow path when the trigger
// fires (gogc:100 by default for this collector, heap/trigger.h). It starts
// a cycle and returns; once marking is under way, a mutator that allocates
// past the trigger's heap goal assists the marker (an "assist" pause) and a
// mutator whose allocation fails waits for the cycle to end (a "stall").
//
// The cycle is one CollectionCycle (heap/collection_cycle.h), closed in the
// remark pause that ends marking, so the trigger is told what the cycle
// left, and --verify checks the heap, while no mutator runs.
//
// --stw (the differential mode) runs this same cycle, phase for phase, in
// one stop-the-world pause: the barrier goes on, the roots are greyed
// (handshakes with a stopped world run every mutator's action on the
// driver), marking runs in rounds with the barrier buffers flushed, remark
// finds nothing more, and the lazy sweep begun at its end is finished in the
// same pause. So what the two modes' figures differ by is concurrency alone.
//
// The harness refuses barrier none (capabilities: needs_barrier); built
// directly over it, the collector runs with a barrier that shades nothing,
// which the checkmark tests use to show that they catch the objects lost.
//
// Design note: docs/design.md#concurrent-mark-sweep.
#ifndef GCLAB_COLLECTORS_CONCURRENT_MARK_SWEEP_H_
#define GCLAB_COLLECTORS_CONCURRENT_MARK_SWEEP_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "collectors/checkmark.h"
#include "collectors/concurrent_marker.h"
#include "heap/collection_cycle.h"
#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/params.h"

namespace gclab {

class ConcurrentMarkSweepCollector final : public Collector {
 public:
  static constexpr CollectorCapabilities kCapabilities{
      .concurrent = true,
      .needs_barrier = true,
      .needs_sweepable_allocator = true,
      .needs_lazy_sweep = true};
  static constexpr ParamSpec kParams[] = {
      {"stw", ParamKind::kFlag, "0",
       "1: the same cycle, phase for phase, in one stop-the-world pause "
       "(the differential mode); a bare --stw means 1"},
  };
  // Bytes a mutator past the heap goal marks per allocation slow path:
  // about one refill's worth, so that an assist is a short pause.
  static constexpr std::size_t kAssistBudget = std::size_t{32} << 10;
  // Remark pauses per cycle before marking is finished in the pause.
  static constexpr int kRemarkAttempts = 4;

  enum class Mode { kConcurrent, kStopTheWorld };

  ConcurrentMarkSweepCollector(Heap& heap, Mode mode);
  ~ConcurrentMarkSweepCollector() override;
  static std::unique_ptr<Collector> create(Heap& heap,
                                           const ParamValues& params);

  CollectorCapabilities capabilities() const override { return kCapabilities; }
  void collect(Mutator* requester, GcCause cause) override;
  void finish() override;

 private:
  void drive();
  void run_cycle(GcCause cause);
  void sweep_in_background();

  // The phases of a cycle, in order (see the top of this file).
  // Stops the world for one of the cycle's pauses, into `world`; in the
  // stop-the-world mode the cycle is one pause already, and `world` stays
  // empty.
  void stop_world(std::optional<Heap::WorldStop>& world, PauseKind kind,
                  Heap::Buffers buffers = Heap::Buffers::kRetire);
  // World stopped. Returns the cycle's epoch.
  std::uint8_t initial_mark(CollectionCycle& cycle);
  void grey_roots_by_handshake(CollectionCycle& cycle);
  // Rounds of marking, each followed by a handshake that flushes the
  // barrier buffers, until a round leaves the queue empty.
  void mark(CollectionCycle& cycle, std::uint8_t epoch, MarkResult& marked);
  // World stopped: takes what turned up since the last round (barrier
  // buffers, an assist's leftovers, dijkstra's unmarked roots). Returns
  // whether marking is over: nothing turned up, or this is the last attempt
  // and what did is marked to the end here, in the pause.
  bool remark(CollectionCycle& cycle, std::uint8_t epoch, bool last_attempt,
              MarkResult& marked);
  // World stopped, marking over: barrier off, the cycle's figures, the
  // checkmark (--verify), and the sweep begun (and, --stw, finished).
  void end_marking(CollectionCycle& cycle, std::uint8_t epoch,
                   const MarkResult& marked);
  // World stopped: the unmarked objects in the mutators' barrier buffers
  // (emptied) and, for dijkstra, among their roots.
  MarkStack remark_work(std::uint8_t epoch);

  // Asks the driver for a cycle unless one is requested, or running (a
  // stress request queues one after it).
  void request_cycle(GcCause cause);
  // Blocks `requester` (parked) until a cycle has completed: the one in
  // progress, or with `fresh`, one that starts after this call.
  void wait_for_cycle(Mutator* requester, GcCause cause, bool fresh);
  // Blocks `requester` (parked) until the requested cycle has started,
  // unless one is running already.
  void wait_for_start(Mutator* requester);
  // A mutator past the heap goal marks kAssistBudget bytes of queued work.
  void assist(Mutator& requester);

  void grey_roots_of(Mutator& mutator);
  void grey_global_roots();
  // With --verify: the checkmark; returns the bytes reachable now.
  std::size_t checkmark(const CollectionCycle& cycle, std::uint8_t epoch);

  Heap& heap_;
  const Mode mode_;
  const BarrierKind barrier_;
  ConcurrentMarker marker_;
  std::optional<Checkmark> checkmark_;
  std::vector<Object*> roots_;  // the driver's, reused across cycles
  std::thread::id driver_id_;

  // Set while a cycle marks (initial mark to remark), for assists.
  std::atomic<bool> marking_{false};
  std::atomic<std::size_t> assist_marked_bytes_{0};
  std::size_t in_use_at_start_ = 0;  // the driver's, at initial mark

  std::mutex mutex_;  // guards the members below
  std::condition_variable changed_;
  bool requested_ = false;
  GcCause requested_cause_ = GcCause::kTrigger;
  bool running_ = false;
  bool finishing_ = false;
  std::uint64_t cycles_started_ = 0;
  std::uint64_t cycles_completed_ = 0;

  std::thread driver_;  // last: it starts once everything above exists
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_CONCURRENT_MARK_SWEEP_H_
