#include "heap/safepoint.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "heap/errors.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

std::unique_ptr<Heap> test_heap() {
  return testing::make_heap("mark-sweep", "free-list",
                            {.heap_bytes = 8 << 20, .verify = true});
}

TEST(Safepoint, StopWaitsForEveryRunningMutator) {
  auto heap = test_heap();
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> polls{0};
  std::thread spinner([&] {
    Mutator mutator(*heap);
    while (!done.load()) {
      mutator.safepoint();
      polls.fetch_add(1);
    }
  });
  while (polls.load() == 0) std::this_thread::yield();
  {
    Heap::WorldStop world(*heap, nullptr, PauseKind::kFull);
    ASSERT_TRUE(world.stopped());
    std::uint64_t seen = polls.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(polls.load(), seen)
        << "a mutator ran while the world was stopped";
    ASSERT_EQ(heap->safepoints().mutators().size(), 1u);
    EXPECT_EQ(heap->safepoints().mutators()[0]->state(),
              MutatorState::kAtSafepoint);
  }
  done = true;
  spinner.join();
  ASSERT_EQ(heap->events().pauses().size(), 1u);
  EXPECT_EQ(heap->events().pauses()[0].kind, PauseKind::kFull);
}

TEST(Safepoint, ParkedMutatorDoesNotDelayAStop) {
  auto heap = test_heap();
  Mutator mutator(*heap);
  ParkedScope parked(mutator);
  Heap::WorldStop world(*heap, nullptr, PauseKind::kFull);
  EXPECT_TRUE(world.stopped());
  EXPECT_EQ(mutator.state(), MutatorState::kParked);
}

TEST(Safepoint, FinishedMutatorsLeaveTheRegistry) {
  auto heap = test_heap();
  {
    Mutator first(*heap);
    Mutator second(*heap);
    first.allocate(testing::kNodeShape);
  }
  Heap::WorldStop world(*heap, nullptr, PauseKind::kFull);
  EXPECT_TRUE(heap->safepoints().mutators().empty());
  EXPECT_EQ(heap->mutator_totals().objects_allocated, 1u);
}

TEST(Safepoint, SecondRequesterWaitsForTheFirstCollection) {
  // Several mutators hammer a small heap: allocation failures coincide, and
  // every losing requester must simply wait and retry.
  HeapOptions options{.heap_bytes = 2 << 20, .gc_threads = 2, .verify = true};
  auto heap = testing::make_heap("mark-sweep", "free-list", options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Mutator mutator(*heap);
      Root kept(mutator, testing::build_tree(mutator, 9, t));
      for (int i = 0; i < 100; ++i) testing::build_tree(mutator, 7, 99);
      EXPECT_EQ(testing::count_tree(mutator, kept.get(), t),
                testing::tree_nodes(9));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(heap->events().cycles().size(), 0u);
  EXPECT_EQ(heap->events().pauses().size(), heap->events().cycles().size());
}

TEST(Safepoint, AbortedRunThrowsAtTheNextSafepoint) {
  auto heap = test_heap();
  Mutator mutator(*heap);
  heap->abort_run();
  EXPECT_THROW(mutator.safepoint(), RunAborted);
}

TEST(Handshake, RunningMutatorAnswersAtItsNextPoll) {
  auto heap = test_heap();
  std::atomic<bool> done{false};
  std::atomic<bool> started{false};
  std::thread::id mutator_thread;
  std::thread spinner([&] {
    Mutator mutator(*heap);
    mutator_thread = std::this_thread::get_id();
    started.store(true);
    while (!done.load()) mutator.safepoint();
  });
  while (!started.load()) std::this_thread::yield();
  std::vector<std::thread::id> ran_on;
  heap->safepoints().handshake(
      [&](Mutator&) { ran_on.push_back(std::this_thread::get_id()); });
  done.store(true);
  spinner.join();
  ASSERT_EQ(ran_on.size(), 1u);
  EXPECT_EQ(ran_on[0], mutator_thread)
      << "a running mutator runs the action itself";
}

TEST(Handshake, ParkedMutatorIsHandledByTheCaller) {
  auto heap = test_heap();
  Mutator mutator(*heap);
  ParkedScope parked(mutator);
  int calls = 0;
  heap->safepoints().handshake([&](Mutator& target) {
    EXPECT_EQ(&target, &mutator);
    EXPECT_EQ(target.state(), MutatorState::kParked);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

TEST(Handshake, MutatorThatParksAnswersFirst) {
  auto heap = test_heap();
  std::atomic<bool> park{false};
  std::atomic<bool> started{false};
  std::atomic<int> answered_while_running{0};
  std::thread worker([&] {
    Mutator mutator(*heap);
    started.store(true);
    while (!park.load()) std::this_thread::yield();  // never polls
    ParkedScope parked(mutator);
  });
  while (!started.load()) std::this_thread::yield();
  std::thread requester([&] {
    heap->safepoints().handshake([&](Mutator& target) {
      if (target.state() == MutatorState::kRunning) ++answered_while_running;
    });
  });
  while (!heap->safepoints().poll_requested().load()) {
    std::this_thread::yield();  // until the handshake is pending
  }
  park.store(true);
  requester.join();
  worker.join();
  EXPECT_EQ(answered_while_running.load(), 1)
      << "parking answers a pending handshake before it parks";
}

// The pause record says how much of a stop was spent waiting for the
// mutators: here one that polls only after a known delay.
TEST(Safepoint, PauseRecordsTheTimeToSafepoint) {
  auto heap = test_heap();
  std::atomic<bool> registered{false};
  std::atomic<bool> stop_seen{false};
  std::atomic<bool> done{false};
  std::thread late([&] {
    Mutator mutator(*heap);
    registered.store(true);
    while (!heap->safepoints().poll_requested().load()) {
      std::this_thread::yield();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop_seen.store(true);
    while (!done.load()) mutator.safepoint();
  });
  while (!registered.load()) std::this_thread::yield();
  { Heap::WorldStop world(*heap, nullptr, PauseKind::kFull); }
  done.store(true);
  late.join();
  ASSERT_EQ(heap->events().pauses().size(), 1u);
  const PauseRecord& pause = heap->events().pauses()[0];
  EXPECT_TRUE(stop_seen.load());
  EXPECT_GE(pause.time_to_safepoint_ns, 5'000'000)
      << "the mutator polled only after 5 ms";
  EXPECT_LE(pause.time_to_safepoint_ns, pause.duration_ns);
}

}  // namespace
}  // namespace gclab
