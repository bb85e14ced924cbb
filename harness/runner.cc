#include "harness/runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/ref_count.h"
#include "harness/recording_file.h"
#include "heap/fatal.h"
#include "heap/gc_events.h"
#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/mutator_threads.h"
#include "heap/trace_recorder.h"
#include "heap/trigger.h"

namespace gclab {
namespace {

// CPU time the hypervisor gave to other guests (the `steal` column of
// /proc/stat's first line, summed over CPUs), so that a run's outlying
// pauses can be told from the machine's; 0 where it is not reported.
std::int64_t steal_ns() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  std::int64_t fields[8] = {};
  stat >> cpu;
  for (std::int64_t& field : fields) stat >> field;
  if (!stat || cpu != "cpu") return 0;
  return fields[7] * (1'000'000'000 / sysconf(_SC_CLK_TCK));
}

rusage resource_usage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage;
}

void record_heap_events(Heap& heap, std::int64_t run_start_ns,
                        RunRecord& record) {
  for (PauseRecord pause : heap.events().pauses()) {
    pause.start_ns -= run_start_ns;
    record.pauses.push_back(pause);
  }
  for (CycleRecord cycle : heap.events().cycles()) {
    cycle.start_ns -= run_start_ns;
    for (PhaseRecord& phase : cycle.phases) phase.start_ns -= run_start_ns;
    for (GcThreadInterval& interval : cycle.gc_thread_intervals) {
      interval.start_ns -= run_start_ns;
    }
    record.cycles.push_back(std::move(cycle));
  }
  record.gc_cpu_ns = heap.events().gc_cpu_ns();
  if (auto* counting = dynamic_cast<RefCountCollector*>(&heap.collector())) {
    record.ref_count = counting->stats();
  }
  record.mutator_totals = heap.mutator_totals();
  record.final_heap = heap.allocator().stats();
  record.verification = heap.verifier().stats();
}

RunRecord configuration_record(const RunConfig& config,
                               const Selection& selection, Heap& heap) {
  RunRecord record;
  record.collector = config.collector;
  record.allocator = config.allocator;
  record.workload = config.workload;
  record.collector_params =
      effective_params(selection.collector->params, selection.collector_params);
  record.allocator_params =
      effective_params(selection.allocator->params, selection.allocator_params);
  record.workload_params =
      effective_params(selection.workload->params, selection.workload_params);
  record.heap_bytes = heap.options().heap_bytes;
  record.mutators = config.mutators;
  record.gc_threads = heap.options().gc_threads;
  record.seed = config.seed;
  record.trigger = heap.trigger().spec();
  record.barrier = std::string(to_string(heap.options().barrier));
  record.verify = config.verify;
  record.stress = heap.options().stress_interval;
  record.pretouch = config.pretouch;
  return record;
}

CensusOptions census_options(const RunConfig& config) {
  return {
      .enabled = config.census || config.leak_report,
      .interval_allocations = config.census.value_or(kDefaultCensusInterval),
      .leak_growth_censuses = config.leak_report.value_or(0)};
}

CensusSeries census_series(const HeapCensus& census,
                           std::int64_t run_start_ns) {
  CensusSeries series;
  if (!census.at_collections()) {
    series.interval_allocations = census.allocation_interval();
  }
  series.records = census.records();
  for (CensusRecord& census_record : series.records) {
    census_record.time_ns -= run_start_ns;
  }
  return series;
}

// Once the record is whole: the classic leak check walks the heap after the
// run, off every clock, and changes nothing the record holds.
LeakFindings leak_findings(HeapCensus& census,
                           const CollectorCapabilities& collector) {
  return {.growth_censuses = census.growth_censuses(),
          .growing_sites = census.growing_sites(),
          .looks_for_cycles = collector.collects && !collector.marks_reachable,
          .garbage_cycles = census.garbage_cycles(),
          .at_end = census.end_of_run()};
}

}  // namespace

