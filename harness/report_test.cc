#include "harness/report.h"

#include <gtest/gtest.h>

#include <string>

namespace gclab {
namespace {

AllocatorStats stats(std::size_t in_use, std::size_t free_bytes,
                     std::size_t largest_free) {
  return {.heap_bytes = 1 << 20,
          .committed_bytes = in_use + free_bytes,
          .in_use_bytes = in_use,
          .free_bytes = free_bytes,
          .largest_free_block = largest_free,
          .free_blocks = free_bytes == 0 ? 0u : 2u};
}

CycleRecord cycle(std::uint32_t index, std::int64_t start, std::size_t marked,
                  std::size_t in_use_after) {
  CycleRecord record;
  record.index = index;
  record.cause = GcCause::kAllocationFailure;
  record.start_ns = start;
  record.duration_ns = 1'000;
  record.phases = {{"mark", start, 600}, {"sweep", start + 600, 400}};
  record.marked_objects = marked / 16;
  record.marked_bytes = marked;
  record.before = stats(900'000, 100'000, 50'000);
  record.after = stats(in_use_after, 1'000'000 - in_use_after, 400'000);
  return record;
}

RunRecord sample_record() {
  RunRecord record;
  record.collector = "mark-sweep";
  record.allocator = "free-list";
  record.workload = "gcbench";
  record.allocator_params = {{"fit", "best", ParamKind::kChoice},
                             {"chunk", "32K", ParamKind::kSize}};
  record.workload_params = {{"depth", "7", ParamKind::kInt},
                            {"ratio", "0.25", ParamKind::kDouble}};
  record.heap_bytes = 1 << 20;
  record.trigger = "occupancy:0.5";
  record.barrier = "yuasa";
  record.verify = VerifyMode::kEvery;
  record.wall_ns = 20'000'000;
  record.process_cpu_ns = 15'000'000;
  record.gc_cpu_ns = 2'000'000;
  record.pauses = {{1'000'000, 1'000'000, PauseKind::kFull, 20'000},
                   {5'000'000, 3'000'000, PauseKind::kFull, 40'000}};
  record.cycles = {cycle(0, 1'000'000, 300'000, 310'000),
                   cycle(1, 5'000'000, 200'000, 220'000)};
  record.mutator_totals = {.objects_allocated = 100,
                           .bytes_allocated = 4'000,
                           .reference_writes = 50,
                           .barrier_slow_paths = 20,
                           .barrier_shaded = 12,
                           .barrier_buffer_flushes = 3,
                           .reference_reads = 70};
  record.final_heap = stats(500'000, 400'000, 300'000);
  record.verification = {
      .heaps_verified = 3, .objects_visited = 1'234, .mark_checks = 2};
  record.checks_passed = 9;
  record.workload_output = {"line one", "line two"};
  return record;
}

Json sample_report() { return make_report(sample_record(), {{"cores", 2}}); }

TEST(ReportTest, BlocksAppearInSchemaOrder) {
  Json report = sample_report();
  std::vector<std::string> keys;
  for (const auto& [key, value] : report.items()) keys.push_back(key);
  std::vector<std::string> expected = {
      "schema_version", "config",   "environment",  "time",
      "pauses",         "mmu",      "allocation",   "heap",
      "cycles",         "barriers", "verification", "workload"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(report["schema_version"], 1);
  EXPECT_EQ(report["environment"]["cores"], 2);
}

TEST(ReportTest, ConfigParamsAreTypedByTheirSpec) {
  Json params = sample_report()["config"]["params"];
  EXPECT_TRUE(params["collector"].is_object() && params["collector"].empty())
      << "a component without parameters still has an (empty) object";
  EXPECT_EQ(params["allocator"]["fit"], "best");
  EXPECT_EQ(params["allocator"]["chunk"], 32 * 1024) << "sizes in bytes";
  EXPECT_EQ(params["workload"]["depth"], 7);
  EXPECT_DOUBLE_EQ(params["workload"]["ratio"].get<double>(), 0.25);
}

TEST(ReportTest, ConfigRecordsTheEffectiveSettings) {
  Json config = sample_report()["config"];
  EXPECT_EQ(config["trigger"], "occupancy:0.5");
  EXPECT_EQ(config["barrier"], "yuasa");
  EXPECT_EQ(config["heap_bytes"], 1 << 20);
  EXPECT_EQ(config["verify"], "every");
}

TEST(ReportTest, MutatorCpuIsProcessMinusGcFlooredAtZero) {
  EXPECT_EQ(sample_report()["time"]["mutator_cpu_ns"], 13'000'000);
  RunRecord record = sample_record();
  record.gc_cpu_ns = record.process_cpu_ns + 1;
  EXPECT_EQ(make_report(record, {})["time"]["mutator_cpu_ns"], 0);
}

TEST(ReportTest, PausesAreSummarisedAndListed) {
  Json pauses = sample_report()["pauses"];
  EXPECT_EQ(pauses["count"], 2);
  EXPECT_EQ(pauses["total_ns"], 4'000'000);
  EXPECT_EQ(pauses["mean_ns"], 2'000'000);
  EXPECT_EQ(pauses["p50_ns"], 1'000'000);
  EXPECT_EQ(pauses["p99_ns"], 3'000'000);
  EXPECT_EQ(pauses["max_ns"], 3'000'000);
  ASSERT_EQ(pauses["list"].size(), 2u);
  EXPECT_EQ(pauses["list"][1]["start_ns"], 5'000'000);
  EXPECT_EQ(pauses["list"][1]["kind"], "full");
  EXPECT_EQ(pauses["list"][1]["time_to_safepoint_ns"], 40'000);
}

TEST(ReportTest, NoPausesGiveZerosAndFullUtilisation) {
  RunRecord record = sample_record();
  record.pauses.clear();
  Json report = make_report(record, {});
  for (const char* field : {"count", "total_ns", "mean_ns", "p50_ns", "p90_ns",
                            "p99_ns", "p999_ns", "max_ns"}) {
    EXPECT_EQ(report["pauses"][field], 0) << field;
  }
  EXPECT_TRUE(report["pauses"]["list"].empty());
  for (const Json& point : report["mmu"]["windows"]) {
    EXPECT_EQ(point["mmu"], 1.0);
  }
}

TEST(ReportTest, MmuWindowsComeFromThePauses) {
  Json windows = sample_report()["mmu"]["windows"];
  ASSERT_FALSE(windows.empty());
  EXPECT_EQ(windows.back()["window_ns"], 20'000'000) << "ends at the run";
  EXPECT_DOUBLE_EQ(windows.back()["mmu"].get<double>(), 0.8);
  bool saw_10ms = false;
  for (const Json& point : windows) {
    if (point["window_ns"] == 10'000'000) {
      saw_10ms = true;
      EXPECT_DOUBLE_EQ(point["mmu"].get<double>(), 0.6)
          << "a 10 ms window holds both pauses (4 ms)";
    }
  }
  EXPECT_TRUE(saw_10ms);
}

TEST(ReportTest, PeakLiveIsMostBytesMarked) {
  EXPECT_EQ(sample_report()["heap"]["peak_live_bytes"], 300'000);
}

TEST(ReportTest, PeakLiveFallsBackToInUseAfterWhenNothingIsMarked) {
  RunRecord record = sample_record();
  for (CycleRecord& cycle : record.cycles) cycle.marked_bytes = 0;
  EXPECT_EQ(make_report(record, {})["heap"]["peak_live_bytes"], 310'000);
}

TEST(ReportTest, FragmentationComesFromTheFinalFreeSpace) {
  Json heap = sample_report()["heap"];
  EXPECT_DOUBLE_EQ(heap["fragmentation"].get<double>(), 0.25)
      << "1 - 300000 / 400000";
  EXPECT_EQ(heap["final"]["largest_free_block"], 300'000);
  RunRecord record = sample_record();
  record.final_heap = stats(1 << 20, 0, 0);
  EXPECT_EQ(make_report(record, {})["heap"]["fragmentation"], 0.0);
}

TEST(ReportTest, CyclesCarryPhasesAndBeforeAfter) {
  Json cycles = sample_report()["cycles"];
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0]["cause"], "allocation-failure");
  ASSERT_EQ(cycles[0]["phases"].size(), 2u);
  EXPECT_EQ(cycles[0]["phases"][1]["name"], "sweep");
  EXPECT_EQ(cycles[1]["before"]["free_bytes"], 100'000);
  EXPECT_EQ(cycles[1]["after"]["in_use_bytes"], 220'000);
}

// Before: 100,000 bytes free, the largest block 50,000; 900,000 in use of
// 1 MiB.
TEST(ReportTest, CyclesCarryFragmentationAndOccupancy) {
  Json before = sample_report()["cycles"][1]["before"];
  EXPECT_DOUBLE_EQ(before["external_fragmentation"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(before["occupancy"].get<double>(), 900'000.0 / (1 << 20));
  RunRecord record = sample_record();
  record.cycles[1].after.free_bytes = 0;
  record.cycles[1].after.largest_free_block = 0;
  Json after = make_report(record, {})["cycles"][1]["after"];
  EXPECT_DOUBLE_EQ(after["external_fragmentation"].get<double>(), 0.0)
      << "no free memory is no fragmentation";
}

TEST(ReportTest, LazySweepTimeIsPerCycleAndTotalled) {
  RunRecord record = sample_record();
  record.cycles[0].lazy_sweep_ns = 300'000;
  record.cycles[1].lazy_sweep_ns = 200'000;
  record.cycles[1].after.unswept_bytes = 600'000;
  Json report = make_report(record, {});
  EXPECT_EQ(report["cycles"][0]["lazy_sweep_ns"], 300'000);
  EXPECT_EQ(report["cycles"][1]["after"]["unswept_bytes"], 600'000);
  EXPECT_EQ(report["time"]["lazy_sweep_ns"], 500'000);
  EXPECT_EQ(report["time"]["gc_cpu_ns"], 2'000'000)
      << "the recorder already counts lazy sweeping as GC CPU";
  EXPECT_EQ(sample_report()["time"]["lazy_sweep_ns"], 0)
      << "no cycle swept lazily";
}

TEST(ReportTest, VerificationShowsThatItRan) {
  Json verification = sample_report()["verification"];
  EXPECT_EQ(verification["result"], "passed");
  EXPECT_EQ(verification["checks"], Json({"allocated", "header", "mark"}));
  EXPECT_EQ(verification["heaps_verified"], 3);
  EXPECT_EQ(verification["mode"], "every");
  RunRecord record = sample_record();
  record.verify = VerifyMode::kOff;
  Json off = make_report(record, {});
  EXPECT_EQ(off["config"]["verify"], "off");
  EXPECT_EQ(off["verification"]["enabled"], false);
  EXPECT_EQ(off["verification"]["mode"], "off");
  EXPECT_EQ(off["verification"]["result"], "not run");
  EXPECT_TRUE(off["verification"]["checks"].is_array() &&
              off["verification"]["checks"].empty());
}

TEST(ReportTest, VerificationAtTheEndChecksNoMarks) {
  RunRecord record = sample_record();
  record.verify = VerifyMode::kEnd;
  Json report = make_report(record, {});
  EXPECT_EQ(report["config"]["verify"], "end");
  const Json& verification = report["verification"];
  EXPECT_EQ(verification["enabled"], true);
  EXPECT_EQ(verification["mode"], "end");
  EXPECT_EQ(verification["result"], "passed");
  EXPECT_EQ(verification["checks"], Json({"allocated", "header"}))
      << "the final heap is checked without a cycle's marks";
}

TEST(ReportTest, AllocationRateIsOverWallTime) {
  Json allocation = sample_report()["allocation"];
  EXPECT_EQ(allocation["bytes"], 4'000);
  EXPECT_DOUBLE_EQ(allocation["bytes_per_second"].get<double>(), 200'000.0);
}

TEST(ReportTest, WorkloadAndBarrierCounters) {
  Json report = sample_report();
  EXPECT_EQ(report["workload"]["checks_passed"], 9);
  EXPECT_EQ(report["workload"]["output"][1], "line two");
  EXPECT_EQ(report["barriers"]["kind"], "yuasa");
  EXPECT_EQ(report["barriers"]["reference_writes"], 50);
  EXPECT_EQ(report["barriers"]["reference_reads"], 70);
  EXPECT_EQ(report["barriers"]["slow_paths"], 20);
  EXPECT_EQ(report["barriers"]["shaded"], 12);
  EXPECT_EQ(report["barriers"]["buffer_flushes"], 3);
}

TEST(ReportTest, PausesAreAlsoSummarisedByKind) {
  RunRecord record = sample_record();
  record.pauses = {{1'000'000, 100'000, PauseKind::kInitialMark},
                   {3'000'000, 300'000, PauseKind::kRemark},
                   {5'000'000, 200'000, PauseKind::kRemark},
                   {7'000'000, 50'000, PauseKind::kAssist}};
  Json pauses = make_report(record, {})["pauses"];
  EXPECT_EQ(pauses["count"], 4);
  EXPECT_EQ(pauses["by_kind"]["remark"]["count"], 2);
  EXPECT_EQ(pauses["by_kind"]["remark"]["max_ns"], 300'000);
  EXPECT_EQ(pauses["by_kind"]["initial-mark"]["total_ns"], 100'000);
  EXPECT_EQ(pauses["by_kind"]["assist"]["count"], 1);
  EXPECT_FALSE(pauses["by_kind"].contains("full"));
}

TEST(ReportTest, ConcurrentAndPacerFiguresPerCycle) {
  RunRecord record = sample_record();
  CycleRecord& cycle = record.cycles[1];
  cycle.gc_thread_mark_ns = {4'000, 6'000};
  cycle.allocated_black_bytes = 2'048;
  cycle.floating_garbage_bytes = 512;
  cycle.barrier_buffers = 7;
  cycle.trigger_bytes = 700'000;
  cycle.goal_bytes = 800'000;
  Json cycles = make_report(record, {})["cycles"];
  EXPECT_EQ(cycles[1]["concurrent"]["gc_thread_mark_ns"], Json({4'000, 6'000}));
  EXPECT_EQ(cycles[1]["concurrent"]["allocated_black_bytes"], 2'048);
  EXPECT_EQ(cycles[1]["concurrent"]["floating_garbage_bytes"], 512);
  EXPECT_EQ(cycles[1]["concurrent"]["barrier_buffers"], 7);
  EXPECT_EQ(cycles[1]["pacer"]["trigger_bytes"], 700'000);
  EXPECT_EQ(cycles[1]["pacer"]["goal_bytes"], 800'000);
  EXPECT_TRUE(cycles[0]["pacer"]["goal_bytes"].is_null())
      << "a trigger without a goal records none";
  EXPECT_TRUE(cycles[0]["concurrent"]["floating_garbage_bytes"].is_null())
      << "measured only by the checkmark";
}

}  // namespace
}  // namespace gclab
