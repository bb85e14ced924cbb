// gclab minheap: the smallest --heap in which one configuration completes.
//
// The methodology of GC papers states heap sizes as multiples of each
// workload's minimum heap (Blackburn et al. 2006), so that "2x" means the
// same pressure for every workload. This command finds that minimum for one
// configuration of `gclab run` (every run flag but --heap), by bisection over
// separate processes: each probe is a child `gclab run --heap H`, so that no
// probe inherits another's heap. A probe fails when its heap is exhausted
// (or is too small to build); any other failure ends the search, since it
// says nothing about the heap.
//
// The search first doubles (or halves) from --start until it holds a heap
// that fails below one that succeeds, then bisects until they are within
// --precision of the one that succeeds, on page (4 KiB) granularity and
// never below kFloorBytes. Success is assumed to be monotone in the heap
// size, as everyone who measures a minimum heap does; a configuration where
// it is not (fragmentation can make it so) gets *a* boundary, not the least.
//
// Nondeterminism. With one mutator and a stop-the-world collector a run is a
// function of its seed, so one success decides. Otherwise (several mutators,
// or a concurrent collector whose marking races the mutator) the same heap
// may succeed once and fail the next time, so a heap counts as succeeding
// only when --successes K runs in a row succeed (default 3 for such
// configurations, 1 for deterministic ones); one failure decides the other
// way.
//
// The result (--json FILE, whole or not at all) holds the configuration,
// the minimum, the largest heap seen failing, and every probe with its
// outcome and wall time. Its flags are in gclab help (harness/usage.cc).
// Docs: docs/experiments.md#minimum-heap.
#ifndef GCLAB_HARNESS_MINHEAP_H_
#define GCLAB_HARNESS_MINHEAP_H_

#include <cstddef>
#include <ostream>
#include <span>
#include <string>

namespace gclab {

// Heaps are probed on this granularity and never below kFloorBytes.
inline constexpr std::size_t kMinheapGranuleBytes = 4096;
inline constexpr std::size_t kFloorBytes = 64 * 1024;

// `gclab minheap` (args after the word). Throws ConfigError for bad input,
// CommandFailed when a probe fails for another reason than its heap or no
// heap up to --max-heap suffices.
int run_minheap(std::span<const std::string> args, std::ostream& out);

}  // namespace gclab

#endif  // GCLAB_HARNESS_MINHEAP_H_
