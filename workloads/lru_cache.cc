#include "workloads/lru_cache.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <list>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

// The list links are the same two slots in the cache object (the list's
// sentinel) and in every entry.
constexpr std::size_t kPrev = 0;
constexpr std::size_t kNext = 1;
constexpr std::size_t kTable = 2;  // the cache object's third slot
constexpr std::size_t kChain = 2;  // an entry's: the next in its bucket
constexpr std::size_t kValue = 3;
constexpr std::uint16_t kCacheSlots = 3;
constexpr std::uint16_t kEntrySlots = 4;
// Payload words. An entry: key, id, check word. A value object: id, check
// word, and in the chain's head the chain's length; pattern words follow.
constexpr std::size_t kKeyWord = 0;
constexpr std::size_t kEntryIdWord = 1;
constexpr std::size_t kEntryCheckWord = 2;
constexpr std::size_t kIdWord = 0;
constexpr std::size_t kCheckWord = 1;
constexpr std::size_t kLengthWord = 2;
constexpr std::size_t kHeadStampWords = 3;
constexpr std::size_t kNodeStampWords = 2;
// A value object's id is its entry's id above its index in the chain.
constexpr int kIndexBits = 8;
constexpr std::int64_t kMaxValueSize = (1 << kIndexBits) - 1;
constexpr std::int64_t kMaxCapacity = std::int64_t{1} << 20;
constexpr std::size_t kMaxBuckets = 32768;  // a table fits kMaxRefs
constexpr std::int64_t kMaxPayloadBytes = 1 << 16;

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
    throw ConfigError("lru-cache: " + std::string(name) + " is " +
                      std::to_string(value) + ", expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
}

std::uint64_t value_object_id(std::uint64_t entry_id, std::uint64_t index) {
  return (entry_id << kIndexBits) | index;
}

[[noreturn]] void broken(const std::string& what) {
  throw WorkloadCheckFailed("lru-cache: " + what);
}

// What the cache's objects look like, and the checks they pass.
class CacheFormat {
 public:
  CacheFormat(Heap& heap, std::uint64_t salt)
      : cache_site_(heap.register_site("lru-cache.cache")),
        table_site_(heap.register_site("lru-cache.table")),
        entry_site_(heap.register_site("lru-cache.entry")),
        value_site_(heap.register_site("lru-cache.value")),
        salt_(salt) {}

  ObjectShape cache() const {
    return {.site = cache_site_, .num_refs = kCacheSlots};
  }
  ObjectShape table(std::size_t buckets) const {
    return {.site = table_site_,
            .num_refs = static_cast<std::uint16_t>(buckets)};
  }
  ObjectShape entry() const {
    return {.site = entry_site_,
            .num_refs = kEntrySlots,
            .payload_bytes = 3 * sizeof(std::uint64_t)};
  }
  ObjectShape value(bool head, std::uint32_t extra_bytes) const {
    std::size_t words = head ? kHeadStampWords : kNodeStampWords;
    return {.site = value_site_,
            .num_refs = 1,
            .payload_bytes = static_cast<std::uint32_t>(
                words * sizeof(std::uint64_t) + extra_bytes)};
  }

  void stamp_entry(Object* entry, std::uint64_t key, std::uint64_t id) const {
    auto* words = entry->payload_as<std::uint64_t>();
    words[kKeyWord] = key;
    words[kEntryIdWord] = id;
    words[kEntryCheckWord] = entry_check(key, id);
  }
  // A value object's id, check word and pattern; a head's length too.
  void stamp_value(Object* object, std::uint64_t id,
                   std::optional<std::uint64_t> length) const {
    auto* words = object->payload_as<std::uint64_t>();
    std::uint64_t check = finalise(id ^ salt_);
    words[kIdWord] = id;
    words[kCheckWord] = check;
    if (length) words[kLengthWord] = *length;
    std::size_t from = length ? kHeadStampWords : kNodeStampWords;
    for (std::size_t i = from; i < payload_words(object); ++i) {
      words[i] = pattern_word(check, i);
    }
  }

  static std::uint64_t key(Object* entry) {
    return entry->payload_as<std::uint64_t>()[kKeyWord];
  }
  static std::uint64_t id(Object* entry) {
    return entry->payload_as<std::uint64_t>()[kEntryIdWord];
  }