RunRecord run_configuration(const RunConfig& config,
                            const Selection& selection) {
  std::unique_ptr<Workload> workload =
      selection.workload->make(selection.workload_params);
  HeapOptions options{
      .heap_bytes = config.heap_bytes,
      .gc_threads = config.gc_threads,
      .verify = config.verify == VerifyMode::kEvery,
      .stress_interval = config.stress,
      .barrier = effective_barrier(config, *selection.collector),
      .mutators = config.mutators,
      .census = census_options(config)};
  // Before the heap, so that it outlives what the heap's destruction drops.
  std::optional<RecordingFile> recording;
  std::optional<TraceRecorder> recorder;
  if (!config.record_trace_path.empty()) {
    recording.emplace(config.record_trace_path);
  }
  Heap heap(
      options,
      selection.allocator->make(config.heap_bytes, selection.allocator_params),
      parse_trigger(effective_trigger(config, *selection.collector)),
      [&selection](Heap& heap) {
        return selection.collector->make(heap, selection.collector_params);
      });

  // Timing the GC threads' work costs marking time, so only a trace, which
  // shows it, pays for it (heap/gc_events.h, GcThreadInterval).
  heap.events().set_records_gc_threads(!config.trace_path.empty());
  if (recording) {
    recorder.emplace(heap, recording->stream());
    heap.set_trace_recorder(&*recorder);
  }

  std::int64_t pretouch_ns = 0;
  std::int64_t pretouch_minor_faults = 0;
  if (config.pretouch) {
    rusage before = resource_usage();
    std::int64_t start_ns = heap.events().now_ns();
    heap.allocator().pretouch();
    pretouch_ns = heap.events().now_ns() - start_ns;
    pretouch_minor_faults = resource_usage().ru_minflt - before.ru_minflt;
  }

  std::vector<WorkloadReport> reports(config.mutators);
  rusage usage_before = resource_usage();
  std::int64_t steal_before = steal_ns();
  std::int64_t cpu_before = process_cpu_ns();
  std::int64_t run_start_ns = heap.events().now_ns();
  std::exception_ptr first_error = run_mutator_threads(
      heap, config.mutators, [&](Mutator& mutator, int index) {
        reports[index] = workload->run(mutator, config.seed + index);
      });
  std::int64_t run_end_ns = heap.events().now_ns();
  std::int64_t cpu_after = process_cpu_ns();
  rusage usage_after = resource_usage();
  std::int64_t steal_after = steal_ns();
  if (first_error) std::rethrow_exception(first_error);
  if (recording) recording->commit(recorder->finish());
  heap.collector().finish();
  // Off the clocks: sweeping that the run never needed is not part of its
  // cost (as with Boehm's collector, garbage nobody allocates over is never
  // swept), but the last cycle's freed figures should be whole.
  heap.finish_lazy_sweep();

  // Both modes check the final heap: for kEnd it is the only check.
  if (config.verify != VerifyMode::kOff) {
    if (auto violation = heap.verifier().check(heap, std::nullopt)) {
      fatal("verification failed after the run: " + *violation);
    }
  }

  RunRecord record = configuration_record(config, selection, heap);
  record.pretouch_ns = pretouch_ns;
  record.pretouch_minor_faults = pretouch_minor_faults;
  record.wall_ns = run_end_ns - run_start_ns;
  record.process_cpu_ns = cpu_after - cpu_before;
  record.minor_faults = usage_after.ru_minflt - usage_before.ru_minflt;
  record.steal_ns = steal_after - steal_before;
  record.major_faults = usage_after.ru_majflt - usage_before.ru_majflt;
  record.max_rss_bytes = std::int64_t{usage_after.ru_maxrss} * 1024;
  record_heap_events(heap, run_start_ns, record);
  record.site_names = heap.site_names();
  if (HeapCensus* census = heap.census()) {
    record.census = census_series(*census, run_start_ns);
    if (census->tracks_leaks()) {
      record.leaks = leak_findings(*census, heap.collector().capabilities());
    }
  }
  for (const WorkloadReport& report : reports) {
    record.checks_passed += report.checks_passed;
  }
  // In instance order (instance i ran seed + i), so a combine rather than a
  // sum; one instance's digest is the run's.
  record.workload_checksum = reports.front().checksum;
  for (std::size_t i = 1; i < reports.size(); ++i) {
    std::uint64_t& digest = record.workload_checksum;
    digest ^= reports[i].checksum + 0x9e3779b97f4a7c15ULL + (digest << 6) +
              (digest >> 2);
  }
  record.workload_output = reports.front().output;
  return record;
}

}  // namespace gclab
