// Command gcbench runs GCBench on Go's own collector: the second external
// baseline that gclab's `gcbench` runs are compared with (the first is
// bench/gcbench_boehm.cc).
//
// It is the same program as workloads/gcbench.h, on the same parameters with
// the same defaults and the same self-checks: a node is two pointers and two
// int32s (i, the height of the node's subtree, and j, its heap-order index);
// every tree checked has TreeSize(d) nodes and the pre-order checksum of an
// intact tree (SplitMix64's finalizer chained over (i, j), as
// GcbenchTreeTally computes it, so a lost, swapped or overwritten node shows);
// the long-lived array still holds 1.0/i. With --holes, a pointer-free garbage
// block of a seeded bounded-Pareto size is allocated before every tree node.
//
// It prints one JSON document on stdout with gclab's field names, holding
// what Go can measure about itself: wall and process CPU time of the run,
// page faults, allocation totals, the heap's high-water mark, the checks that
// passed and the runtime's own collection count. Pauses are not measured
// here: gclab runs this program with GODEBUG=gctrace=1 and reads each
// collection's stop-the-world phases from the trace on stderr
// (harness/gctrace.h). So that those can be placed on the run's timeline, the
// report also gives the run's start relative to the process's start and the
// runtime's collection count before and after the run.
//
// Exit status: 0 success, 1 a self-check failed, 2 bad input; an error is one
// line on stderr.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"time"
)

// processStart stands in for the runtime's start, from which gctrace's
// "@seconds" count: package main is initialised after the runtime and the
// packages it imports, well under a millisecond later, and gctrace prints
// whole milliseconds.
var processStart = time.Now()

// maxDepth is the deepest tree GCBench accepts: heap-order indices fill an
// int32.
const maxDepth = 30

const (
	minHoleBytes = 8
	maxHoleBytes = 1 << 30
	// gclab's array is one object whose payload size is a uint32.
	maxArraySize = (1<<32 - 1) / 8
)

// failure is an error that ends the program: one line on stderr and an exit
// status, 2 for bad input and 1 for a failed self-check.
type failure struct {
	status  int
	message string
}

func (f *failure) Error() string { return f.message }

func badInput(format string, args ...any) error {
	return &failure{status: 2, message: fmt.Sprintf(format, args...)}
}

func checkFailed(format string, args ...any) error {
	return &failure{status: 1, message: fmt.Sprintf(format, args...)}
}

type node struct {
	left, right *node
	i           int32 // height of the node's subtree
	j           int32 // heap-order index: root 1, children 2k and 2k+1
}

type params struct {
	stretchDepth   int64
	longLivedDepth int64
	arraySize      int64
	minDepth       int64
	maxDepth       int64
	holes          int64
	checkTempTrees int64
	seed           int64
}

// mix is SplitMix64's finalizer (Steele, Lea and Flood 2014), the same 64-bit
// mixing function workloads/gcbench.cc uses, so checksums agree with gclab's.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// tally is a tree's node count and order-sensitive checksum, folded node by
// node in pre-order (left before right).
type tally struct {
	nodes    int64
	checksum uint64
}

func (t *tally) visit(i, j int32) {
	t.nodes++
	t.checksum = mix(t.checksum ^ (uint64(uint32(i))<<32 | uint64(uint32(j))))
}

func treeSize(depth int) int64 { return 1<<(depth+1) - 1 }

func numIters(stretchDepth, depth int) int64 {
	return 2 * treeSize(stretchDepth) / treeSize(depth)
}

// holeSizes draws hole sizes from a bounded Pareto law (shape 1) between 8
// and max bytes, by the inverse CDF x = L / (1 - u(1 - L/H)) over SplitMix64,
// as gclab's HoleSizes does, so one seed gives the same sizes in both.
type holeSizes struct {
	max   uint32
	state uint64
}

func (h *holeSizes) next() uint32 {
	h.state += 0x9e3779b97f4a7c15
	u := float64(mix(h.state)>>11) * 0x1p-53
	low, high := float64(minHoleBytes), float64(h.max)
	// The conversion rounds the product, so that no fused multiply-add can
	// make the size differ from gclab's.
	size := low / (1 - float64(u*(1-low/high)))
	switch n := uint32(size); {
	case n < minHoleBytes:
		return minHoleBytes
	case n > h.max:
		return h.max
	default:
		return n
	}
}