  // `object`, after checking that it is the cache object.
  Object* checked_cache(Object* object) const {
    if (object == nullptr || object->kind() != BlockKind::kObject ||
        object->site() != cache_site_ || object->num_refs() != kCacheSlots) {
      broken("the cache object (held in a Root) is no longer one");
    }
    return object;
  }
  // `object`, after checking that it is an intact entry; `where` names
  // the slot it was read from.
  Object* checked_entry(Object* object, const std::string& where) const {
    if (object == nullptr || object->kind() != BlockKind::kObject ||
        object->site() != entry_site_ || object->num_refs() != kEntrySlots ||
        object->payload_bytes() < entry().payload_bytes) {
      broken(where + " is not an entry");
    }
    const auto* words = object->payload_as<std::uint64_t>();
    if (words[kEntryCheckWord] !=
        entry_check(words[kKeyWord], words[kEntryIdWord])) {
      broken(where + " is an entry whose check word does not match key " +
             std::to_string(words[kKeyWord]) + " and id " +
             std::to_string(words[kEntryIdWord]));
    }
    return object;
  }
  // Checks the value chain from `head`: `length` objects, the id of entry
  // `entry_id` in each, stamps and patterns intact.
  void check_value(Mutator& mutator, Object* head, std::uint64_t entry_id,
                   std::uint64_t length) const {
    Object* object = head;
    for (std::uint64_t index = 0; index < length; ++index) {
      std::string what = "object " + std::to_string(index) +
                         " of the value of entry " + std::to_string(entry_id);
      std::uint64_t id = value_object_id(entry_id, index);
      std::size_t stamp = index == 0 ? kHeadStampWords : kNodeStampWords;
      if (object == nullptr || object->kind() != BlockKind::kObject ||
          object->site() != value_site_ || object->num_refs() != 1 ||
          payload_words(object) < stamp) {
        broken(what + " is missing or not a value object");
      }
      const auto* words = object->payload_as<std::uint64_t>();
      std::uint64_t check = finalise(id ^ salt_);
      if (words[kIdWord] != id || words[kCheckWord] != check) {
        broken(what + " holds id " + std::to_string(words[kIdWord]) +
               " and check word " + std::to_string(words[kCheckWord]) +
               ", expected " + std::to_string(id) + " and " +
               std::to_string(check));
      }
      if (index == 0 && words[kLengthWord] != length) {
        broken(what + " says the chain has " +
               std::to_string(words[kLengthWord]) + " objects, expected " +
               std::to_string(length));
      }
      for (std::size_t i = stamp; i < payload_words(object); ++i) {
        if (words[i] != pattern_word(check, i)) {
          broken(what + " has payload word " + std::to_string(i) +
                 " overwritten");
        }
      }
      object = mutator.read(object, 0);
    }
    if (object != nullptr) {
      broken("the value of entry " + std::to_string(entry_id) +
             " is longer than its " + std::to_string(length) + " objects");
    }
  }

 private:
  static std::size_t payload_words(Object* object) {
    return object->payload_bytes() / sizeof(std::uint64_t);
  }
  std::uint64_t entry_check(std::uint64_t key, std::uint64_t id) const {
    return finalise(finalise(id ^ salt_) ^ key);
  }
  static std::uint64_t pattern_word(std::uint64_t check, std::size_t i) {
    return check ^ (i * 0x9e3779b97f4a7c15ULL);
  }

  const std::uint16_t cache_site_;
  const std::uint16_t table_site_;
  const std::uint16_t entry_site_;
  const std::uint16_t value_site_;
  const std::uint64_t salt_;
};

// The cache in the heap, on one mutator. Raw Object* it returns are valid
// until the mutator's next allocation or safepoint poll.
class HeapCache {
 public:
  HeapCache(Mutator& mutator, const CacheFormat& format, std::size_t buckets)
      : mutator_(mutator),
        format_(format),
        buckets_(buckets),
        cache_(mutator, mutator.allocate(format.cache())) {
    Object* table = mutator.allocate(format.table(buckets));
    Object* cache = cache_.get();
    mutator.write(cache, kTable, table);
    mutator.write(cache, kPrev, cache);
    mutator.write(cache, kNext, cache);
  }

  // The entry for `key`, checked, or null.
  Object* find(std::uint64_t key, std::size_t size) {
    std::size_t bucket = bucket_of(key);
    Object* entry = mutator_.read(table(), bucket);
    for (std::size_t steps = 0; entry != nullptr; ++steps) {
      if (steps > size) {
        broken("bucket " + std::to_string(bucket) + " chains more than the " +
               std::to_string(size) + " entries cached");
      }
      format_.checked_entry(entry,
                            "an entry of bucket " + std::to_string(bucket));
      if (CacheFormat::key(entry) == key) return entry;
      entry = mutator_.read(entry, kChain);
    }
    return nullptr;
  }

