// The field names of gclab's JSON documents, declared once: every C++ writer
// and reader of a report names its fields from here (harness/report.cc,
// summary.cc, compare.cc, go_baseline.cc, pause_blocks.cc, environment.cc,
// and bench/gcbench_boehm.cc), so a rename is one edit. Header only, with no
// dependencies, so that the baselines in bench/ can use it too.
//
// One namespace per block, named after the block; each also lists its names
// in kAll, the block's whole vocabulary, which the tests check every
// document against (harness/report_fields_check.h): a field some program
// writes that its block does not declare fails them. That is how the Go
// baseline (bench/gcbench_go/gcbench.go), which cannot include this header,
// stays in step with it. What the fields mean is documented where they are
// written (harness/report.h, harness/go_baseline.h, bench/gcbench_boehm.cc).
//
// Keys that are data rather than names (parameter names in config.params.*,
// pause kinds in pauses.by_kind, axis names in a compare's varied) are not
// declared here.
#ifndef GCLAB_HARNESS_REPORT_FIELDS_H_
#define GCLAB_HARNESS_REPORT_FIELDS_H_

#include <string_view>

namespace gclab {

// The version both kinds of document carry in schema_version.
inline constexpr int kReportSchemaVersion = 1;

namespace fields {

// The top level of a run's report. The baselines add their own blocks.
namespace run {
inline constexpr char kSchemaVersion[] = "schema_version";
inline constexpr char kConfig[] = "config";
inline constexpr char kEnvironment[] = "environment";
inline constexpr char kTime[] = "time";
inline constexpr char kPauses[] = "pauses";
inline constexpr char kMmu[] = "mmu";
inline constexpr char kAllocation[] = "allocation";
inline constexpr char kHeap[] = "heap";
inline constexpr char kCycles[] = "cycles";
inline constexpr char kBarriers[] = "barriers";
inline constexpr char kRefCount[] = "ref_count";
inline constexpr char kVerification[] = "verification";
inline constexpr char kWorkload[] = "workload";
inline constexpr char kCensus[] = "census";  // with --census
inline constexpr char kLeaks[] = "leaks";    // with --leak-report
// Boehm's: its collection count, having no per-cycle records.
inline constexpr char kCyclesCount[] = "cycles_count";
// Boehm's name for the workload block.
inline constexpr char kWorkloadReport[] = "workload_report";
inline constexpr char kBoehm[] = "boehm";
inline constexpr char kGo[] = "go";
inline constexpr std::string_view kAll[] = {
    kSchemaVersion, kConfig,         kEnvironment, kTime,   kPauses,
    kMmu,           kAllocation,     kHeap,        kCycles, kBarriers,
    kRefCount,      kVerification,   kWorkload,    kCensus, kLeaks,
    kCyclesCount,   kWorkloadReport, kBoehm,       kGo};
}  // namespace run

namespace config {
inline constexpr char kCollector[] = "collector";
inline constexpr char kAllocator[] = "allocator";
inline constexpr char kWorkload[] = "workload";
inline constexpr char kParams[] = "params";
inline constexpr char kHeapBytes[] = "heap_bytes";
inline constexpr char kMutators[] = "mutators";
inline constexpr char kGcThreads[] = "gc_threads";
inline constexpr char kSeed[] = "seed";
inline constexpr char kTrigger[] = "trigger";
inline constexpr char kBarrier[] = "barrier";
inline constexpr char kVerify[] = "verify";
inline constexpr char kStress[] = "stress";
inline constexpr char kPretouch[] = "pretouch";
inline constexpr std::string_view kAll[] = {
    kCollector, kAllocator, kWorkload, kParams,  kHeapBytes,
    kMutators,  kGcThreads, kSeed,     kTrigger, kBarrier,
    kVerify,    kStress,    kPretouch};
}  // namespace config

// config.params: one object of parameter values per component.
namespace params {
inline constexpr char kCollector[] = "collector";
inline constexpr char kAllocator[] = "allocator";
inline constexpr char kWorkload[] = "workload";
inline constexpr std::string_view kAll[] = {kCollector, kAllocator, kWorkload};
}  // namespace params

namespace environment {
inline constexpr char kGitCommit[] = "git_commit";
inline constexpr char kCompiler[] = "compiler";
inline constexpr char kBuildMode[] = "build_mode";
inline constexpr char kCpuModel[] = "cpu_model";
inline constexpr char kCores[] = "cores";
inline constexpr char kDate[] = "date";
inline constexpr std::string_view kAll[] = {kGitCommit, kCompiler, kBuildMode,
                                            kCpuModel,  kCores,    kDate};
}  // namespace environment

namespace time {
inline constexpr char kWallNs[] = "wall_ns";
inline constexpr char kProcessCpuNs[] = "process_cpu_ns";
inline constexpr char kGcCpuNs[] = "gc_cpu_ns";
inline constexpr char kLazySweepNs[] = "lazy_sweep_ns";
inline constexpr char kMutatorCpuNs[] = "mutator_cpu_ns";
inline constexpr char kStealNs[] = "steal_ns";
inline constexpr char kMinorFaults[] = "minor_faults";
inline constexpr char kMajorFaults[] = "major_faults";
inline constexpr char kMaxRssBytes[] = "max_rss_bytes";
inline constexpr char kPretouchNs[] = "pretouch_ns";
inline constexpr char kPretouchMinorFaults[] = "pretouch_minor_faults";
inline constexpr std::string_view kAll[] = {
    kWallNs,      kProcessCpuNs,       kGcCpuNs,
    kLazySweepNs, kMutatorCpuNs,       kStealNs,
    kMinorFaults, kMajorFaults,        kMaxRssBytes,
    kPretouchNs,  kPretouchMinorFaults};
}  // namespace time

// A summary of pause durations: the pauses block itself, each of its
// by_kind entries, and Boehm's world_stopped.
namespace pause_summary {
inline constexpr char kCount[] = "count";
inline constexpr char kTotalNs[] = "total_ns";
inline constexpr char kMeanNs[] = "mean_ns";
inline constexpr char kP50Ns[] = "p50_ns";
inline constexpr char kP90Ns[] = "p90_ns";
inline constexpr char kP99Ns[] = "p99_ns";
inline constexpr char kP999Ns[] = "p999_ns";
inline constexpr char kMaxNs[] = "max_ns";
inline constexpr std::string_view kAll[] = {kCount, kTotalNs, kMeanNs, kP50Ns,
                                            kP90Ns, kP99Ns,   kP999Ns, kMaxNs};
}  // namespace pause_summary

// The pauses block: a pause summary, plus these.
namespace pauses {
inline constexpr char kByKind[] = "by_kind";
inline constexpr char kList[] = "list";
inline constexpr std::string_view kAll[] = {pause_summary::kCount,
                                            pause_summary::kTotalNs,
                                            pause_summary::kMeanNs,
                                            pause_summary::kP50Ns,
                                            pause_summary::kP90Ns,
                                            pause_summary::kP99Ns,
                                            pause_summary::kP999Ns,
                                            pause_summary::kMaxNs,
                                            kByKind,
                                            kList};
}  // namespace pauses

// One entry of pauses.list.
namespace pause {
inline constexpr char kStartNs[] = "start_ns";
inline constexpr char kDurationNs[] = "duration_ns";
inline constexpr char kKind[] = "kind";
inline constexpr char kTimeToSafepointNs[] = "time_to_safepoint_ns";
inline constexpr char kCycle[] = "cycle";
inline constexpr char kMutator[] = "mutator";
inline constexpr std::string_view kAll[] = {
    kStartNs, kDurationNs, kKind, kTimeToSafepointNs, kCycle, kMutator};
}  // namespace pause

namespace mmu {
inline constexpr char kWindows[] = "windows";
inline constexpr std::string_view kAll[] = {kWindows};
}  // namespace mmu

// One entry of mmu.windows.
namespace mmu_window {
inline constexpr char kWindowNs[] = "window_ns";
inline constexpr char kMmu[] = "mmu";
inline constexpr char kBmu[] = "bmu";
inline constexpr std::string_view kAll[] = {kWindowNs, kMmu, kBmu};
}  // namespace mmu_window

namespace allocation {
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr char kBytesPerSecond[] = "bytes_per_second";
inline constexpr char kRoundingWasteBytes[] = "rounding_waste_bytes";
inline constexpr char kInternalFragmentation[] = "internal_fragmentation";
inline constexpr std::string_view kAll[] = {kObjects, kBytes, kBytesPerSecond,
                                            kRoundingWasteBytes,
                                            kInternalFragmentation};
}  // namespace allocation

namespace heap {
inline constexpr char kMaxHeapBytes[] = "max_heap_bytes";
inline constexpr char kPeakCommittedBytes[] = "peak_committed_bytes";
inline constexpr char kPeakLiveBytes[] = "peak_live_bytes";
inline constexpr char kFinal[] = "final";
inline constexpr char kFragmentation[] = "fragmentation";
inline constexpr std::string_view kAll[] = {
    kMaxHeapBytes, kPeakCommittedBytes, kPeakLiveBytes, kFinal, kFragmentation};
}  // namespace heap

// The allocator's figures: heap.final, and each cycle's before and after.
namespace heap_stats {
inline constexpr char kHeapBytes[] = "heap_bytes";
inline constexpr char kCommittedBytes[] = "committed_bytes";
inline constexpr char kInUseBytes[] = "in_use_bytes";
inline constexpr char kFreeBytes[] = "free_bytes";
inline constexpr char kLargestFreeBlock[] = "largest_free_block";
inline constexpr char kFreeBlocks[] = "free_blocks";
inline constexpr char kUnsweptBytes[] = "unswept_bytes";
inline constexpr char kExternalFragmentation[] = "external_fragmentation";
inline constexpr char kOccupancy[] = "occupancy";
inline constexpr std::string_view kAll[] = {
    kHeapBytes,    kCommittedBytes,        kInUseBytes,
    kFreeBytes,    kLargestFreeBlock,      kFreeBlocks,
    kUnsweptBytes, kExternalFragmentation, kOccupancy};
}  // namespace heap_stats

// One entry of cycles; the Go baseline's cycles have the fields after
// kPacer instead of gclab's measurements.
namespace cycle {
inline constexpr char kIndex[] = "index";
inline constexpr char kCause[] = "cause";
inline constexpr char kStartNs[] = "start_ns";
inline constexpr char kDurationNs[] = "duration_ns";
inline constexpr char kPhases[] = "phases";
inline constexpr char kMarkedObjects[] = "marked_objects";
inline constexpr char kMarkedBytes[] = "marked_bytes";
inline constexpr char kFreedObjects[] = "freed_objects";
inline constexpr char kFreedBytes[] = "freed_bytes";
inline constexpr char kLazySweepNs[] = "lazy_sweep_ns";
inline constexpr char kMovedBytes[] = "moved_bytes";
inline constexpr char kBefore[] = "before";
inline constexpr char kAfter[] = "after";
inline constexpr char kConcurrent[] = "concurrent";
inline constexpr char kPacer[] = "pacer";
inline constexpr char kNumber[] = "number";
inline constexpr char kCpu[] = "cpu";
inline constexpr char kHeapStartMib[] = "heap_start_mib";
inline constexpr char kHeapEndMib[] = "heap_end_mib";
inline constexpr char kLiveMib[] = "live_mib";
inline constexpr char kGoalMib[] = "goal_mib";
inline constexpr char kStacksMib[] = "stacks_mib";
inline constexpr char kGlobalsMib[] = "globals_mib";
inline constexpr char kProcs[] = "procs";
inline constexpr std::string_view kAll[] = {
    kIndex,         kCause,       kStartNs,      kDurationNs, kPhases,
    kMarkedObjects, kMarkedBytes, kFreedObjects, kFreedBytes, kLazySweepNs,
    kMovedBytes,    kBefore,      kAfter,        kConcurrent, kPacer,
    kNumber,        kCpu,         kHeapStartMib, kHeapEndMib, kLiveMib,
    kGoalMib,       kStacksMib,   kGlobalsMib,   kProcs};
}  // namespace cycle

// One entry of a cycle's phases.
namespace phase {
inline constexpr char kName[] = "name";
inline constexpr char kStartNs[] = "start_ns";
inline constexpr char kDurationNs[] = "duration_ns";
inline constexpr std::string_view kAll[] = {kName, kStartNs, kDurationNs};
}  // namespace phase

// A cycle's concurrent block.
namespace concurrent {
inline constexpr char kGcThreadMarkNs[] = "gc_thread_mark_ns";
inline constexpr char kConcurrentSweepNs[] = "concurrent_sweep_ns";
inline constexpr char kAllocatedBlackBytes[] = "allocated_black_bytes";
inline constexpr char kFloatingGarbageBytes[] = "floating_garbage_bytes";
inline constexpr char kBarrierBuffers[] = "barrier_buffers";
inline constexpr char kAssistMarkedBytes[] = "assist_marked_bytes";
inline constexpr std::string_view kAll[] = {
    kGcThreadMarkNs,       kConcurrentSweepNs, kAllocatedBlackBytes,
    kFloatingGarbageBytes, kBarrierBuffers,    kAssistMarkedBytes};
}  // namespace concurrent

// A cycle's pacer block.
namespace pacer {
inline constexpr char kTriggerBytes[] = "trigger_bytes";
inline constexpr char kGoalBytes[] = "goal_bytes";
inline constexpr std::string_view kAll[] = {kTriggerBytes, kGoalBytes};
}  // namespace pacer

// A Go cycle's cpu block: the CPU terms of its GC trace line.
namespace cycle_cpu {
inline constexpr char kSweepTerminationNs[] = "sweep_termination_ns";
inline constexpr char kAssistMarkNs[] = "assist_mark_ns";
inline constexpr char kBackgroundMarkNs[] = "background_mark_ns";
inline constexpr char kIdleMarkNs[] = "idle_mark_ns";
inline constexpr char kMarkTerminationNs[] = "mark_termination_ns";
inline constexpr char kTotalNs[] = "total_ns";
inline constexpr std::string_view kAll[] = {kSweepTerminationNs, kAssistMarkNs,
                                            kBackgroundMarkNs,   kIdleMarkNs,
                                            kMarkTerminationNs,  kTotalNs};
}  // namespace cycle_cpu

namespace barriers {
inline constexpr char kKind[] = "kind";
inline constexpr char kReferenceWrites[] = "reference_writes";
inline constexpr char kSlowPaths[] = "slow_paths";
inline constexpr char kShaded[] = "shaded";
inline constexpr char kBufferFlushes[] = "buffer_flushes";
inline constexpr char kReferenceReads[] = "reference_reads";
inline constexpr std::string_view kAll[] = {kKind,          kReferenceWrites,
                                            kSlowPaths,     kShaded,
                                            kBufferFlushes, kReferenceReads};
}  // namespace barriers

namespace ref_count {
inline constexpr char kDeferredDecrements[] = "deferred_decrements";
inline constexpr char kIncrements[] = "increments";
inline constexpr char kDecrements[] = "decrements";
inline constexpr char kStuck[] = "stuck";
inline constexpr char kFreedByCounting[] = "freed_by_counting";
inline constexpr char kFreedByCycles[] = "freed_by_cycles";
inline constexpr char kTablesProcessed[] = "tables_processed";
inline constexpr char kTableEntries[] = "table_entries";
inline constexpr char kLoggedDecrements[] = "logged_decrements";
inline constexpr char kCycleCollections[] = "cycle_collections";
inline constexpr char kCandidateBufferSizes[] = "candidate_buffer_sizes";
inline constexpr char kProcessingNs[] = "processing_ns";
inline constexpr std::string_view kAll[] = {
    kDeferredDecrements,   kIncrements,
    kDecrements,           kStuck,
    kFreedByCounting,      kFreedByCycles,
    kTablesProcessed,      kTableEntries,
    kLoggedDecrements,     kCycleCollections,
    kCandidateBufferSizes, kProcessingNs};
}  // namespace ref_count

// ref_count.freed_by_counting and freed_by_cycles.
namespace freed {
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr std::string_view kAll[] = {kObjects, kBytes};
}  // namespace freed

namespace verification {
inline constexpr char kEnabled[] = "enabled";
inline constexpr char kMode[] = "mode";
inline constexpr char kChecks[] = "checks";
inline constexpr char kHeapsVerified[] = "heaps_verified";
inline constexpr char kObjectsVisited[] = "objects_visited";
inline constexpr char kMarkChecks[] = "mark_checks";
inline constexpr char kCountChecks[] = "count_checks";
inline constexpr char kResult[] = "result";
inline constexpr std::string_view kAll[] = {
    kEnabled,        kMode,       kChecks,      kHeapsVerified,
    kObjectsVisited, kMarkChecks, kCountChecks, kResult};
}  // namespace verification

// The workload block (Boehm's workload_report too); the Go baseline adds
// its long-lived tree.
namespace workload {
inline constexpr char kChecksPassed[] = "checks_passed";
inline constexpr char kChecksum[] = "checksum";
inline constexpr char kOutput[] = "output";
inline constexpr char kLongLivedTree[] = "long_lived_tree";
inline constexpr std::string_view kAll[] = {kChecksPassed, kChecksum, kOutput,
                                            kLongLivedTree};
}  // namespace workload

// The Go baseline's workload.long_lived_tree.
namespace tree {
inline constexpr char kDepth[] = "depth";
inline constexpr char kNodes[] = "nodes";
inline constexpr char kChecksum[] = "checksum";
inline constexpr std::string_view kAll[] = {kDepth, kNodes, kChecksum};
}  // namespace tree

// The Go baseline's own block: its runtime and collection counts.
namespace go {
inline constexpr char kVersion[] = "version";
inline constexpr char kCompiler[] = "compiler";
inline constexpr char kGomaxprocs[] = "gomaxprocs";
inline constexpr char kGogc[] = "gogc";
inline constexpr char kGodebug[] = "godebug";
inline constexpr char kRunStartNs[] = "run_start_ns";
inline constexpr char kNumGcBeforeRun[] = "num_gc_before_run";
inline constexpr char kNumGcAfterRun[] = "num_gc_after_run";
inline constexpr char kPauseTotalNs[] = "pause_total_ns";
inline constexpr char kHeapInuseBytes[] = "heap_inuse_bytes";
inline constexpr char kHeapReleasedBytes[] = "heap_released_bytes";
inline constexpr char kNextGcBytes[] = "next_gc_bytes";
inline constexpr std::string_view kAll[] = {
    kVersion,      kCompiler,       kGomaxprocs,        kGogc,
    kGodebug,      kRunStartNs,     kNumGcBeforeRun,    kNumGcAfterRun,
    kPauseTotalNs, kHeapInuseBytes, kHeapReleasedBytes, kNextGcBytes};
}  // namespace go

// The Boehm baseline's own block.
namespace boehm {
inline constexpr char kGcVersion[] = "gc_version";
inline constexpr char kPauseInterval[] = "pause_interval";
inline constexpr char kWorldStopped[] = "world_stopped";  // a pause summary
inline constexpr char kGcNoBeforeRun[] = "gc_no_before_run";
inline constexpr char kGcNoAfterRun[] = "gc_no_after_run";
inline constexpr std::string_view kAll[] = {
    kGcVersion, kPauseInterval, kWorldStopped, kGcNoBeforeRun, kGcNoAfterRun};
}  // namespace boehm

// The census block (heap/census.h).
namespace census {
inline constexpr char kIntervalAllocations[] = "interval_allocations";
inline constexpr char kCensuses[] = "censuses";
inline constexpr std::string_view kAll[] = {kIntervalAllocations, kCensuses};
}  // namespace census

// One entry of census.censuses.
namespace census_record {
inline constexpr char kIndex[] = "index";
inline constexpr char kTimeNs[] = "time_ns";
inline constexpr char kCycle[] = "cycle";
inline constexpr char kAllocatedObjects[] = "allocated_objects";
inline constexpr char kAllocatedBytes[] = "allocated_bytes";
inline constexpr char kDurationNs[] = "duration_ns";
inline constexpr char kSites[] = "sites";
inline constexpr char kAges[] = "ages";
inline constexpr std::string_view kAll[] = {
    kIndex,          kTimeNs,     kCycle, kAllocatedObjects,
    kAllocatedBytes, kDurationNs, kSites, kAges};
}  // namespace census_record

// One site's objects: in a census, a garbage cycle, what is left at the end.
namespace site_tally {
inline constexpr char kSite[] = "site";
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr std::string_view kAll[] = {kSite, kObjects, kBytes};
}  // namespace site_tally

// One age's survivors in a census.
namespace age_tally {
inline constexpr char kAge[] = "age";
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr std::string_view kAll[] = {kAge, kObjects, kBytes};
}  // namespace age_tally

// The leaks block.
namespace leaks {
inline constexpr char kGrowthCensuses[] = "growth_censuses";
inline constexpr char kGrowingSites[] = "growing_sites";
inline constexpr char kGarbageCycles[] = "garbage_cycles";
inline constexpr char kAtEnd[] = "at_end";
inline constexpr std::string_view kAll[] = {kGrowthCensuses, kGrowingSites,
                                            kGarbageCycles, kAtEnd};
}  // namespace leaks

// One entry of leaks.growing_sites.
namespace growing_site {
inline constexpr char kSite[] = "site";
inline constexpr char kFlaggedAtCensus[] = "flagged_at_census";
inline constexpr char kFirstCensus[] = "first_census";
inline constexpr char kLastCensus[] = "last_census";
inline constexpr char kCensuses[] = "censuses";
inline constexpr char kGrowingAtEnd[] = "growing_at_end";
inline constexpr char kBytesBefore[] = "bytes_before";
inline constexpr char kBytesAtLast[] = "bytes_at_last";
inline constexpr char kBytesPerCensus[] = "bytes_per_census";
inline constexpr char kBytesPerMibAllocated[] = "bytes_per_mib_allocated";
inline constexpr char kPath[] = "path";
inline constexpr std::string_view kAll[] = {
    kSite,           kFlaggedAtCensus,      kFirstCensus, kLastCensus,
    kCensuses,       kGrowingAtEnd,         kBytesBefore, kBytesAtLast,
    kBytesPerCensus, kBytesPerMibAllocated, kPath};
}  // namespace growing_site

// A growing site's path from a root.
namespace object_path {
inline constexpr char kCensus[] = "census";
inline constexpr char kRoot[] = "root";
inline constexpr char kMutator[] = "mutator";
inline constexpr char kSteps[] = "steps";
inline constexpr char kElidedSteps[] = "elided_steps";
inline constexpr std::string_view kAll[] = {kCensus, kRoot, kMutator, kSteps,
                                            kElidedSteps};
}  // namespace object_path

// One step of a path.
namespace path_step {
inline constexpr char kSite[] = "site";
inline constexpr char kSlot[] = "slot";
inline constexpr std::string_view kAll[] = {kSite, kSlot};
}  // namespace path_step

// leaks.garbage_cycles.
namespace garbage_cycles {
inline constexpr char kCensus[] = "census";
inline constexpr char kCount[] = "count";
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr char kComponents[] = "components";
inline constexpr char kComponentsLeftOut[] = "components_left_out";
inline constexpr std::string_view kAll[] = {
    kCensus, kCount, kObjects, kBytes, kComponents, kComponentsLeftOut};
}  // namespace garbage_cycles

// One entry of leaks.garbage_cycles.components.
namespace garbage_component {
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr char kSites[] = "sites";
inline constexpr std::string_view kAll[] = {kObjects, kBytes, kSites};
}  // namespace garbage_component

// leaks.at_end.
namespace at_end {
inline constexpr char kCollectorFrees[] = "collector_frees";
inline constexpr char kReachableOnly[] = "reachable_only";
inline constexpr char kObjects[] = "objects";
inline constexpr char kBytes[] = "bytes";
inline constexpr char kSites[] = "sites";
inline constexpr std::string_view kAll[] = {kCollectorFrees, kReachableOnly,
                                            kObjects, kBytes, kSites};
}  // namespace at_end

// The top level of `gclab compare --json`.
namespace compare {
inline constexpr char kSchemaVersion[] = "schema_version";
inline constexpr char kKind[] = "kind";
inline constexpr char kWorkload[] = "workload";
inline constexpr char kRepeat[] = "repeat";
inline constexpr char kOrder[] = "order";
inline constexpr char kAxes[] = "axes";
inline constexpr char kEnvironment[] = "environment";
inline constexpr char kConfigs[] = "configs";
inline constexpr char kSkipped[] = "skipped";
inline constexpr std::string_view kAll[] = {kSchemaVersion, kKind,    kWorkload,
                                            kRepeat,        kOrder,   kAxes,
                                            kEnvironment,   kConfigs, kSkipped};
}  // namespace compare

// One entry of a compare's axes.
namespace axis {
inline constexpr char kName[] = "name";
inline constexpr char kValues[] = "values";
inline constexpr std::string_view kAll[] = {kName, kValues};
}  // namespace axis

// One entry of a compare's configs.
namespace compared {
inline constexpr char kLabel[] = "label";
inline constexpr char kCollector[] = "collector";
inline constexpr char kAllocator[] = "allocator";
inline constexpr char kBaseline[] = "baseline";
inline constexpr char kVaried[] = "varied";
inline constexpr char kArguments[] = "arguments";
inline constexpr char kOutcome[] = "outcome";
inline constexpr char kMessage[] = "message";
inline constexpr char kMedian[] = "median";
inline constexpr char kRuns[] = "runs";  // each a run's report
inline constexpr std::string_view kAll[] = {
    kLabel,     kCollector, kAllocator, kBaseline, kVaried,
    kArguments, kOutcome,   kMessage,   kMedian,   kRuns};
}  // namespace compared

// A compared configuration's median: the compared quantities of its runs.
namespace median {
inline constexpr char kWallNs[] = "wall_ns";
inline constexpr char kPauseTotalNs[] = "pause_total_ns";
inline constexpr char kGcCpuNs[] = "gc_cpu_ns";
inline constexpr char kCollections[] = "collections";
inline constexpr char kPauseP50Ns[] = "pause_p50_ns";
inline constexpr char kPauseP99Ns[] = "pause_p99_ns";
inline constexpr char kPauseMaxNs[] = "pause_max_ns";
inline constexpr char kMmu1ms[] = "mmu_1ms";
inline constexpr char kMmu10ms[] = "mmu_10ms";
inline constexpr char kMmu100ms[] = "mmu_100ms";
inline constexpr char kPeakCommittedBytes[] = "peak_committed_bytes";
inline constexpr std::string_view kAll[] = {
    kWallNs,     kPauseTotalNs, kGcCpuNs,           kCollections,
    kPauseP50Ns, kPauseP99Ns,   kPauseMaxNs,        kMmu1ms,
    kMmu10ms,    kMmu100ms,     kPeakCommittedBytes};
}  // namespace median

// One entry of a compare's skipped pairs.
namespace skipped {
inline constexpr char kCollector[] = "collector";
inline constexpr char kAllocator[] = "allocator";
inline constexpr char kReason[] = "reason";
inline constexpr std::string_view kAll[] = {kCollector, kAllocator, kReason};
}  // namespace skipped

}  // namespace fields
}  // namespace gclab

#endif  // GCLAB_HARNESS_REPORT_FIELDS_H_
