#!/usr/bin/env bash
# Smoke test of the allocator benchmarks: one small case of each binary runs
# to the end and prints its row. gclab's rows must carry no error. A malloc
# baseline's row may report that its entry point resolves elsewhere (under a
# sanitizer the sanitizer's malloc is the process's malloc), but the binary
# must not fail. Figures are never checked: this runs unoptimised, and
# possibly sanitized.
set -euo pipefail

allocator_bench="$1"
sweep_bench="$2"
jemalloc_bench="$3"
mimalloc_bench="$4"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# A minimum time this small makes each case one trial of one iteration.
# Arguments: the binary, the benchmark's full name, then flags of its own.
run_case() {
  local binary="$1" name="$2"
  shift 2
  local output
  output="$("$binary" --benchmark_filter="^$name\$" \
    --benchmark_min_time=0.000001 "$@" 2>&1)" ||
    fail "$binary exited $? on $name: $output"
  awk -v name="$name" '$1 == name { found = 1 } END { exit !found }' \
    <<<"$output" || fail "$binary printed no row $name: $output"
  printf '%s\n' "$output"
}

# run_case fails the test through `set -e` only when its output is assigned,
# never when it is an argument of another command.
expect_no_error() {
  local output
  output="$(run_case "$@")"
  if grep -qF "ERROR OCCURRED" <<<"$output"; then
    fail "a gclab row reported an error: $output"
  fi
}

expect_to_run() {
  local output
  output="$(run_case "$@")"
}

# Two threads on one heap: the park-and-collect rendezvous between batches.
expect_no_error "$allocator_bench" \
  "BM_Allocate/free-list:fit=first/mixed/real_time/threads:2"
# mark-compact reclaims the bump allocator.
expect_no_error "$allocator_bench" \
  "BM_Allocate_WithReclaim/bump/fixed:16/real_time/threads:1"
# A small fill: the default 64M takes seconds under a sanitizer.
expect_no_error "$sweep_bench" "BM_Sweep/free-list/live:50/manual_time" \
  --fill=4M

expect_to_run "$allocator_bench" \
  "BM_Malloc_ExplicitFree/glibc/fixed:16/real_time/threads:1"
expect_to_run "$allocator_bench" \
  "BM_Malloc_ExplicitFree/tbbmalloc/fixed:16/real_time/threads:1"
expect_to_run "$jemalloc_bench" \
  "BM_Malloc_ExplicitFree/jemalloc/fixed:16/real_time/threads:1"
expect_to_run "$mimalloc_bench" \
  "BM_Malloc_ExplicitFree/mimalloc/fixed:16/real_time/threads:1"
echo "PASS"