// holeSink keeps each hole reachable until the next one is made, so that the
// compiler cannot drop the allocation.
var holeSink []byte

// bench builds and checks GCBench's trees.
type bench struct {
	holes             *holeSizes // nil without holes
	expectedChecksums [maxDepth + 1]*uint64
}

func (b *bench) newNode(height int, index int64) *node {
	if b.holes != nil {
		holeSink = make([]byte, b.holes.next())
	}
	return &node{i: int32(height), j: int32(index)}
}

// populate builds a tree top down below an existing node (Populate).
func (b *bench) populate(depth int, n *node, index int64) {
	if depth <= 0 {
		return
	}
	n.left = b.newNode(depth-1, 2*index)
	n.right = b.newNode(depth-1, 2*index+1)
	b.populate(depth-1, n.left, 2*index)
	b.populate(depth-1, n.right, 2*index+1)
}

func (b *bench) makePopulatedTree(depth int) *node {
	tree := b.newNode(depth, 1)
	b.populate(depth, tree, 1)
	return tree
}

// makeSubtree builds a tree bottom up (MakeTree): children before parent.
func (b *bench) makeSubtree(depth int, index int64) *node {
	if depth <= 0 {
		return b.newNode(0, index)
	}
	left := b.makeSubtree(depth-1, 2*index)
	right := b.makeSubtree(depth-1, 2*index+1)
	n := b.newNode(depth, index)
	n.left, n.right = left, right
	return n
}

func (b *bench) makeTree(depth int) *node { return b.makeSubtree(depth, 1) }

func makeArray(size int64) []float64 {
	array := make([]float64, size)
	for i := int64(1); i < size; i++ {
		array[i] = 1 / float64(i)
	}
	return array
}

func intactTally(depth, level int, index int64, t *tally) {
	t.visit(int32(depth-level), int32(index))
	if level == depth {
		return
	}
	intactTally(depth, level+1, 2*index, t)
	intactTally(depth, level+1, 2*index+1, t)
}

func (b *bench) expectedChecksum(depth int) uint64 {
	if b.expectedChecksums[depth] == nil {
		var t tally
		intactTally(depth, 0, 1, &t)
		b.expectedChecksums[depth] = &t.checksum
	}
	return *b.expectedChecksums[depth]
}

