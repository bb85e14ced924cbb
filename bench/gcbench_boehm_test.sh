#!/usr/bin/env bash
# Smoke test of the Boehm baseline: a small GCBench run passes its own checks
# and prints one JSON document in gclab's schema; bad input exits 2.
set -euo pipefail

binary="$1"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

output="$("$binary" --stretch-depth=10 --long-lived-depth=8 --min-depth=4 \
  --max-depth=8 --array-size=2000 --holes=64 --check-temp-trees=1)"
# NumIters with stretch depth 10: 4094/31 = 132, 4094/127 = 32, 4094/511 = 8,
# each built twice; plus the stretch tree, the long-lived tree and the array.
expected_checks=$((1 + 2 * (132 + 32 + 8) + 1 + 1))
for field in '"schema_version": 1' '"collector": "boehm"' \
  '"allocator": "boehm"' '"workload": "gcbench"' '"gc_threads": 1' \
  "\"checks_passed\": $expected_checks" '"p999_ns"' '"peak_committed_bytes"' \
  '"cycles_count"' '"stretch-depth": "10"' '"holes": "64"'; do
  grep -qF -- "$field" <<<"$output" || fail "output lacks $field: $output"
done
grep -qF '"Top down construction of 132 trees of depth 4"' <<<"$output" ||
  fail "output lacks the GCBench progress lines"

status=0
"$binary" --max-depth=2 --min-depth=4 >/dev/null 2>"$TEST_TMPDIR/err" ||
  status=$?
[[ $status -eq 2 ]] || fail "min-depth > max-depth exited $status, expected 2"
grep -qF "max-depth is 2, expected 4..30" "$TEST_TMPDIR/err" ||
  fail "unexpected error line: $(cat "$TEST_TMPDIR/err")"

status=0
"$binary" stretch >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "a bare word exited $status, expected 2"
echo "PASS"
