// The metrics report of one run: one JSON document, schema_version 1.
//
// Blocks, in order (times in ns since the run started, sizes in bytes):
//   config        the effective configuration after defaults: collector,
//                 allocator, workload, params {collector, allocator, workload}
//                 (every parameter, typed: int/double as numbers, sizes in
//                 bytes, choices as strings, 0|1 flags as booleans),
//                 heap_bytes, mutators, gc_threads, seed, trigger, barrier,
//                 verify ("off", "end" or "every", --verify's mode; it was a
//                 boolean, true for every, before --verify=end existed),
//                 stress
//   environment   see harness/environment.h
//   time          wall_ns, process_cpu_ns, gc_cpu_ns (process CPU while the
//                 world was stopped, plus lazy_sweep_ns), lazy_sweep_ns (the
//                 cycles' lazy sweeping, done on mutator threads),
//                 mutator_cpu_ns (process - gc, at least 0), minor_faults,
//                 major_faults, max_rss_bytes
//   pauses        count, total_ns, mean_ns, p50/p90/p99/p999_ns (nearest
//                 rank, see harness/pause_stats.h), max_ns, by_kind, and list
//                 [{start_ns, duration_ns, kind, time_to_safepoint_ns, cycle,
//                 mutator (one-mutator kinds only)}]; all zeros and []
//                 without pauses
//   mmu           windows [{window_ns, mmu, bmu}] (see harness/mmu.h)
//   allocation    objects, bytes, bytes_per_second (over wall time)
//   heap          max_heap_bytes, peak_committed_bytes, peak_live_bytes (most
//                 bytes marked by any cycle, or most in use after any cycle
//                 for a collector that marks nothing; 0 without cycles),
//                 final {heap_bytes, committed_bytes, in_use_bytes,
//                 free_bytes, largest_free_block, free_blocks,
//                 unswept_bytes}, fragmentation
//                 (1 - largest_free_block / free_bytes at the end; 0 if none
//                 is free)
//   cycles        [{index, cause, start_ns, duration_ns, phases [{name,
//                 start_ns, duration_ns}], marked_objects, marked_bytes,
//                 freed_objects, freed_bytes, lazy_sweep_ns, before {..},
//                 after {..}}], with before/after shaped like heap.final; a
//                 lazy sweep's freed_* and lazy_sweep_ns are added when it
//                 is finished (next cycle, or the run's end)
//   barriers      kind, reference_writes, slow_paths, reference_reads
//   verification  enabled (mode is not "off"), mode (as config.verify),
//                 checks (names of the verifier's checks: [] when off, no
//                 "mark" for end, whose one walk follows no cycle),
//                 heaps_verified (every: each collection and the end; end:
//                 1), objects_visited, mark_checks, result ("passed" or "not
//                 run": a violation aborts the run instead)
//   workload      checks_passed (all instances), checksum (16 hex digits),
//                 output (instance 0's lines)
//   census        with --census: interval_allocations and censuses, see
//                 harness/census_report.h
//   leaks         with --leak-report: growing_sites, garbage_cycles, at_end
#ifndef GCLAB_HARNESS_REPORT_H_
#define GCLAB_HARNESS_REPORT_H_

#include <nlohmann/json.hpp>

#include "harness/report_fields.h"
#include "harness/run_record.h"

namespace gclab {

using Json = nlohmann::ordered_json;

Json make_report(const RunRecord& record, Json environment);

// The report's `config` block: the effective configuration. The trace's
// otherData holds it too.
Json config_json(const RunRecord& record);

}  // namespace gclab

#endif  // GCLAB_HARNESS_REPORT_H_