// tallyTree walks a tree in pre-order, never below depth, so that a
// corrupted (even cyclic) tree cannot run the walk away.
func tallyTree(n *node, level, depth int, what string, t *tally) error {
	t.visit(n.i, n.j)
	for _, child := range [2]*node{n.left, n.right} {
		if child == nil {
			continue
		}
		if level == depth {
			return checkFailed("%s has nodes below its depth %d", what, depth)
		}
		if err := tallyTree(child, level+1, depth, what, t); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) checkTree(tree *node, depth int, what string) (tally, error) {
	var t tally
	if err := tallyTree(tree, 0, depth, what, &t); err != nil {
		return t, err
	}
	expected := b.expectedChecksum(depth)
	if t.nodes != treeSize(depth) || t.checksum != expected {
		return t, checkFailed(
			"%s of depth %d has %d nodes and checksum %d, expected %d and %d",
			what, depth, t.nodes, t.checksum, treeSize(depth), expected)
	}
	return t, nil
}

func expectedElement(i int64) float64 {
	if i == 0 {
		return 0
	}
	return 1 / float64(i)
}

func checkElement(array []float64, i int64) error {
	if array[i] != expectedElement(i) {
		return checkFailed("long-lived array a[%d] is %g, expected %g",
			i, array[i], expectedElement(i))
	}
	return nil
}

func checkArray(array []float64, size int64) error {
	if int64(len(array)) != size {
		return checkFailed("the long-lived array has %d doubles, expected %d",
			len(array), size)
	}
	// The original program's own test, a[1000], then every element.
	spot := size - 1
	if spot > 1000 {
		spot = 1000
	}
	if err := checkElement(array, spot); err != nil {
		return err
	}
	for i := int64(0); i < size; i++ {
		if err := checkElement(array, i); err != nil {
			return err
		}
	}
	return nil
}

// treeReport is what the run found in its long-lived tree, so that a test can
// compare the checksum with the one gclab computes for the same depth.
type treeReport struct {
	Depth    int64  `json:"depth"`
	Nodes    int64  `json:"nodes"`
	Checksum uint64 `json:"checksum"`
}

type workloadReport struct {
	ChecksPassed  int64      `json:"checks_passed"`
	Output        []string   `json:"output"`
	LongLivedTree treeReport `json:"long_lived_tree"`
}

// runGCBench runs the phases of workloads/gcbench.cc, in the same order with
// the same checks.
func runGCBench(p params) (workloadReport, error) {
	report := workloadReport{Output: []string{}}
	say := func(format string, args ...any) {
		report.Output = append(report.Output, fmt.Sprintf(format, args...))
	}
	stretchDepth := int(p.stretchDepth)
	longLivedDepth := int(p.longLivedDepth)
	var b bench
	if p.holes > 0 {
		b.holes = &holeSizes{max: uint32(p.holes), state: uint64(p.seed)}
	}
	temporary := func(tree *node, depth int, what string) error {
		if p.checkTempTrees == 0 {
			return nil
		}
		if _, err := b.checkTree(tree, depth, what); err != nil {
			return err
		}
		report.ChecksPassed++
		return nil
	}

	say("Garbage Collector Test")
	say("Stretching memory with a binary tree of depth %d", stretchDepth)
	if err := temporary(b.makeTree(stretchDepth), stretchDepth,
		"stretch tree"); err != nil {
		return report, err
	}

	say("Creating long-lived binary tree of depth %d", longLivedDepth)
	longLived := b.makePopulatedTree(longLivedDepth)
	say("Creating long-lived array of %d doubles", p.arraySize)
	array := makeArray(p.arraySize)

	for depth := int(p.minDepth); depth <= int(p.maxDepth); depth += 2 {
		iterations := numIters(stretchDepth, depth)
		say("Top down construction of %d trees of depth %d", iterations, depth)
		for i := int64(0); i < iterations; i++ {
			if err := temporary(b.makePopulatedTree(depth), depth,
				"top-down temporary tree"); err != nil {
				return report, err
			}
		}
		say("Bottom up construction of %d trees of depth %d", iterations, depth)
		for i := int64(0); i < iterations; i++ {
			if err := temporary(b.makeTree(depth), depth,
				"bottom-up temporary tree"); err != nil {
				return report, err
			}
		}
	}

	t, err := b.checkTree(longLived, longLivedDepth, "long-lived tree")
	if err != nil {
		return report, err
	}
	report.ChecksPassed++
	report.LongLivedTree = treeReport{
		Depth: p.longLivedDepth, Nodes: t.nodes, Checksum: t.checksum}
	if err := checkArray(array, p.arraySize); err != nil {
		return report, err
	}
	report.ChecksPassed++
	return report, nil
}

const usage = `usage: gcbench_go [--stretch-depth=N] [--long-lived-depth=N] [--array-size=N] [--min-depth=N] [--max-depth=N] [--holes=BYTES] [--check-temp-trees=0|1] [--seed=N] [--version]
Runs GCBench on Go's collector and prints one JSON document in gclab's schema.
Run it with GODEBUG=gctrace=1 for the collections' pauses on stderr.
`

func requireRange(name string, value, low, high int64) error {
	if value < low || value > high {
		return badInput("%s is %d, expected %d..%d", name, value, low, high)
	}
	return nil
}

// parseParams reads the flags and checks them as gclab's gcbench_params does,
// with the same messages. It returns showVersion when --version was given.
func parseParams(args []string, out io.Writer) (p params, showVersion bool, err error) {
	flags := flag.NewFlagSet("gcbench_go", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.Int64Var(&p.stretchDepth, "stretch-depth", 18,
		"depth of the tree built once to stretch the heap")
	flags.Int64Var(&p.longLivedDepth, "long-lived-depth", 16,
		"depth of the tree kept alive for the whole run")
	flags.Int64Var(&p.arraySize, "array-size", 500000,
		"doubles in the long-lived array")
	flags.Int64Var(&p.minDepth, "min-depth", 4,
		"depth of the smallest temporary trees")
	flags.Int64Var(&p.maxDepth, "max-depth", 16,
		"depth of the largest temporary trees (depths step by 2)")
	flags.Int64Var(&p.holes, "holes", 0,
		"0, or the largest garbage block (bytes, >= 8) allocated before each tree node")
	flags.Int64Var(&p.checkTempTrees, "check-temp-trees", 0,
		"1: also check every temporary and stretch tree right after building it")
	flags.Int64Var(&p.seed, "seed", 1, "seed of the hole sizes")
	flags.BoolVar(&showVersion, "version", false, "print the Go version and exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, usage)
			flags.SetOutput(out)
			flags.PrintDefaults()
			return p, false, err
		}
		return p, false, badInput("%v (see --help)", err)
	}
	if flags.NArg() > 0 {
		return p, false, badInput(
			"bad argument '%s': expected --name=value (see --help)", flags.Arg(0))
	}
	checks := []struct {
		name            string
		value, low, top int64
	}{
		{"stretch-depth", p.stretchDepth, 0, maxDepth},
		{"long-lived-depth", p.longLivedDepth, 0, maxDepth},
		{"min-depth", p.minDepth, 0, maxDepth},
		{"max-depth", p.maxDepth, p.minDepth, maxDepth},
		{"array-size", p.arraySize, 1, maxArraySize},
		{"check-temp-trees", p.checkTempTrees, 0, 1},
	}
	if p.holes != 0 {
		checks = append(checks,
			struct {
				name            string
				value, low, top int64
			}{"holes", p.holes, minHoleBytes, maxHoleBytes})
	}
	for _, c := range checks {
		if err := requireRange(c.name, c.value, c.low, c.top); err != nil {
			return p, false, err
		}
	}
	return p, showVersion, nil
}

// The report, in gclab's field names (see harness/report.h); "go" holds what
// only this baseline has.
type report struct {
	SchemaVersion int             `json:"schema_version"`
	Config        configReport    `json:"config"`
	Time          timeReport      `json:"time"`
	Allocation    allocReport     `json:"allocation"`
	Heap          heapReport      `json:"heap"`
	Workload      workloadReport  `json:"workload"`
	Go            goRuntimeReport `json:"go"`
}

type configReport struct {
	Collector string                      `json:"collector"`
	Allocator string                      `json:"allocator"`
	Workload  string                      `json:"workload"`
	Params    map[string]map[string]int64 `json:"params"`
	Mutators  int                         `json:"mutators"`
	Seed      int64                       `json:"seed"`
}

type timeReport struct {
	WallNs       int64 `json:"wall_ns"`
	ProcessCPUNs int64 `json:"process_cpu_ns"`
	MinorFaults  int64 `json:"minor_faults"`
	MajorFaults  int64 `json:"major_faults"`
	MaxRSSBytes  int64 `json:"max_rss_bytes"`
}

type allocReport struct {
	Objects        uint64  `json:"objects"`
	Bytes          uint64  `json:"bytes"`
	BytesPerSecond float64 `json:"bytes_per_second"`
}

type heapReport struct {
	// HeapSys at the end: heap memory obtained from the OS, which the
	// runtime documents as an estimate of the largest size the heap has had
	// (memory returned to the OS stays counted in it).
	PeakCommittedBytes uint64 `json:"peak_committed_bytes"`
}

type goRuntimeReport struct {
	Version    string `json:"version"`
	Compiler   string `json:"compiler"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GOGC       string `json:"gogc"`
	GODEBUG    string `json:"godebug"`
	// The run's start, from the process's (see processStart).
	RunStartNs int64 `json:"run_start_ns"`
	// runtime.MemStats.NumGC before and after the run: the run's
	// collections are those numbered in (before, after].
	NumGCBeforeRun uint32 `json:"num_gc_before_run"`
	NumGCAfterRun  uint32 `json:"num_gc_after_run"`
	// Stop-the-world time the runtime counted during the run: both pauses
	// of every cycle (and any mark termination it had to restart).
	PauseTotalNs      uint64 `json:"pause_total_ns"`
	HeapInuseBytes    uint64 `json:"heap_inuse_bytes"`
	HeapReleasedBytes uint64 `json:"heap_released_bytes"`
	NextGCBytes       uint64 `json:"next_gc_bytes"`
}

type resourceUsage struct {
	cpuNs, minorFaults, majorFaults, maxRSSBytes int64
}

func readResourceUsage() resourceUsage {
	var ru syscall.Rusage
	// RUSAGE_SELF cannot fail on Linux; a zero struct would show as such.
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return resourceUsage{
		cpuNs:       ru.Utime.Nano() + ru.Stime.Nano(),
		minorFaults: ru.Minflt,
		majorFaults: ru.Majflt,
		maxRSSBytes: ru.Maxrss * 1024,
	}
}

func effectiveGOGC() string {
	if value := os.Getenv("GOGC"); value != "" {
		return value
	}
	return "100"
}

func run(args []string, stdout io.Writer) error {
	p, showVersion, err := parseParams(args, stdout)
	if err != nil {
		return err
	}
	if showVersion {
		fmt.Fprintln(stdout, runtime.Version())
		return nil
	}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	usageBefore := readResourceUsage()
	start := time.Now()
	workload, err := runGCBench(p)
	wall := time.Since(start)
	usageAfter := readResourceUsage()
	runtime.ReadMemStats(&after)
	if err != nil {
		return err
	}

	allocated := after.TotalAlloc - before.TotalAlloc
	doc := report{
		SchemaVersion: 1,
		Config: configReport{
			Collector: "go",
			Allocator: "go",
			Workload:  "gcbench",
			Params: map[string]map[string]int64{"workload": {
				"stretch-depth":    p.stretchDepth,
				"long-lived-depth": p.longLivedDepth,
				"array-size":       p.arraySize,
				"min-depth":        p.minDepth,
				"max-depth":        p.maxDepth,
				"holes":            p.holes,
				"check-temp-trees": p.checkTempTrees,
			}},
			Mutators: 1,
			Seed:     p.seed,
		},
		Time: timeReport{
			WallNs:       wall.Nanoseconds(),
			ProcessCPUNs: usageAfter.cpuNs - usageBefore.cpuNs,
			MinorFaults:  usageAfter.minorFaults - usageBefore.minorFaults,
			MajorFaults:  usageAfter.majorFaults - usageBefore.majorFaults,
			MaxRSSBytes:  usageAfter.maxRSSBytes,
		},
		Allocation: allocReport{
			Objects:        after.Mallocs - before.Mallocs,
			Bytes:          allocated,
			BytesPerSecond: float64(allocated) / wall.Seconds(),
		},
		Heap:     heapReport{PeakCommittedBytes: after.HeapSys},
		Workload: workload,
		Go: goRuntimeReport{
			Version:           runtime.Version(),
			Compiler:          runtime.Compiler,
			GOMAXPROCS:        runtime.GOMAXPROCS(0),
			GOGC:              effectiveGOGC(),
			GODEBUG:           os.Getenv("GODEBUG"),
			RunStartNs:        start.Sub(processStart).Nanoseconds(),
			NumGCBeforeRun:    before.NumGC,
			NumGCAfterRun:     after.NumGC,
			PauseTotalNs:      after.PauseTotalNs - before.PauseTotalNs,
			HeapInuseBytes:    after.HeapInuse,
			HeapReleasedBytes: after.HeapReleased,
			NextGCBytes:       after.NextGC,
		},
	}
	encoder := json.NewEncoder(stdout)
	encoder.SetIndent("", "  ")
	return encoder.Encode(doc)
}

func main() {
	err := run(os.Args[1:], os.Stdout)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	fmt.Fprintln(os.Stderr, "gcbench_go:", err)
	var f *failure
	if errors.As(err, &f) {
		os.Exit(f.status)
	}
	os.Exit(1)
}
