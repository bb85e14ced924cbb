// graph-churn: several mutators rewire ONE shared object graph while a
// collector marks it, to prove a concurrent collector's write barrier (and
// its root scanning) under arbitrary interleavings.
//
// The graph: a table object of `nodes` reference slots, rooted in a
// GlobalRoot, and nodes of `edges` reference slots whose payload holds an id
// and a check word derived from it. Every node the workload reads is checked
// (kind, site, slot count, payload size, check word) before it is used, so a
// node the collector freed (poisoned with 0xDB under --verify, or reused by
// another object) ends the run with WorkloadCheckFailed. The first mutator to
// arrive builds the graph (every table slot gets a fresh subgraph); the others
// wait for it parked (ParkedScope), so the builder's collections never wait on
// them. The last mutator to leave drops the graph.
//
// Each operation picks one of four patterns, each aimed at a barrier whose
// absence (or bug) loses a live object (Wilson 1992's lost-object problem
// needs both a white object stored into a black one and the last path to it
// from a grey object deleted; each barrier breaks one of the two):
//   1. lost object: p = a.edge[i]; a.edge[i] = null; churn; b.edge[j] = p,
//      with b read from the table after the churn (possibly black by then).
//      Without an insertion barrier (Dijkstra 1978) p, white, is stored into
//      black b and the roots no longer hold it at remark; without a deletion
//      barrier (Yuasa 1990, SATB) the grey a loses its last path to p while
//      the mutator holds p in roots already scanned.
//   2. roots only: a table slot's subgraph is unlinked (and one of its edges
//      cut) and held only in Roots for `hold` operations of churn, then
//      linked back into a random slot. An insertion-barrier collector must
//      rescan mutator roots at remark (Dijkstra's stacks are grey); a SATB
//      collector must shade what the unlink deleted; any collector must scan
//      every mutator's roots at each cycle's start.
//   3. fresh: a new subgraph (a head and up to two children, each child's
//      first edge back to the head: a cycle) is held in a Root through the
//      churn and then linked into a table slot or a node's edge. A SATB
//      collector must allocate black (new objects are not in the snapshot);
//      one that allocates white needs the insertion barrier to shade the
//      store into a black object.
//   4. rewire: a walk of a few hops from a table node (every node visited is
//      checked) picks a target, which is held in a Root through the churn
//      and stored into another table node's edge, making cycles. Another
//      mutator may delete the target's last path meanwhile: only this
//      mutator's roots keep it alive, the cross-thread form of pattern 1.
// "Churn" is `garbage` node-sized garbage objects and a safepoint poll, so
// that collections (and a concurrent marker) make progress inside the window
// where an object is held only by roots or by a single unscanned path.
//
// Bounded live set: a node replaced in a table slot is *retired*: its edges
// are cleared at once. Edges are written only into table nodes (and into a
// fresh subgraph while it is built, or a held head), so every reachable node
// is a table node, a held one, or lies in the fresh subgraph of one target of
// a table node's edge. With one mutator, at every safepoint at most
// graph_churn_reachable_bound() nodes are reachable; with several, a node
// retired while another mutator is writing into it can keep one more edge,
// which is rare and does not compound.
//
// Determinism: each mutator draws its operations from std::mt19937_64 seeded
// with its seed, so one mutator's run (operations, graph, report) is the
// same for the same seed. With several mutators each stream is still
// deterministic, but which nodes they meet depends on the interleaving, so
// counts and the report vary from run to run.
//
// Every object kept across an allocation is held in a Root and re-read
// through it afterwards; table nodes are re-read from the table.
#ifndef GCLAB_WORKLOADS_GRAPH_CHURN_H_
#define GCLAB_WORKLOADS_GRAPH_CHURN_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "heap/mutator.h"
#include "heap/object.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kGraphChurnParams[] = {
    {"nodes", ParamKind::kInt, "1024",
     "slots of the shared table; each starts with a fresh subgraph"},
    {"edges", ParamKind::kInt, "4", "reference slots of every node"},
    {"operations", ParamKind::kInt, "3000000",
     "operations of each mutator (lost-object, roots-only, fresh, rewire)"},
    {"garbage", ParamKind::kInt, "4",
     "node-sized garbage objects allocated inside each operation's window"},
    {"hold", ParamKind::kInt, "64",
     "operations a roots-only subgraph is held before it is linked back"},
    {"payload", ParamKind::kInt, "16",
     "payload bytes of a node (a multiple of 8, at least 16: id and check "
     "word)"},
};

struct GraphChurnParams {
  std::int64_t nodes = 1024;
  std::int64_t edges = 4;
  std::int64_t operations = 3000000;
  std::int64_t garbage = 4;
  std::int64_t hold = 64;
  std::int64_t payload = 16;
};

// Reads the parameters and checks their ranges; throws ConfigError naming
// the first that is out of range.
GraphChurnParams graph_churn_params(const ParamValues& values);

// Nodes of a fresh subgraph: a head and min(edges, 2) children.
std::int64_t graph_churn_fresh_subgraph_nodes(std::int64_t edges);

// The most nodes one mutator's run keeps reachable at a safepoint (see the
// bounded live set above): the table nodes, a fresh subgraph behind each of
// their edges and the held head's, the held child's and one operation's
// in-flight object, each with its fresh subgraph.
std::int64_t graph_churn_reachable_bound(const GraphChurnParams& params);

// What a node looks like, and the check every node read passes. The check
// word mixes the id with a salt chosen when the graph is built, so a node of
// another graph or run (or memory reused by one) does not pass either.
class ChurnNodeFormat {
 public:
  ChurnNodeFormat(std::uint16_t site, std::uint16_t edges,
                  std::uint32_t payload_bytes, std::uint64_t salt);

  ObjectShape shape() const;
  // Writes the id (never 0) and its check words into a freshly allocated
  // node.
  void stamp(Object* node, std::uint64_t id) const;
  std::uint64_t id(Object* node) const;
  // Why `object` is not an intact node, or nothing when it is.
  std::optional<std::string> defect(Object* object) const;

 private:
  std::uint64_t check_word(std::uint64_t id) const;

  std::uint16_t site_;
  std::uint16_t edges_;
  std::uint32_t payload_bytes_;
  std::uint64_t salt_;
};

class GraphChurnWorkload final : public Workload {
 public:
  // `params` as graph_churn_params returns them.
  explicit GraphChurnWorkload(GraphChurnParams params);
  ~GraphChurnWorkload() override;
  static std::unique_ptr<Workload> make(const ParamValues& params);

  // Joins the shared graph (building it, or waiting parked for its builder),
  // runs this mutator's operations, walks the whole graph checking every
  // node, and leaves (dropping the graph if it is the last to leave).
  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

  class SharedGraph;  // the table root, node format and id counter

 private:
  class Membership;

  // Returns the graph once it is built; the first member builds it.
  SharedGraph& join(Mutator& mutator, std::uint64_t seed);
  void leave();

  const GraphChurnParams params_;

  // Guards the members below. Never held while parked or at a safepoint, so
  // a mutator waiting for it never stalls a collection for long.
  std::mutex mutex_;
  std::condition_variable graph_state_changed_;
  enum class GraphState { kAbsent, kBuilding, kReady, kFailed };
  GraphState state_ = GraphState::kAbsent;
  int members_ = 0;
  std::unique_ptr<SharedGraph> graph_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_GRAPH_CHURN_H_