  // The value of `entry`, after a hit: moves it to the front of the list.
  Object* touch(Object* entry) {
    Object* cache = this->cache();
    if (mutator_.read(cache, kNext) != entry) {
      unlink(entry);
      link_front(entry);
    }
    return mutator_.read(entry, kValue);
  }

  // A new value chain of `length` objects for entry `id`, each with
  // `extra_bytes()` bytes beyond its stamp.
  template <typename ExtraBytes>
  Object* new_value(std::uint64_t id, std::uint64_t length,
                    ExtraBytes&& extra_bytes) {
    Root head(mutator_,
              mutator_.allocate(format_.value(/*head=*/true, extra_bytes())));
    format_.stamp_value(head.get(), value_object_id(id, 0), length);
    Root tail(mutator_, head.get());
    for (std::uint64_t index = 1; index < length; ++index) {
      Object* object =
          mutator_.allocate(format_.value(/*head=*/false, extra_bytes()));
      format_.stamp_value(object, value_object_id(id, index), std::nullopt);
      mutator_.write(tail.get(), 0, object);
      tail = object;
    }
    return head.get();
  }

  // A new entry for `key` holding `value`, not yet linked.
  Object* new_entry(std::uint64_t key, std::uint64_t id, Object* value) {
    Root held(mutator_, value);
    Object* entry = mutator_.allocate(format_.entry());
    format_.stamp_entry(entry, key, id);
    mutator_.write(entry, kValue, held.get());
    return entry;
  }

  // Links a new entry into its bucket and at the front of the list.
  void insert(Object* entry) {
    std::size_t bucket = bucket_of(CacheFormat::key(entry));
    Object* table = this->table();
    mutator_.write(entry, kChain, mutator_.read(table, bucket));
    mutator_.write(table, bucket, entry);
    link_front(entry);
  }

  // Unlinks the least recently used entry from the list and its bucket and
  // clears its links; returns it (garbage once the caller lets go).
  Object* evict(std::size_t size) {
    Object* victim =
        format_.checked_entry(mutator_.read(cache(), kPrev), "the LRU entry");
    unlink(victim);
    std::size_t bucket = bucket_of(CacheFormat::key(victim));
    Object* owner = table();
    std::size_t slot = bucket;
    for (std::size_t steps = 0;; ++steps) {
      Object* entry = mutator_.read(owner, slot);
      if (entry == nullptr || steps > size) {
        broken("the LRU entry (key " +
               std::to_string(CacheFormat::key(victim)) +
               ") is not in its bucket " + std::to_string(bucket));
      }
      if (entry == victim) break;
      owner = entry;
      slot = kChain;
    }
    mutator_.write(owner, slot, mutator_.read(victim, kChain));
    mutator_.write(victim, kChain, nullptr);
    return victim;
  }

  // Calls visit(entry) for each entry front to back, checking that every
  // next link is answered by a prev link; returns how many.
  template <typename Visit>
  std::size_t for_each_in_order(std::size_t size, Visit&& visit) {
    Object* cache = this->cache();
    Object* previous = cache;
    std::size_t count = 0;
    for (Object* entry = mutator_.read(cache, kNext); entry != cache;
         entry = mutator_.read(entry, kNext)) {
      std::string where = "list entry " + std::to_string(count);
      format_.checked_entry(entry, where);
      if (mutator_.read(entry, kPrev) != previous) {
        broken(where + "'s prev link is not the entry before it");
      }
      if (++count > size) {
        broken("the list holds more than its " + std::to_string(size) +
               " entries");
      }
      visit(entry);
      previous = entry;
    }
    if (mutator_.read(cache, kPrev) != previous) {
      broken("the list's tail is not its last entry");
    }
    return count;
  }

 private:
  Object* cache() { return format_.checked_cache(cache_.get()); }
  Object* table() { return mutator_.read(cache(), kTable); }
  std::size_t bucket_of(std::uint64_t key) const {
    return static_cast<std::size_t>(key & (buckets_ - 1));
  }

  void unlink(Object* entry) {
    Object* prev = mutator_.read(entry, kPrev);
    Object* next = mutator_.read(entry, kNext);
    mutator_.write(prev, kNext, next);
    mutator_.write(next, kPrev, prev);
    mutator_.write(entry, kPrev, nullptr);
    mutator_.write(entry, kNext, nullptr);
  }

