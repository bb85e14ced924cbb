#!/usr/bin/env bash
# Smoke test of the Go baseline program: a small GCBench run passes its own
# checks and prints one JSON document in gclab's schema; --version names the
# Go release; bad input exits 2 with one line.
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
# One JSON document, whose fields say what ran and that it checked itself.
summary="$(python3 -c '
import json, sys
report = json.load(sys.stdin)
config = report["config"]
print(config["collector"], config["allocator"], config["workload"],
      config["params"]["workload"]["stretch-depth"],
      config["params"]["workload"]["holes"],
      report["workload"]["checks_passed"],
      report["workload"]["long_lived_tree"]["nodes"],
      report["time"]["wall_ns"] > 0, report["heap"]["peak_committed_bytes"] > 0,
      report["go"]["num_gc_after_run"] >= report["go"]["num_gc_before_run"])
' <<<"$output")" || fail "output is not one JSON report: $output"
[[ "$summary" == "go go gcbench 10 64 $expected_checks 511 True True True" ]] ||
  fail "unexpected report fields '$summary', expected 'go go gcbench 10 64 $expected_checks 511 True True True'"
grep -qF '"Top down construction of 132 trees of depth 4"' <<<"$output" ||
  fail "output lacks the GCBench progress lines"

version="$("$binary" --version)"
[[ "$version" == go1.* ]] || fail "--version printed '$version', expected go1.*"

status=0
"$binary" --max-depth=2 --min-depth=4 >/dev/null 2>"$TEST_TMPDIR/err" ||
  status=$?
[[ $status -eq 2 ]] || fail "min-depth > max-depth exited $status, expected 2"
[[ "$(cat "$TEST_TMPDIR/err")" == "gcbench_go: max-depth is 2, expected 4..30" ]] ||
  fail "unexpected error line: $(cat "$TEST_TMPDIR/err")"

status=0
"$binary" stretch >/dev/null 2>"$TEST_TMPDIR/err" || status=$?
[[ $status -eq 2 ]] || fail "a bare word exited $status, expected 2"
[[ $(wc -l <"$TEST_TMPDIR/err") -eq 1 ]] ||
  fail "expected one error line, got: $(cat "$TEST_TMPDIR/err")"

status=0
"$binary" --stretch-depth=deep >/dev/null 2>"$TEST_TMPDIR/err" || status=$?
[[ $status -eq 2 ]] || fail "a non-number exited $status, expected 2"
echo "PASS"
