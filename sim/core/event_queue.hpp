// The pending-event set of the discrete-event core: a 4-ary min-heap of small
// fixed-size entries with cancellation by handle.
//
// Order. Events leave in increasing (time, priority, sequence): earlier time
// first, then the lower priority value, then the earlier insertion. The
// sequence number is assigned by push() and is unique, so the order is total
// and a run is bit-for-bit reproducible (docs/design.md §4).
//
// Payload. An event carries no closure and no void*: it names a handler by
// HandlerId (an index the owner of the queue resolves, e.g. Engine's handler
// table) and one 64-bit argument (an index into the handler's own state: a
// flow id, a task id, ...). That keeps an event to a few machine words.
//
// Cancellation (lazy deletion with generation counters). Each pending event
// owns a slot in a side table; its EventHandle is (slot, generation). cancel()
// marks the slot cancelled and leaves a tombstone in the heap; pop() and
// next_time() discard tombstones when they reach the top. A slot's generation
// is bumped whenever it is released (the event fired or its tombstone was
// discarded), so a handle to an event that has fired or been cancelled never
// matches again: cancel() on it returns false and cancels nothing. Whenever
// tombstones outnumber pending events the heap is rebuilt without them in
// O(n), so it never holds more than 2 × size() + 1 entries. Generations are
// 32-bit: a handle held across 2^32 reuses of its slot could alias a newer
// event; no caller keeps handles that long.
//
// Cost: push, pop and cancel are O(log n) amortised (cancel itself is O(1)).
// Not thread-safe.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/sim_time.hpp"

namespace trainsim {

// Tie-breaker between events at the same time: the lower value fires first.
using Priority = std::int32_t;
inline constexpr Priority kDefaultPriority = 0;

// Names the code that handles an event; issued by Engine::add_handler().
struct HandlerId {
  std::uint32_t value = 0;
  constexpr auto operator<=>(const HandlerId&) const = default;
};

// Refers to one scheduled event. A default-constructed handle refers to none.
class EventHandle {
 public:
  constexpr EventHandle() = default;
  // True only for a default-constructed handle; says nothing about whether the
  // event is still pending (ask EventQueue::is_pending / Engine::is_pending).
  constexpr bool is_null() const { return generation_ == 0; }
  constexpr bool operator==(const EventHandle&) const = default;

 private:
  friend class EventQueue;
  constexpr EventHandle(std::uint32_t slot, std::uint32_t generation) : slot_(slot), generation_(generation) {}

  std::uint32_t slot_ = 0;
  std::uint32_t generation_ = 0;  // 0 = null; slots use generations ≥ 1
};

// An event as it leaves the queue.
struct Event {
  SimTime time;
  Priority priority = kDefaultPriority;
  std::uint64_t sequence = 0;  // insertion order within this queue, from 0
  HandlerId handler;
  std::uint64_t arg = 0;
};

class EventQueue {
 public:
  // Adds an event and returns its handle. Any time is accepted: checking it
  // against the clock is the engine's job. Strong guarantee: throws
  // std::length_error past 2^32-1 heap entries, or std::bad_alloc, and then
  // changes nothing; no other member function allocates.
  EventHandle push(SimTime time, Priority priority, HandlerId handler, std::uint64_t arg);

  // Cancels a pending event: true if it was pending and now never leaves the
  // queue; false (and no effect) for a null handle, an event already popped,
  // or an event already cancelled. Handles must come from this queue: one from
  // another queue is not detected and may cancel an unrelated event.
  bool cancel(EventHandle handle);

  // True while the event is in the queue, neither popped nor cancelled.
  bool is_pending(EventHandle handle) const;

  // Removes and returns the earliest pending event; nullopt when none is left.
  std::optional<Event> pop();

  // Time of the earliest pending event, without removing it; nullopt if none.
  // Not const: it discards cancelled tombstones from the top of the heap.
  std::optional<SimTime> next_time();

  // Pending events (tombstones excluded).
  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Lifetime counters; pushed() == popped() + cancelled() + size() always.
  std::uint64_t pushed() const { return next_sequence_; }
  std::uint64_t popped() const { return popped_; }
  std::uint64_t cancelled() const { return cancelled_; }

  // Heap entries including tombstones (≥ size()); for tests and diagnostics.
  std::size_t heap_entries() const { return heap_.size(); }

  // O(n) self-check of the heap order, the slot table and the counters, for
  // tests. Returns an empty string when sound, else what is wrong.
  std::string check_invariants() const;

 private:
  // 24 bytes: the ordering key plus the slot that holds the payload.
  struct Entry {
    std::int64_t time_ps;
    Priority priority;
    std::uint32_t slot;
    std::uint64_t sequence;
  };
  enum class SlotState : std::uint8_t { kFree, kPending, kCancelled };
  struct Slot {
    std::uint64_t arg = 0;
    HandlerId handler;
    std::uint32_t generation = 1;
    SlotState state = SlotState::kFree;
  };

  static bool before(const Entry& a, const Entry& b);
  std::uint32_t acquire_slot();
  void release_slot(std::uint32_t slot);
  void remove_top();
  void discard_cancelled_top();
  void compact_if_sparse();
  void compact();
  void sift_up(std::size_t hole, Entry entry);
  void sift_down(std::size_t hole, Entry entry);

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_ = 0;
  std::size_t tombstones_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t popped_ = 0;
  std::uint64_t cancelled_ = 0;
};

}  // namespace trainsim
