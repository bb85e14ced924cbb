#include "workloads/graph_churn.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::int64_t kMaxEdges = 256;
constexpr std::int64_t kMinPayloadBytes = 2 * sizeof(std::uint64_t);
constexpr std::int64_t kMaxPayloadBytes = std::int64_t{1} << 20;
// Children of a fresh subgraph's head, each with a back edge to the head.
constexpr std::int64_t kFreshChildren = 2;
// Edges a rewire walk follows from its table node before it picks a target.
constexpr int kRewireHops = 3;
// The operation mix, in percent; the rest are rewires.
constexpr std::uint64_t kLostObjectPercent = 30;
constexpr std::uint64_t kRootsOnlyPercent = 10;
constexpr std::uint64_t kFreshPercent = 25;

// Murmur3's 64-bit finaliser (Appleby): every input bit affects every output
// bit, so two ids never share a check word by accident of their low bits.
std::uint64_t finalise(std::uint64_t z) {
  z ^= z >> 33;
  z *= 0xff51afd7ed558ccdULL;
  z ^= z >> 33;
  z *= 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

std::string hex(const void* pointer) {
  char text[24];
  std::snprintf(text, sizeof text, "%p", pointer);
  return text;
}

void require_range(std::string_view name, std::int64_t value, std::int64_t low,
                   std::int64_t high) {
  if (value < low || value > high) {
    throw ConfigError("graph-churn: " + std::string(name) + " is " +
                      std::to_string(value) + ", expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
}

}  // namespace

GraphChurnParams graph_churn_params(const ParamValues& values) {
  GraphChurnParams params{.nodes = values.get_int("nodes"),
                          .edges = values.get_int("edges"),
                          .operations = values.get_int("operations"),
                          .garbage = values.get_int("garbage"),
                          .hold = values.get_int("hold"),
                          .payload = values.get_int("payload")};
  require_range("nodes", params.nodes, 1, kMaxRefs);
  require_range("edges", params.edges, 1, kMaxEdges);
  require_range("operations", params.operations, 0, std::int64_t{1} << 40);
  require_range("garbage", params.garbage, 0, std::int64_t{1} << 20);
  require_range("hold", params.hold, 1, std::int64_t{1} << 40);
  require_range("payload", params.payload, kMinPayloadBytes, kMaxPayloadBytes);
  if (params.payload % sizeof(std::uint64_t) != 0) {
    throw ConfigError("graph-churn: payload is " +
                      std::to_string(params.payload) +
                      ", expected a multiple of 8");
  }
  return params;
}

std::int64_t graph_churn_fresh_subgraph_nodes(std::int64_t edges) {
  return 1 + std::min(edges, kFreshChildren);
}

std::int64_t graph_churn_reachable_bound(const GraphChurnParams& params) {
  std::int64_t fresh = graph_churn_fresh_subgraph_nodes(params.edges);
  return params.nodes + (params.nodes + 1) * params.edges * fresh + 2 * fresh +
         1;
}

ChurnNodeFormat::ChurnNodeFormat(std::uint16_t site, std::uint16_t edges,
                                 std::uint32_t payload_bytes,
                                 std::uint64_t salt)
    : site_(site), edges_(edges), payload_bytes_(payload_bytes), salt_(salt) {}

ObjectShape ChurnNodeFormat::shape() const {
  return {.site = site_, .num_refs = edges_, .payload_bytes = payload_bytes_};
}

std::uint64_t ChurnNodeFormat::check_word(std::uint64_t id) const {
  return finalise(id ^ salt_);
}

// Payload words: the id, its check word and, at the payload's end, the check
// word again, so that an overwrite of either end of the node shows.
void ChurnNodeFormat::stamp(Object* node, std::uint64_t id) const {
  auto* words = node->payload_as<std::uint64_t>();
  std::size_t last = payload_bytes_ / sizeof(std::uint64_t) - 1;
  words[0] = id;
  words[1] = check_word(id);
  words[last] = check_word(id);
}

std::uint64_t ChurnNodeFormat::id(Object* node) const {
  return node->payload_as<std::uint64_t>()[0];
}

std::optional<std::string> ChurnNodeFormat::defect(Object* object) const {
  if (object->kind() != BlockKind::kObject) {
    return "block kind " + std::to_string(static_cast<int>(object->kind())) +
           " is not an object (freed or poisoned memory)";
  }
  if (object->site() != site_) {
    return "site " + std::to_string(object->site()) + ", expected node site " +
           std::to_string(site_) + " (memory reused by another object)";
  }
  if (object->num_refs() != edges_) {
    return std::to_string(object->num_refs()) + " reference slots, expected " +
           std::to_string(edges_);
  }
  if (object->payload_bytes() != payload_bytes_) {
    return std::to_string(object->payload_bytes()) +
           " payload bytes, expected " + std::to_string(payload_bytes_);
  }
  const auto* words = object->payload_as<std::uint64_t>();
  std::uint64_t id = words[0];
  if (id == 0) return std::string("id 0, which no node has");
  std::uint64_t expected = check_word(id);
  std::size_t last = payload_bytes_ / sizeof(std::uint64_t) - 1;
  for (std::size_t word : {std::size_t{1}, last}) {
    if (words[word] != expected) {
      return "payload word " + std::to_string(word) + " is " +
             std::to_string(words[word]) + ", expected check word " +
             std::to_string(expected) + " of id " + std::to_string(id);
    }
  }
  return std::nullopt;
}

// The state all mutators of one run share: the table's root, the node
// format and the id counter. Built by the first mutator
// to join, dropped by the last to leave.
class GraphChurnWorkload::SharedGraph {
 public:
  SharedGraph(Mutator& mutator, const GraphChurnParams& params,
              std::uint64_t salt)
      : nodes_(static_cast<std::uint16_t>(params.nodes)),
        table_(mutator.heap()),
        table_site_(mutator.heap().register_site("graph-churn.table")),
        format_(mutator.heap().register_site("graph-churn.node"),
                static_cast<std::uint16_t>(params.edges),
                static_cast<std::uint32_t>(params.payload), salt),
        garbage_shape_{
            .site = mutator.heap().register_site("graph-churn.garbage"),
            .num_refs = static_cast<std::uint16_t>(params.edges),
            .payload_bytes = static_cast<std::uint32_t>(params.payload)} {}

  // Allocates the table and gives every slot a fresh subgraph.
  void build(Mutator& mutator) {
    table_.set(mutator, mutator.allocate(ObjectShape{.site = table_site_,
                                                     .num_refs = nodes_}));
    for (std::size_t slot = 0; slot < nodes_; ++slot) {
      Object* head = new_fresh_subgraph(mutator);
      mutator.write(table(), slot, head);
    }
  }

  // The table, after checking that it is still one.
  Object* table() const {
    Object* table = table_.get();
    if (table == nullptr || table->kind() != BlockKind::kObject ||
        table->site() != table_site_ || table->num_refs() != nodes_) {
      throw WorkloadCheckFailed("graph-churn: the table at " + hex(table) +
                                " (a global root) is no longer a table of " +
                                std::to_string(nodes_) + " slots");
    }
    return table;
  }

  // A head and its children, each child's first edge back to the head.
  Object* new_fresh_subgraph(Mutator& mutator) {
    Root head(mutator, new_node(mutator));
    std::size_t children = static_cast<std::size_t>(
        graph_churn_fresh_subgraph_nodes(format_.shape().num_refs) - 1);
    for (std::size_t edge = 0; edge < children; ++edge) {
      Object* child = new_node(mutator);
      mutator.write(child, 0, head.get());
      mutator.write(head.get(), edge, child);
    }
    return head.get();
  }

  const ChurnNodeFormat& format() const { return format_; }
  ObjectShape garbage_shape() const { return garbage_shape_; }
  std::size_t nodes() const { return nodes_; }

 private:
  Object* new_node(Mutator& mutator) {
    Object* node = mutator.allocate(format_.shape());
    format_.stamp(node, next_id_.fetch_add(1, std::memory_order_relaxed));
    return node;
  }

  const std::uint16_t nodes_;
  GlobalRoot table_;
  const std::uint16_t table_site_;
  const ChurnNodeFormat format_;
  const ObjectShape garbage_shape_;
  std::atomic<std::uint64_t> next_id_{1};
};

namespace {

// Where a checked node was found, for the failure message.
struct Location {
  enum class Kind { kTableSlot, kEdge, kRoot };
  Kind kind;
  std::size_t slot = 0;
  std::uint64_t owner_id = 0;  // kEdge: the node whose edge held it
  std::string_view root = {};  // kRoot: what the Root held

  std::string describe() const {
    switch (kind) {
      case Kind::kTableSlot:
        return "table slot " + std::to_string(slot);
      case Kind::kEdge:
        return "edge " + std::to_string(slot) + " of node " +
               std::to_string(owner_id);
      case Kind::kRoot:
        return "the " + std::string(root) + " (held in a Root)";
    }
    return {};
  }
};

Location in_root(std::string_view what) {
  return {.kind = Location::Kind::kRoot, .root = what};
}

struct OperationCounts {
  std::uint64_t lost_object = 0;
  std::uint64_t roots_only = 0;
  std::uint64_t fresh = 0;
  std::uint64_t rewire = 0;
};

// One mutator's side of the run: its random stream, its held subgraph and
// its counts.
class ChurnMutator {
 public:
  ChurnMutator(Mutator& mutator, GraphChurnWorkload::SharedGraph& graph,
               const GraphChurnParams& params, std::uint64_t seed)
      : mutator_(mutator),
        graph_(graph),
        params_(params),
        random_(seed),
        held_head_(mutator),
        held_child_(mutator) {}

  void run_operations() {
    for (operation_ = 0; operation_ < params_.operations; ++operation_) {
      if (held_head_.get() != nullptr && operation_ >= held_until_) {
        return_held_subgraph();
      }
      std::uint64_t percent = random_() % 100;
      if (percent < kLostObjectPercent) {
        move_edge();
      } else if (percent < kLostObjectPercent + kRootsOnlyPercent) {
        hold_subgraph();
      } else if (percent <
                 kLostObjectPercent + kRootsOnlyPercent + kFreshPercent) {
        link_fresh_subgraph();
      } else {
        rewire();
      }
    }
    if (held_head_.get() != nullptr) return_held_subgraph();
  }

  // Visits every node reachable from the table, checking each, and returns
  // how many there are. It neither allocates nor polls a safepoint, so no
  // collection can free or move what `pending` holds (heap/mutator.h).
  std::uint64_t walk_graph() {
    std::unordered_set<Object*> visited;
    std::vector<Object*> pending;
    auto visit = [&](Object* node, const Location& where) {
      if (node == nullptr || !visited.insert(node).second) return;
      pending.push_back(checked(node, where));
    };
    Object* table = graph_.table();
    for (std::size_t slot = 0; slot < graph_.nodes(); ++slot) {
      visit(mutator_.read(table, slot),
            {.kind = Location::Kind::kTableSlot, .slot = slot});
    }
    while (!pending.empty()) {
      Object* node = pending.back();
      pending.pop_back();
      std::uint64_t id = graph_.format().id(node);
      for (std::size_t edge = 0; edge < node->num_refs(); ++edge) {
        visit(mutator_.read(node, edge),
              {.kind = Location::Kind::kEdge, .slot = edge, .owner_id = id});
      }
    }
    return visited.size();
  }

  const OperationCounts& counts() const { return counts_; }
  std::uint64_t nodes_checked() const { return nodes_checked_; }

 private:
  std::size_t pick(std::int64_t bound) {
    return static_cast<std::size_t>(random_() %
                                    static_cast<std::uint64_t>(bound));
  }

  // Every node read from the shared graph passes here before it is used.
  // Another mutator may have stamped it: the heap's release stores and
  // acquire loads of slots (heap/object.h) make its stamp visible here.
  Object* checked(Object* node, const Location& where) {
    if (node == nullptr) return nullptr;
    if (auto defect = graph_.format().defect(node)) {
      throw WorkloadCheckFailed("graph-churn: " + where.describe() +
                                " leads to " + hex(node) + ": " + *defect);
    }
    ++nodes_checked_;
    return node;
  }

  Object* table_node(std::size_t slot) {
    return checked(mutator_.read(graph_.table(), slot),
                   {.kind = Location::Kind::kTableSlot, .slot = slot});
  }

  Object* edge_of(Object* node, std::size_t edge) {
    return checked(mutator_.read(node, edge),
                   {.kind = Location::Kind::kEdge,
                    .slot = edge,
                    .owner_id = graph_.format().id(node)});
  }

  // The window in which an object is held only by Roots or by one path:
  // garbage to allocate (so collections happen) and a safepoint poll (so a
  // collection waiting for this mutator proceeds).
  void churn() {
    for (std::int64_t i = 0; i < params_.garbage; ++i) {
      mutator_.allocate(graph_.garbage_shape());
    }
    mutator_.safepoint();
  }

  // A node leaving the table drops its edges at once: this is what bounds
  // the reachable graph (see graph_churn.h).
  void retire(Object* node) {
    for (std::size_t edge = 0; edge < node->num_refs(); ++edge) {
      mutator_.write(node, edge, nullptr);
    }
  }

  // Pattern 1, the lost object: move an edge's target from one table node
  // to another, deleting the old path before the churn and storing the new
  // one after it.
  void move_edge() {
    ++counts_.lost_object;
    Object* from = table_node(pick(params_.nodes));
    if (from == nullptr) return;
    std::size_t edge = pick(params_.edges);
    Root moved(mutator_, edge_of(from, edge));
    if (moved.get() == nullptr) return;
    mutator_.write(from, edge, nullptr);
    churn();
    checked(moved.get(), in_root("moved node"));
    Object* to = table_node(pick(params_.nodes));
    if (to == nullptr) return;
    mutator_.write(to, pick(params_.edges), moved.get());
  }

  // Pattern 2, roots only: unlink a table slot's subgraph and one of its
  // edges, to hold both in Roots for `hold` operations. While one is held
  // the pattern checks it instead.
  void hold_subgraph() {
    ++counts_.roots_only;
    if (held_head_.get() != nullptr) {
      checked(held_head_.get(), in_root("held head"));
      checked(held_child_.get(), in_root("held child"));
      churn();
      return;
    }
    std::size_t slot = pick(params_.nodes);
    Object* head = table_node(slot);
    if (head == nullptr) return;
    mutator_.write(graph_.table(), slot, nullptr);
    std::size_t edge = pick(params_.edges);
    Object* child = edge_of(head, edge);
    if (child != nullptr) mutator_.write(head, edge, nullptr);
    held_head_ = head;
    held_child_ = child;
    held_until_ = operation_ + params_.hold;
    churn();
  }

  // The end of pattern 2: the child back into the head, the head into a
  // random table slot, retiring what was there.
  void return_held_subgraph() {
    Object* head = checked(held_head_.get(), in_root("held head"));
    if (Object* child = checked(held_child_.get(), in_root("held child"))) {
      mutator_.write(head, pick(params_.edges), child);
    }
    std::size_t slot = pick(params_.nodes);
    Object* replaced = table_node(slot);
    mutator_.write(graph_.table(), slot, head);
    // Another mutator may have taken the same head and returned it here.
    if (replaced != nullptr && replaced != head) retire(replaced);
    held_head_ = nullptr;
    held_child_ = nullptr;
  }

  // Pattern 3, fresh: a new subgraph, held only in a Root through the
  // churn, then linked into a table slot (retiring its node) or a table
  // node's edge (dropping its target).
  void link_fresh_subgraph() {
    ++counts_.fresh;
    Root head(mutator_, graph_.new_fresh_subgraph(mutator_));
    churn();
    checked(head.get(), in_root("fresh head"));
    if (random_() % 2 == 0) {
      std::size_t slot = pick(params_.nodes);
      Object* replaced = table_node(slot);
      mutator_.write(graph_.table(), slot, head.get());
      if (replaced != nullptr) retire(replaced);
    } else {
      Object* node = table_node(pick(params_.nodes));
      if (node == nullptr) return;
      mutator_.write(node, pick(params_.edges), head.get());
    }
  }

  // Pattern 4, rewire: follow a few edges from a table node, checking every
  // node on the way, and store where the walk ended into another table
  // node's edge after the churn.
  void rewire() {
    ++counts_.rewire;
    Object* node = table_node(pick(params_.nodes));
    if (node == nullptr) return;
    for (int hop = 0; hop < kRewireHops; ++hop) {
      Object* next = edge_of(node, pick(params_.edges));
      if (next == nullptr) break;
      node = next;
    }
    Root target(mutator_, node);
    churn();
    checked(target.get(), in_root("rewire target"));
    Object* into = table_node(pick(params_.nodes));
    if (into == nullptr) return;
    mutator_.write(into, pick(params_.edges), target.get());
  }

  Mutator& mutator_;
  GraphChurnWorkload::SharedGraph& graph_;
  const GraphChurnParams& params_;
  std::mt19937_64 random_;
  std::int64_t operation_ = 0;
  // Pattern 2's subgraph, null when none is held.
  Root held_head_;
  Root held_child_;
  std::int64_t held_until_ = 0;
  OperationCounts counts_;
  std::uint64_t nodes_checked_ = 0;
};

}  // namespace

// A mutator's membership of the shared graph, for the length of its run:
// leaving is in the destructor, so a mutator that unwinds (a failed check,
// an aborted run) still leaves, and the last one drops the graph while the
// heap still exists.
class GraphChurnWorkload::Membership {
 public:
  Membership(GraphChurnWorkload& workload, Mutator& mutator, std::uint64_t seed)
      : workload_(workload), graph_(workload.join(mutator, seed)) {}
  ~Membership() { workload_.leave(); }
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

  SharedGraph& graph() const { return graph_; }

 private:
  GraphChurnWorkload& workload_;
  SharedGraph& graph_;
};

GraphChurnWorkload::GraphChurnWorkload(GraphChurnParams params)
    : params_(params) {}

GraphChurnWorkload::~GraphChurnWorkload() = default;

std::unique_ptr<Workload> GraphChurnWorkload::make(const ParamValues& params) {
  return std::make_unique<GraphChurnWorkload>(graph_churn_params(params));
}

GraphChurnWorkload::SharedGraph& GraphChurnWorkload::join(Mutator& mutator,
                                                          std::uint64_t seed) {
  bool builds;
  {
    std::lock_guard lock(mutex_);
    ++members_;
    builds = state_ == GraphState::kAbsent;
    if (builds) state_ = GraphState::kBuilding;
  }
  if (builds) {
    try {
      auto graph =
          std::make_unique<SharedGraph>(mutator, params_, finalise(~seed));
      graph->build(mutator);
      std::lock_guard lock(mutex_);
      graph_ = std::move(graph);
      state_ = GraphState::kReady;
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        state_ = GraphState::kFailed;
      }
      graph_state_changed_.notify_all();
      leave();
      throw;
    }
    graph_state_changed_.notify_all();
    return *graph_;
  }
  GraphState state;
  {
    // Parked, the builder's collections need not wait for this mutator. The
    // lock is released before the ParkedScope ends: unparking waits for a
    // collection in progress, which may need the builder, which may need the
    // lock.
    ParkedScope parked(mutator);
    std::unique_lock lock(mutex_);
    graph_state_changed_.wait(
        lock, [this] { return state_ != GraphState::kBuilding; });
    state = state_;
  }
  if (state == GraphState::kFailed) {
    leave();
    throw RunAborted();
  }
  return *graph_;
}

void GraphChurnWorkload::leave() {
  std::unique_ptr<SharedGraph> dropped;
  std::lock_guard lock(mutex_);
  if (--members_ > 0) return;
  dropped = std::move(graph_);
  state_ = GraphState::kAbsent;
}

WorkloadReport GraphChurnWorkload::run(Mutator& mutator, std::uint64_t seed) {
  Membership membership(*this, mutator, seed);
  ChurnMutator churner(mutator, membership.graph(), params_, seed);
  churner.run_operations();
  std::uint64_t reachable = churner.walk_graph();

  const OperationCounts& counts = churner.counts();
  WorkloadReport report;
  report.checks_passed = churner.nodes_checked();
  report.output = {
      "graph-churn: " + std::to_string(params_.nodes) + " table slots, " +
          std::to_string(params_.edges) + " edges per node, " +
          std::to_string(params_.operations) + " operations",
      "operations: " + std::to_string(counts.lost_object) + " lost-object, " +
          std::to_string(counts.roots_only) + " roots-only, " +
          std::to_string(counts.fresh) + " fresh, " +
          std::to_string(counts.rewire) + " rewire",
      "final walk: " + std::to_string(reachable) +
          " reachable nodes, every one intact",
      "nodes checked: " + std::to_string(churner.nodes_checked()),
  };
  return report;
}

}  // namespace gclab