  void link_front(Object* entry) {
    Object* cache = this->cache();
    Object* first = mutator_.read(cache, kNext);
    mutator_.write(entry, kPrev, cache);
    mutator_.write(entry, kNext, first);
    mutator_.write(first, kPrev, entry);
    mutator_.write(cache, kNext, entry);
  }

  Mutator& mutator_;
  const CacheFormat& format_;
  const std::size_t buckets_;
  Root cache_;
};

// What the cache must hold: keys, ids, value lengths and recency, never an
// Object*. Keys are also kept in a vector, to draw a cached one uniformly.
class CacheMirror {
 public:
  struct Entry {
    std::uint64_t id;
    std::uint64_t length;
    std::list<std::uint64_t>::iterator recency;
    std::size_t index;  // in keys_
  };

  const Entry* find(std::uint64_t key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::size_t size() const { return keys_.size(); }
  std::uint64_t key_at(std::size_t index) const { return keys_[index]; }
  std::uint64_t least_recent() const { return recency_.back(); }
  const std::list<std::uint64_t>& recency() const { return recency_; }

  void insert(std::uint64_t key, std::uint64_t id, std::uint64_t length) {
    recency_.push_front(key);
    entries_[key] = {.id = id,
                     .length = length,
                     .recency = recency_.begin(),
                     .index = keys_.size()};
    keys_.push_back(key);
  }
  void touch(std::uint64_t key) {
    recency_.splice(recency_.begin(), recency_, entries_.at(key).recency);
  }
  void erase(std::uint64_t key) {
    Entry entry = entries_.at(key);
    recency_.erase(entry.recency);
    std::uint64_t moved = keys_.back();
    keys_[entry.index] = moved;
    entries_.at(moved).index = entry.index;
    keys_.pop_back();
    entries_.erase(key);
  }

 private:
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::list<std::uint64_t> recency_;  // most recent first
  std::vector<std::uint64_t> keys_;
};

// One instance's run: its random stream, its cache and its mirror.
class CacheRun {
 public:
  CacheRun(Mutator& mutator, const LruCacheParams& params, std::uint64_t seed)
      : mutator_(mutator),
        params_(params),
        random_(seed),
        format_(mutator.heap(), random_()),
        key_salt_(random_()),
        cache_(mutator, format_, buckets(params.capacity)) {}

  // Fills the cache, then serves the requests.
  void serve() {
    for (std::int64_t i = 0; i < params_.capacity; ++i) miss();
    for (std::int64_t i = 0; i < params_.requests; ++i) {
      double draw = static_cast<double>(random_() >> 11) * 0x1.0p-53;
      if (draw < params_.hit_rate) {
        hit(mirror_.key_at(random_() % mirror_.size()));
      } else {
        miss();
      }
    }
  }

  // Walks the whole list against the mirror's recency order.
  void check_all() {
    auto expected = mirror_.recency().begin();
    std::size_t count =
        cache_.for_each_in_order(mirror_.size(), [&](Object* entry) {
          std::uint64_t key = CacheFormat::key(entry);
          if (key != *expected) {
            broken("the list holds key " + std::to_string(key) +
                   " where the mirror has " + std::to_string(*expected));
          }
          const CacheMirror::Entry& known = *mirror_.find(key);
          check_entry(entry, key, known);
          ++expected;
        });
    if (count != mirror_.size()) {
      broken("the list holds " + std::to_string(count) + " entries, expected " +
             std::to_string(mirror_.size()));
    }
    ++checks_;
  }

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }
  std::uint64_t evictions() const { return evictions_; }
  std::uint64_t checks() const { return checks_; }
  std::uint64_t digest() const { return digest_; }

 private:
  static std::size_t buckets(std::int64_t capacity) {
    return std::min(std::bit_ceil(static_cast<std::size_t>(capacity)),
                    kMaxBuckets);
  }

  void fold(std::uint64_t word) { digest_ = finalise(digest_ + word); }

  void check_entry(Object* entry, std::uint64_t key,
                   const CacheMirror::Entry& known) {
    if (CacheFormat::id(entry) != known.id) {
      broken("the entry for key " + std::to_string(key) + " has id " +
             std::to_string(CacheFormat::id(entry)) + ", expected " +
             std::to_string(known.id));
    }
    format_.check_value(mutator_, mutator_.read(entry, kValue), known.id,
                        known.length);
  }

