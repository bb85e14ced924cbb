#include "workloads/producer_consumer.h"

#include <algorithm>
#include <bitset>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

// Every object has two child slots: a message is a binary tree.
constexpr std::size_t kChildSlots = 2;
// Payload words: an id and its check word; a head also holds the message's
// node count and edge digest. Pattern words follow to the payload's end.
constexpr std::size_t kIdWord = 0;
constexpr std::size_t kCheckWord = 1;
constexpr std::size_t kCountWord = 2;
constexpr std::size_t kDigestWord = 3;
constexpr std::size_t kNodeStampWords = 2;
constexpr std::size_t kHeadStampWords = 4;
// An object id is its message's id and its index in the message (the head
// 0), in the low byte; a message id is the producer's ordinal + 1 above its
// sequence number.
constexpr int kIndexBits = 8;
constexpr int kSequenceBits = 40;
constexpr std::int64_t kMaxMessageSize = (1 << kIndexBits) - 1;
constexpr std::int64_t kMaxPayloadBytes = 1 << 16;
constexpr int kMaxProducers = (1 << (64 - kIndexBits - kSequenceBits)) - 1;

// Murmur3's 64-bit finaliser (Appleby), as leak's check words.
std::uint64_t finalise(std::uint64_t z) {
  z ^= z >> 33;
  z *= 0xff51afd7ed558ccdULL;
  z ^= z >> 33;
  z *= 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

void require_range(std::string_view name, std::int64_t value, std::int64_t low,
                   std::int64_t high) {
  if (value < low || value > high) {
    throw ConfigError("producer-consumer: " + std::string(name) + " is " +
                      std::to_string(value) + ", expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
}

std::uint64_t message_id(int producer, std::uint64_t sequence) {
  return (std::uint64_t(producer + 1) << kSequenceBits) | sequence;
}

std::uint64_t object_id(std::uint64_t message, std::uint64_t index) {
  return (message << kIndexBits) | index;
}

// Messages counted, and an order-independent digest of them (a sum), so
// that what the producers built and what the consumers checked compare
// whatever the interleaving.
struct MessageTally {
  std::uint64_t messages = 0;
  std::uint64_t objects = 0;
  std::uint64_t digest = 0;

  void add_message(std::uint64_t id, std::uint64_t nodes,
                   std::uint64_t edge_digest) {
    ++messages;
    objects += 1 + nodes;
    digest += finalise(id ^ edge_digest);
  }
  void add(const MessageTally& other) {
    messages += other.messages;
    objects += other.objects;
    digest += other.digest;
  }
  bool operator==(const MessageTally&) const = default;
};

std::string describe(const MessageTally& tally) {
  return std::to_string(tally.messages) + " messages (" +
         std::to_string(tally.objects) + " objects, digest " +
         std::to_string(tally.digest) + ")";
}

// What a message's objects look like, and the check every one passes.
class MessageFormat {
 public:
  MessageFormat(Heap& heap, std::uint64_t salt)
      : head_site_(heap.register_site("producer-consumer.head")),
        node_site_(heap.register_site("producer-consumer.node")),
        salt_(salt) {}

  ObjectShape head(std::uint32_t extra_bytes) const {
    return shape(head_site_, kHeadStampWords, extra_bytes);
  }
  ObjectShape node(std::uint32_t extra_bytes) const {
    return shape(node_site_, kNodeStampWords, extra_bytes);
  }

  // Writes the id, its check word and the pattern to the payload's end
  // into a freshly allocated object.
  void stamp(Object* object, std::uint64_t id) const {
    auto* words = object->payload_as<std::uint64_t>();
    std::uint64_t check = check_word(id);
    words[kIdWord] = id;
    words[kCheckWord] = check;
    std::size_t from =
        object->site() == head_site_ ? kHeadStampWords : kNodeStampWords;
    for (std::size_t i = from; i < payload_words(object); ++i) {
      words[i] = pattern_word(check, i);
    }
  }

  static std::uint64_t id(Object* object) {
    return object->payload_as<std::uint64_t>()[kIdWord];
  }

  // Why `object` is not an intact head (or node), or nothing when it is.
  std::optional<std::string> defect(Object* object, bool head) const {
    if (object == nullptr) return "is null";
    if (object->kind() != BlockKind::kObject) return "is not an object";
    std::uint16_t site = head ? head_site_ : node_site_;
    if (object->site() != site || object->num_refs() != kChildSlots) {
      return "is not a message " + std::string(head ? "head" : "node") +
             " (site " + std::to_string(object->site()) + ", " +
             std::to_string(object->num_refs()) + " slots)";
    }
    std::size_t stamp_words = head ? kHeadStampWords : kNodeStampWords;
    if (payload_words(object) < stamp_words) return "has too short a payload";
    const auto* words = object->payload_as<std::uint64_t>();
    std::uint64_t check = check_word(words[kIdWord]);
    if (words[kCheckWord] != check) {
      return "has check word " + std::to_string(words[kCheckWord]) +
             " for id " + std::to_string(words[kIdWord]) + ", expected " +
             std::to_string(check);
    }
    for (std::size_t i = stamp_words; i < payload_words(object); ++i) {
      if (words[i] != pattern_word(check, i)) {
        return "has payload word " + std::to_string(i) + " overwritten";
      }
    }
    return std::nullopt;
  }

  // What one edge adds to a message's digest: a node, where it hangs and
  // its size, so that a node moved, lost or resized changes the sum.
  std::uint64_t edge_digest(std::uint64_t child, std::uint64_t parent,
                            std::size_t slot, std::size_t bytes) const {
    return finalise(finalise(child ^ salt_) + parent * 2 + slot) ^ bytes;
  }

 private:
  static ObjectShape shape(std::uint16_t site, std::size_t stamp_words,
                           std::uint32_t extra_bytes) {
    return {.site = site,
            .num_refs = kChildSlots,
            .payload_bytes = static_cast<std::uint32_t>(
                stamp_words * sizeof(std::uint64_t) + extra_bytes)};
  }
  static std::size_t payload_words(Object* object) {
    return object->payload_bytes() / sizeof(std::uint64_t);
  }
  std::uint64_t check_word(std::uint64_t id) const {
    return finalise(id ^ salt_);
  }
  static std::uint64_t pattern_word(std::uint64_t check, std::size_t i) {
    return check ^ (i * 0x9e3779b97f4a7c15ULL);
  }

  const std::uint16_t head_site_;
  const std::uint16_t node_site_;
  const std::uint64_t salt_;
};

struct Ticket {
  std::size_t queue;
  std::uint64_t position;  // the ring's slot is position mod capacity
};

std::string describe(const Ticket& ticket) {
  return "queue " + std::to_string(ticket.queue) + " position " +
         std::to_string(ticket.position);
}

}  // namespace

// Why the queues cannot deadlock with a collection. A stop of the world
// (or a handshake) waits for every Running mutator to reach a safepoint;
// Parked ones are already out of its way. So:
//   1. mutex_ is taken, and changed_ waited on, only inside a ParkedScope.
//      A mutator blocked on the mutex or on a full or empty queue is
//      parked, so it never holds up a stop.
//   2. Nothing is done while holding mutex_ that can block on a collection:
//      no allocation, no safepoint poll, no heap access at all (a parked
//      mutator must not touch the heap, which a collection may be moving).
//      The lock is released before the ParkedScope ends, since unparking
//      waits for a stop in progress. So whoever holds mutex_ holds it for a
//      few instructions, and a stopped world never waits for it.
//   3. Heap slots (the ring's) are read and written running, with no lock:
//      a slot between reservation and publication belongs to the one
//      mutator holding its ticket (kFilling, kEmptying), so no two mutators
//      touch it at once. The mutex's release and acquire order the
//      producer's store and stamps before the consumer's load.
//   4. No mutator waits while it holds an unsettled ticket: a producer
//      publishes its last slot, and a consumer frees its last, in the same
//      locked section before it waits, so every wait is for a slot some
//      running mutator will settle without waiting itself.
class ProducerConsumerWorkload::Exchange {
 public:
  Exchange(Heap& heap, int mutators, std::int64_t capacity, std::uint64_t salt)
      : format_(heap, salt),
        queue_site_(heap.register_site("producer-consumer.queue")),
        mutators_(mutators),
        producers_(mutators == 1 ? 1 : (mutators + 1) / 2),
        consumers_(mutators == 1 ? 1 : mutators / 2),
        capacity_(static_cast<std::size_t>(capacity)),
        claimed_(static_cast<std::size_t>(mutators)) {
    for (int queue = 0; queue < consumers_; ++queue) {
      queues_.push_back(std::make_unique<Queue>(heap, capacity_));
    }
  }

  const MessageFormat& format() const { return format_; }
  int mutators() const { return mutators_; }
  int producers() const { return producers_; }
  int consumers() const { return consumers_; }

  // Claims the mutator's index (and so its role) for the run.
  void claim(Mutator& mutator) {
    int index = mutator.index();
    if (index < 0 || index >= mutators_) {
      throw ConfigError("producer-consumer: mutator " + std::to_string(index) +
                        " runs, but the heap was made for " +
                        std::to_string(mutators_) + " (HeapOptions::mutators)");
    }
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    if (claimed_[index]) {
      throw ConfigError("producer-consumer: two mutators have index " +
                        std::to_string(index));
    }
    claimed_[index] = true;
  }

  // A consumer's queue gets its ring before anyone can use it.
  void open_queue(Mutator& mutator, std::size_t queue) {
    Object* ring = mutator.allocate(
        ObjectShape{.site = queue_site_,
                    .num_refs = static_cast<std::uint16_t>(capacity_)});
    queues_[queue]->ring.set(mutator, ring);
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    queues_[queue]->open = true;
    changed_.notify_all();
  }

  // Publishes the slot `filled` was filling (if any), then waits for a free
  // slot at the tail of `queue` and reserves it.
  Ticket publish_and_reserve(Mutator& mutator, std::optional<Ticket> filled,
                             std::size_t queue) {
    ParkedScope parked(mutator);
    std::unique_lock lock(mutex_);
    if (filled) settle(*filled, SlotState::kFilling, SlotState::kFull);
    Queue& q = *queues_[queue];
    await(lock, [&] { return q.open && q.state(q.tail) == SlotState::kFree; });
    q.state(q.tail) = SlotState::kFilling;
    return {.queue = queue, .position = q.tail++};
  }

  // Frees the slot `emptied` was emptying (if any), then waits for the
  // message at the head of `queue` and takes it; nothing once every
  // producer has finished and the queue is drained.
  std::optional<Ticket> release_and_take(Mutator& mutator,
                                         std::optional<Ticket> emptied,
                                         std::size_t queue) {
    ParkedScope parked(mutator);
    std::unique_lock lock(mutex_);
    if (emptied) settle(*emptied, SlotState::kEmptying, SlotState::kFree);
    Queue& q = *queues_[queue];
    auto drained = [&] {
      return producers_done_ == producers_ && q.head == q.tail;
    };
    await(lock,
          [&] { return q.state(q.head) == SlotState::kFull || drained(); });
    if (q.state(q.head) != SlotState::kFull) return std::nullopt;
    q.state(q.head) = SlotState::kEmptying;
    return Ticket{.queue = queue, .position = q.head++};
  }

  void publish(Mutator& mutator, Ticket filled) {
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    settle(filled, SlotState::kFilling, SlotState::kFull);
  }

  void release(Mutator& mutator, Ticket emptied) {
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    settle(emptied, SlotState::kEmptying, SlotState::kFree);
  }

  // Running, with the ticket's slot reserved: its ring slot is ours alone.
  void store(Mutator& mutator, Ticket ticket, Object* message) {
    mutator.write(ring(ticket), slot(ticket), message);
  }

  // Running, with the ticket's slot taken: reads the message and clears
  // the slot. The caller roots it before it allocates or polls (under
  // ref-count, clearing may have dropped its count to zero, which is freed
  // only at this mutator's next allocation; heap/ref_counting.h).
  Object* take(Mutator& mutator, Ticket ticket) {
    Object* ring_object = ring(ticket);
    Object* message = mutator.read(ring_object, slot(ticket));
    if (message == nullptr) {
      throw WorkloadCheckFailed("producer-consumer: " + describe(ticket) +
                                " was published but holds no message");
    }
    mutator.write(ring_object, slot(ticket), nullptr);
    return message;
  }

  void finish_producing(Mutator& mutator) {
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    ++producers_done_;
    changed_.notify_all();
  }

  // Adds a mutator's tallies and waits for every other mutator's: the
  // run's totals, produced and consumed.
  std::pair<MessageTally, MessageTally> finish(Mutator& mutator,
                                               const MessageTally& produced,
                                               const MessageTally& consumed) {
    ParkedScope parked(mutator);
    std::unique_lock lock(mutex_);
    produced_.add(produced);
    consumed_.add(consumed);
    if (++finished_ == mutators_) changed_.notify_all();
    await(lock, [&] { return finished_ == mutators_; });
    return {produced_, consumed_};
  }

  // Wakes every waiting mutator to end with RunAborted.
  void fail(Mutator& mutator) {
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    failed_ = true;
    changed_.notify_all();
  }

 private:
  enum class SlotState : std::uint8_t { kFree, kFilling, kFull, kEmptying };

  struct Queue {
    Queue(Heap& heap, std::size_t capacity) : ring(heap), slots(capacity) {}
    SlotState& state(std::uint64_t position) {
      return slots[position % slots.size()];
    }

    GlobalRoot ring;
    std::vector<SlotState> slots;  // all kFree to begin with
    std::uint64_t head = 0;        // the next position to take
    std::uint64_t tail = 0;        // the next position to reserve
    bool open = false;             // ring is set
  };

  // Under mutex_.
  void settle(Ticket ticket, SlotState from, SlotState to) {
    SlotState& state = queues_[ticket.queue]->state(ticket.position);
    if (state != from) {
      throw WorkloadCheckFailed("producer-consumer: " + describe(ticket) +
                                " changed state under its ticket");
    }
    state = to;
    changed_.notify_all();
  }

  template <typename Ready>
  void await(std::unique_lock<std::mutex>& lock, Ready ready) {
    changed_.wait(lock, [&] { return failed_ || ready(); });
    if (failed_) throw RunAborted();
  }

  Object* ring(Ticket ticket) {
    Object* ring = queues_[ticket.queue]->ring.get();
    if (ring == nullptr || ring->kind() != BlockKind::kObject ||
        ring->site() != queue_site_ || ring->num_refs() != capacity_) {
      throw WorkloadCheckFailed("producer-consumer: the ring of queue " +
                                std::to_string(ticket.queue) +
                                " (a global root) is no longer one");
    }
    return ring;
  }
  std::size_t slot(Ticket ticket) const { return ticket.position % capacity_; }

  const MessageFormat format_;
  const std::uint16_t queue_site_;
  const int mutators_;
  const int producers_;
  const int consumers_;
  const std::size_t capacity_;
  std::vector<std::unique_ptr<Queue>> queues_;

  std::mutex mutex_;  // guards the members below and the queues' states
  std::condition_variable changed_;
  std::vector<bool> claimed_;
  int producers_done_ = 0;
  int finished_ = 0;
  bool failed_ = false;
  MessageTally produced_;
  MessageTally consumed_;
};

namespace {

using Exchange = ProducerConsumerWorkload::Exchange;

// One producer: its random stream, and the message it has stored but not
// yet published (published as the next is queued, or by flush).
class Producer {
 public:
  Producer(Mutator& mutator, Exchange& exchange,
           const ProducerConsumerParams& params, int ordinal,
           std::uint64_t seed)
      : mutator_(mutator),
        exchange_(exchange),
        params_(params),
        ordinal_(ordinal),
        random_(seed) {}

  void send(std::size_t queue) {
    Root message(mutator_, build(message_id(ordinal_, tally_.messages)));
    Ticket ticket = exchange_.publish_and_reserve(mutator_, filled_, queue);
    exchange_.store(mutator_, ticket, message.get());
    filled_ = ticket;
  }

  void flush() {
    if (filled_) exchange_.publish(mutator_, *filled_);
    filled_.reset();
  }

  const MessageTally& tally() const { return tally_; }

 private:
  std::uint32_t extra_bytes() {
    return static_cast<std::uint32_t>(
        random_() % static_cast<std::uint64_t>(params_.payload + 1));
  }

  // A head and its nodes, each hung at the first empty slot of a random
  // walk from the head.
  Object* build(std::uint64_t id) {
    const MessageFormat& format = exchange_.format();
    std::uint64_t nodes =
        1 + random_() % static_cast<std::uint64_t>(params_.message_size);
    Root head(mutator_, mutator_.allocate(format.head(extra_bytes())));
    format.stamp(head.get(), object_id(id, 0));
    std::uint64_t digest = 0;
    for (std::uint64_t index = 1; index <= nodes; ++index) {
      Object* node = mutator_.allocate(format.node(extra_bytes()));
      format.stamp(node, object_id(id, index));
      Object* parent = head.get();
      std::size_t slot = random_() % kChildSlots;
      while (Object* child = mutator_.read(parent, slot)) {
        parent = child;
        slot = random_() % kChildSlots;
      }
      mutator_.write(parent, slot, node);
      digest +=
          format.edge_digest(MessageFormat::id(node), MessageFormat::id(parent),
                             slot, node->payload_bytes());
    }
    auto* words = head.get()->payload_as<std::uint64_t>();
    words[kCountWord] = nodes;
    words[kDigestWord] = digest;
    tally_.add_message(id, nodes, digest);
    return head.get();
  }

  Mutator& mutator_;
  Exchange& exchange_;
  const ProducerConsumerParams& params_;
  const int ordinal_;
  std::mt19937_64 random_;
  std::optional<Ticket> filled_;
  MessageTally tally_;
};

// One consumer: takes messages, checks each whole and drops it.
class Consumer {
 public:
  Consumer(Mutator& mutator, Exchange& exchange)
      : mutator_(mutator), exchange_(exchange) {}

  // Takes the next message of `queue` and checks it; false once the queue
  // is drained and every producer has finished.
  bool receive(std::size_t queue) {
    std::optional<Ticket> ticket =
        exchange_.release_and_take(mutator_, emptied_, queue);
    emptied_ = ticket;
    if (!ticket) return false;
    Root message(mutator_, exchange_.take(mutator_, *ticket));
    check(message.get(), *ticket);
    mutator_.safepoint();
    return true;
  }

  void flush() {
    if (emptied_) exchange_.release(mutator_, *emptied_);
    emptied_.reset();
  }

  const MessageTally& tally() const { return tally_; }

 private:
  [[noreturn]] static void damaged(const Ticket& ticket,
                                   const std::string& what) {
    throw WorkloadCheckFailed("producer-consumer: the message at " +
                              describe(ticket) + ": " + what);
  }

  // Walks the message (no allocation, no poll: raw pointers stay valid),
  // checking every object, the node count and the edge digest.
  void check(Object* head, const Ticket& ticket) {
    const MessageFormat& format = exchange_.format();
    if (auto defect = format.defect(head, true))
      damaged(ticket, "head " + *defect);
    const auto* words = head->payload_as<std::uint64_t>();
    const std::uint64_t id = words[kIdWord] >> kIndexBits;
    const std::uint64_t nodes = words[kCountWord];
    if ((words[kIdWord] & kMaxMessageSize) != 0 || nodes == 0 ||
        nodes > static_cast<std::uint64_t>(kMaxMessageSize)) {
      damaged(ticket, "its head says object " + std::to_string(words[kIdWord]) +
                          " with " + std::to_string(nodes) + " nodes");
    }
    std::bitset<kMaxMessageSize + 1> seen;
    std::uint64_t found = 0;
    std::uint64_t digest = 0;
    pending_.assign(1, head);
    while (!pending_.empty()) {
      Object* parent = pending_.back();
      pending_.pop_back();
      for (std::size_t slot = 0; slot < kChildSlots; ++slot) {
        Object* node = mutator_.read(parent, slot);
        if (node == nullptr) continue;
        if (++found > nodes) {
          damaged(ticket,
                  "it has more than its " + std::to_string(nodes) + " nodes");
        }
        if (auto defect = format.defect(node, false)) {
          damaged(ticket, "a node " + *defect);
        }
        std::uint64_t node_id = MessageFormat::id(node);
        std::uint64_t index = node_id & kMaxMessageSize;
        if ((node_id >> kIndexBits) != id || index == 0 || index > nodes ||
            seen[index]) {
          damaged(ticket, "it holds object " + std::to_string(node_id) +
                              ", not one of its own nodes");
        }
        seen[index] = true;
        digest += format.edge_digest(node_id, MessageFormat::id(parent), slot,
                                     node->payload_bytes());
        pending_.push_back(node);
      }
    }
    if (found != nodes) {
      damaged(ticket, "it has " + std::to_string(found) + " nodes, expected " +
                          std::to_string(nodes));
    }
    if (digest != words[kDigestWord]) {
      damaged(ticket, "its edges digest to " + std::to_string(digest) +
                          ", expected " + std::to_string(words[kDigestWord]));
    }
    tally_.add_message(id, nodes, digest);
  }

  Mutator& mutator_;
  Exchange& exchange_;
  std::optional<Ticket> emptied_;
  std::vector<Object*> pending_;
  MessageTally tally_;
};

}  // namespace

// A mutator's membership of the run's exchange: leaving is in the
// destructor, so one that unwinds still leaves, and the last to leave
// drops the exchange (its GlobalRoots) while the heap still exists.
class ProducerConsumerWorkload::Membership {
 public:
  Membership(ProducerConsumerWorkload& workload, Mutator& mutator,
             std::uint64_t seed)
      : workload_(workload),
        mutator_(mutator),
        exchange_(workload.join(mutator, seed)) {}
  ~Membership() { workload_.leave(mutator_); }
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

  Exchange& exchange() const { return exchange_; }

 private:
  ProducerConsumerWorkload& workload_;
  Mutator& mutator_;
  Exchange& exchange_;
};

ProducerConsumerParams producer_consumer_params(const ParamValues& values) {
  ProducerConsumerParams params{.messages = values.get_int("messages"),
                                .message_size = values.get_int("message-size"),
                                .payload = values.get_int("payload"),
                                .capacity = values.get_int("capacity")};
  require_range("messages", params.messages, 0,
                (std::int64_t{1} << kSequenceBits) - 1);
  require_range("message-size", params.message_size, 1, kMaxMessageSize);
  require_range("payload", params.payload, 0, kMaxPayloadBytes);
  require_range("capacity", params.capacity, 1, kMaxRefs);
  return params;
}

ProducerConsumerWorkload::ProducerConsumerWorkload(
    ProducerConsumerParams params)
    : params_(params) {}

ProducerConsumerWorkload::~ProducerConsumerWorkload() = default;

std::unique_ptr<Workload> ProducerConsumerWorkload::make(
    const ParamValues& params) {
  return std::make_unique<ProducerConsumerWorkload>(
      producer_consumer_params(params));
}

// Mutator i runs seed (run seed + i), so every mutator derives the run's
// salt from the same run seed.
ProducerConsumerWorkload::Exchange& ProducerConsumerWorkload::join(
    Mutator& mutator, std::uint64_t seed) {
  const int mutators = mutator.heap().options().mutators;
  if (mutators > 2 * kMaxProducers) {
    throw ConfigError("producer-consumer: at most " +
                      std::to_string(2 * kMaxProducers) + " mutators");
  }
  ParkedScope parked(mutator);
  std::lock_guard lock(mutex_);
  if (!exchange_) {
    std::uint64_t run_seed = seed - static_cast<std::uint64_t>(mutator.index());
    exchange_ = std::make_unique<Exchange>(
        mutator.heap(), mutators, params_.capacity, finalise(~run_seed));
  }
  ++members_;
  return *exchange_;
}

void ProducerConsumerWorkload::leave(Mutator& mutator) {
  std::unique_ptr<Exchange> dropped;
  {
    ParkedScope parked(mutator);
    std::lock_guard lock(mutex_);
    if (--members_ == 0) dropped = std::move(exchange_);
  }
}

WorkloadReport ProducerConsumerWorkload::run(Mutator& mutator,
                                             std::uint64_t seed) {
  Membership membership(*this, mutator, seed);
  Exchange& exchange = membership.exchange();
  const int index = mutator.index();
  Producer producer(mutator, exchange, params_, index / 2, seed);
  Consumer consumer(mutator, exchange);
  std::pair<MessageTally, MessageTally> totals;
  try {
    exchange.claim(mutator);
    if (exchange.mutators() == 1) {
      // Alternating batches: the queue never blocks the only thread.
      exchange.open_queue(mutator, 0);
      for (std::int64_t sent = 0; sent < params_.messages;) {
        std::int64_t batch =
            std::min(params_.capacity, params_.messages - sent);
        for (std::int64_t i = 0; i < batch; ++i) producer.send(0);
        producer.flush();
        // The batch is published, so every receive finds a message.
        for (std::int64_t i = 0; i < batch; ++i) consumer.receive(0);
        consumer.flush();
        sent += batch;
      }
      exchange.finish_producing(mutator);
    } else if (index % 2 == 0) {
      const int consumers = exchange.consumers();
      for (std::int64_t k = 0; k < params_.messages; ++k) {
        producer.send(static_cast<std::size_t>((index / 2 + k) % consumers));
      }
      producer.flush();
      exchange.finish_producing(mutator);
    } else {
      const std::size_t queue = static_cast<std::size_t>(index / 2);
      exchange.open_queue(mutator, queue);
      while (consumer.receive(queue)) {
      }
    }
    totals = exchange.finish(mutator, producer.tally(), consumer.tally());
  } catch (...) {
    exchange.fail(mutator);
    throw;
  }

  const auto& [produced, consumed] = totals;
  if (produced != consumed) {
    throw WorkloadCheckFailed("producer-consumer: produced " +
                              describe(produced) + " but consumed " +
                              describe(consumed));
  }
  WorkloadReport report;
  report.checks_passed = consumer.tally().messages + 1;
  report.checksum = finalise(consumed.digest + consumed.messages + 1);
  report.output = {
      "producer-consumer: " + std::to_string(exchange.producers()) +
          " producers, " + std::to_string(exchange.consumers()) +
          " queues of " + std::to_string(params_.capacity) + " slots",
      "produced " + describe(produced) + ", consumed each once, intact",
      "this mutator produced " + std::to_string(producer.tally().messages) +
          " and consumed " + std::to_string(consumer.tally().messages)};
  return report;
}

}  // namespace gclab
