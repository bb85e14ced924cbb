// producer-consumer: objects allocated on one thread die on another, handed
// over through bounded queues in the heap (docs/design.md#workloads).
//
// What it models: a pipeline stage, a message broker, a thread pool's work
// queue. The collector sees young objects whose only reference crosses
// threads (a queue slot written by one mutator and cleared by another), and
// a mutator that dies with none of the objects it allocated still live.
//
// Messages: a head (site producer-consumer.head) and 1..message-size nodes
// (producer-consumer.node) hung below it as a random binary tree, each new
// node attached to the first empty slot of a random walk from the head.
// Every object carries an id, a check word (the id hashed with the run's
// salt) and 0..payload further bytes drawn per object, filled with a
// pattern from its check word. The head also holds the node count and a
// digest of every edge (child id, parent id, slot, payload size), so that
// the consumer's check of the whole message catches a lost, moved,
// duplicated or overwritten node. Sizes and shapes come from the producer's
// seed.
//
// Roles: the run's mutator count comes from HeapOptions::mutators, and each
// mutator's role from Mutator::index (0..N-1, as run_mutator_threads numbers
// them): even indices produce, odd ones consume, so N >= 2 has
// ceil(N/2) producers and floor(N/2) consumers. Each consumer owns one queue,
// and producer p sends its k-th message to queue (p + k) mod consumers, so
// every queue hears from every producer. With one mutator the thread
// alternates producing a batch (capacity messages) into its one queue and
// consuming it, which makes the run deterministic for a seed. Exactly
// HeapOptions::mutators threads must run the workload: a producer whose
// consumer never comes waits on its full queue for ever.
//
// Queues: each is a ring, an array object of `capacity` reference slots held
// by a GlobalRoot, so queued messages are reachable, and every store into a
// slot (the producer's message, the consumer's null) passes the write
// barrier and the reference counts. Which slots are free, being filled, full
// or being emptied is C++ state under one mutex; heap slots are touched only
// outside it (see producer_consumer.cc for why that cannot deadlock with a
// collection). A mutator blocked on a full or empty queue waits parked.
//
// Termination: a consumer stops when every producer has finished and its
// queue is drained. Then every mutator waits (parked) for the others, and
// the last to arrive checks that as many messages were consumed as were
// produced, with the same order-independent digest; every report carries
// that digest as its checksum, the same for a seed with any N, since which
// producer builds what depends on the seed and index alone. A mutator that
// fails wakes the others, which end with RunAborted.
#ifndef GCLAB_WORKLOADS_PRODUCER_CONSUMER_H_
#define GCLAB_WORKLOADS_PRODUCER_CONSUMER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kProducerConsumerParams[] = {
    {"messages", ParamKind::kInt, "2000000", "messages each producer builds"},
    {"message-size", ParamKind::kInt, "8",
     "most nodes below a message's head (1..255); each message draws "
     "1..message-size"},
    {"payload", ParamKind::kInt, "32",
     "most payload bytes of an object beyond its id and check word; each "
     "object draws 0..payload"},
    {"capacity", ParamKind::kInt, "1024",
     "slots of each bounded queue; with one mutator also the batch produced "
     "before it is consumed"},
};

struct ProducerConsumerParams {
  std::int64_t messages = 2000000;
  std::int64_t message_size = 8;
  std::int64_t payload = 32;
  std::int64_t capacity = 1024;
};

// Reads the parameters and checks their ranges; throws ConfigError naming
// the first that is out of range.
ProducerConsumerParams producer_consumer_params(const ParamValues& values);

class ProducerConsumerWorkload final : public Workload {
 public:
  explicit ProducerConsumerWorkload(ProducerConsumerParams params);
  ~ProducerConsumerWorkload() override;
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

  // The queues and tallies of one run, shared by its mutators: made by the
  // first to arrive, dropped by the last to leave.
  class Exchange;

 private:
  class Membership;
  Exchange& join(Mutator& mutator, std::uint64_t seed);
  void leave(Mutator& mutator);

  const ProducerConsumerParams params_;
  std::mutex mutex_;  // guards the members below; taken only parked
  std::unique_ptr<Exchange> exchange_;
  int members_ = 0;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_PRODUCER_CONSUMER_H_