  void hit(std::uint64_t key) {
    const CacheMirror::Entry& known = *mirror_.find(key);
    Object* entry = cache_.find(key, mirror_.size());
    if (entry == nullptr) {
      broken("key " + std::to_string(key) + " (id " + std::to_string(known.id) +
             ") is cached but not found");
    }
    check_entry(entry, key, known);
    cache_.touch(entry);
    mirror_.touch(key);
    fold(known.id);
    ++hits_;
    ++checks_;
    // Hits allocate nothing: poll, so a stop need not wait for a miss.
    mutator_.safepoint();
  }

  void miss() {
    const std::uint64_t key = finalise(++keys_drawn_ ^ key_salt_);
    if (cache_.find(key, mirror_.size()) != nullptr) {
      broken("fresh key " + std::to_string(key) + " is found in the cache");
    }
    const std::uint64_t id = ++next_id_;
    const std::uint64_t length =
        1 + random_() % static_cast<std::uint64_t>(params_.value_size);
    auto extra_bytes = [this] {
      return static_cast<std::uint32_t>(
          random_() % static_cast<std::uint64_t>(params_.payload + 1));
    };
    Root entry(
        mutator_,
        cache_.new_entry(key, id, cache_.new_value(id, length, extra_bytes)));
    if (mirror_.size() == static_cast<std::size_t>(params_.capacity)) {
      Object* victim = cache_.evict(mirror_.size());
      std::uint64_t victim_key = CacheFormat::key(victim);
      if (victim_key != mirror_.least_recent()) {
        broken("evicted key " + std::to_string(victim_key) +
               ", but the least recently used is " +
               std::to_string(mirror_.least_recent()));
      }
      check_entry(victim, victim_key, *mirror_.find(victim_key));
      mirror_.erase(victim_key);
      fold(~victim_key);
      ++evictions_;
    }
    cache_.insert(entry.get());
    mirror_.insert(key, id, length);
    fold(key);
    ++misses_;
  }

  Mutator& mutator_;
  const LruCacheParams& params_;
  std::mt19937_64 random_;
  const CacheFormat format_;
  const std::uint64_t key_salt_;
  HeapCache cache_;
  CacheMirror mirror_;
  std::uint64_t keys_drawn_ = 0;
  std::uint64_t next_id_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t checks_ = 0;
  std::uint64_t digest_ = 0;
};

std::string fixed(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

}  // namespace

LruCacheParams lru_cache_params(const ParamValues& values) {
  LruCacheParams params{.requests = values.get_int("requests"),
                        .capacity = values.get_int("capacity"),
                        .hit_rate = values.get_double("hit-rate"),
                        .value_size = values.get_int("value-size"),
                        .payload = values.get_int("payload")};
  require_range("requests", params.requests, 0, std::int64_t{1} << 40);
  require_range("capacity", params.capacity, 1, kMaxCapacity);
  require_range("value-size", params.value_size, 1, kMaxValueSize);
  require_range("payload", params.payload, 0, kMaxPayloadBytes);
  if (!(params.hit_rate >= 0 && params.hit_rate <= 1)) {
    throw ConfigError("lru-cache: hit-rate is " +
                      std::to_string(params.hit_rate) + ", expected 0..1");
  }
  return params;
}

LruCacheWorkload::LruCacheWorkload(LruCacheParams params) : params_(params) {}

std::unique_ptr<Workload> LruCacheWorkload::make(const ParamValues& params) {
  return std::make_unique<LruCacheWorkload>(lru_cache_params(params));
}

WorkloadReport LruCacheWorkload::run(Mutator& mutator, std::uint64_t seed) {
  CacheRun cache(mutator, params_, seed);
  cache.serve();
  cache.check_all();

  const std::uint64_t requests = static_cast<std::uint64_t>(params_.requests);
  const double measured = requests == 0 ? 0.0
                                        : static_cast<double>(cache.hits()) /
                                              static_cast<double>(requests);
  WorkloadReport report;
  report.checks_passed = cache.checks();
  report.checksum = finalise(cache.digest() ^ cache.hits());
  report.output = {
      "lru-cache: " + std::to_string(params_.capacity) + " entries, " +
          std::to_string(params_.requests) + " requests after filling",
      "hit rate " + fixed(measured) + " measured, " + fixed(params_.hit_rate) +
          " asked",
      std::to_string(cache.hits()) + " hits, " +
          std::to_string(cache.misses() -
                         static_cast<std::uint64_t>(params_.capacity)) +
          " misses, " + std::to_string(cache.evictions()) +
          " evictions; every hit and " + "the final list intact"};
  return report;
}

}  // namespace gclab
