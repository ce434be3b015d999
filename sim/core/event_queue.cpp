#include "sim/core/event_queue.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace trainsim {
namespace {

// 4-ary heap rooted at index 0: fewer levels than a binary heap and the four
// children of a node share one or two cache lines.
constexpr std::size_t kArity = 4;
constexpr std::size_t parent_of(std::size_t i) { return (i - 1) / kArity; }
constexpr std::size_t first_child_of(std::size_t i) { return kArity * i + 1; }

}  // namespace

bool EventQueue::before(const Entry& a, const Entry& b) {
  if (a.time_ps != b.time_ps) return a.time_ps < b.time_ps;
  if (a.priority != b.priority) return a.priority < b.priority;
  return a.sequence < b.sequence;
}

EventHandle EventQueue::push(SimTime time, Priority priority, HandlerId handler, std::uint64_t arg) {
  const std::uint32_t slot = acquire_slot();
  Slot& s = slots_[slot];
  s.arg = arg;
  s.handler = handler;
  s.state = SlotState::kPending;
  const Entry entry{time.ps(), priority, slot, next_sequence_++};
  heap_.push_back(entry);
  sift_up(heap_.size() - 1, entry);
  ++live_;
  return EventHandle(slot, s.generation);
}

bool EventQueue::cancel(EventHandle handle) {
  if (!is_pending(handle)) return false;
  slots_[handle.slot_].state = SlotState::kCancelled;
  --live_;
  ++tombstones_;
  ++cancelled_;
  compact_if_sparse();
  return true;
}

bool EventQueue::is_pending(EventHandle handle) const {
  // Null handles have generation 0, which no slot ever carries.
  if (handle.slot_ >= slots_.size()) return false;
  const Slot& s = slots_[handle.slot_];
  return s.generation == handle.generation_ && s.state == SlotState::kPending;
}

std::optional<Event> EventQueue::pop() {
  discard_cancelled_top();
  if (heap_.empty()) return std::nullopt;
  const Entry top = heap_.front();
  const Slot& s = slots_[top.slot];
  const Event event{SimTime::from_ps(top.time_ps), top.priority, top.sequence, s.handler, s.arg};
  release_slot(top.slot);
  remove_top();
  --live_;
  ++popped_;
  compact_if_sparse();
  return event;
}

std::optional<SimTime> EventQueue::next_time() {
  discard_cancelled_top();
  if (heap_.empty()) return std::nullopt;
  return SimTime::from_ps(heap_.front().time_ps);
}

std::uint32_t EventQueue::acquire_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (slots_.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("EventQueue: more than 2^32-1 events pending at once");
  }
  // Every heap entry and every free-list item names a distinct slot, so with
  // this capacity neither push_back() in push()/release_slot() can allocate:
  // a bad_alloc can only come from here, before anything has changed.
  const std::size_t needed = slots_.size() + 1;
  if (heap_.capacity() < needed || free_slots_.capacity() < needed) {
    heap_.reserve(std::max(needed, 2 * heap_.capacity()));
    free_slots_.reserve(std::max(needed, 2 * free_slots_.capacity()));
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void EventQueue::release_slot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  s.state = SlotState::kFree;
  if (++s.generation == 0) s.generation = 1;  // 0 is reserved for null handles
  free_slots_.push_back(slot);
}

void EventQueue::remove_top() {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0, last);
}

void EventQueue::discard_cancelled_top() {
  if (tombstones_ == 0) return;
  while (!heap_.empty() && slots_[heap_.front().slot].state == SlotState::kCancelled) {
    release_slot(heap_.front().slot);
    --tombstones_;
    remove_top();
  }
}

// Keeps heap entries ≤ 2 × pending + 1. Amortised O(1) per cancellation: a
// rebuild costs O(live + tombstones) < O(2 × tombstones), and each tombstone is
// rebuilt away once.
void EventQueue::compact_if_sparse() {
  if (tombstones_ > live_) compact();
}

// Drops every tombstone and rebuilds the heap bottom-up (Floyd), O(n).
void EventQueue::compact() {
  std::size_t kept = 0;
  for (const Entry& e : heap_) {
    if (slots_[e.slot].state == SlotState::kCancelled) {
      release_slot(e.slot);
    } else {
      heap_[kept++] = e;
    }
  }
  heap_.resize(kept);
  tombstones_ = 0;
  if (kept < 2) return;
  for (std::size_t i = parent_of(kept - 1) + 1; i-- > 0;) sift_down(i, heap_[i]);
}

// Moves the hole at `hole` up until `entry` may sit there, then stores it.
void EventQueue::sift_up(std::size_t hole, Entry entry) {
  while (hole > 0) {
    const std::size_t parent = parent_of(hole);
    if (!before(entry, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

// Moves the hole at `hole` down until `entry` may sit there, then stores it.
void EventQueue::sift_down(std::size_t hole, Entry entry) {
  const std::size_t n = heap_.size();
  for (;;) {
    const std::size_t first = first_child_of(hole);
    if (first >= n) break;
    const std::size_t end = std::min(first + kArity, n);
    std::size_t best = first;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], entry)) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = entry;
}

std::string EventQueue::check_invariants() const {
  for (std::size_t i = 1; i < heap_.size(); ++i) {
    if (before(heap_[i], heap_[parent_of(i)])) {
      return "heap order broken at entry " + std::to_string(i);
    }
  }
  std::vector<bool> seen(slots_.size(), false);
  std::size_t pending = 0;
  std::size_t cancelled = 0;
  for (const Entry& e : heap_) {
    if (e.slot >= slots_.size() || seen[e.slot]) return "heap entry with a bad or shared slot";
    seen[e.slot] = true;
    const SlotState st = slots_[e.slot].state;
    if (st == SlotState::kFree) return "heap entry refers to a free slot";
    (st == SlotState::kPending ? pending : cancelled) += 1;
  }
  if (pending != live_) return "pending slots do not match the live count";
  if (cancelled != tombstones_) return "cancelled slots do not match the tombstone count";
  const std::size_t unused = slots_.size() - heap_.size();
  if (free_slots_.size() != unused) return "free list does not match the unused slots";
  if (next_sequence_ != popped_ + cancelled_ + live_) {
    return "pushed != popped + cancelled + pending";
  }
  return {};
}

}  // namespace trainsim
