#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>

namespace idemlab::sim {
namespace {

// std heap algorithms build a max-heap: "later" sorts below.
bool later(const EventQueue::Entry& a, const EventQueue::Entry& b) {
  if (a.at != b.at) return a.at > b.at;
  return a.sequence > b.sequence;
}

}  // namespace

EventQueue::EventQueue(std::size_t capacity) : capacity_(capacity) {
  assert(capacity > 0);
  assert(capacity < UINT32_MAX);
}

EventId EventQueue::schedule(Time at, EventFn fn, void* context, std::uint64_t argument) {
  assert(fn != nullptr);
  assert(at >= 0);
  assert(live_ < capacity_ && "event queue full: raise WorldLimits::pending_events_max or find the runaway");
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  const std::uint64_t sequence = next_sequence_++;
  slots_[slot] = Slot{sequence, Callback{fn, context, argument}};
  heap_.push_back(Entry{at, sequence, slot});
  std::push_heap(heap_.begin(), heap_.end(), later);
  ++live_;
  return EventId{slot, sequence};
}

void EventQueue::live_entries(std::vector<Entry>& out) const {
  for (const Entry& e : heap_) {
    if (slots_[e.slot].sequence == e.sequence) out.push_back(e);
  }
}

bool EventQueue::pending(EventId id) const {
  return id.sequence != 0 && id.slot < slots_.size() && slots_[id.slot].sequence == id.sequence;
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  free_slot(id.slot);
  ++stale_;
  if (stale_ > 64 && stale_ > live_) drop_stale_entries();
  return true;
}

void EventQueue::drop_stale_entries() {
  // Pop order depends only on (time, sequence), so rebuilding the heap
  // changes nothing a run can observe.
  heap_.erase(std::remove_if(heap_.begin(), heap_.end(),
                             [&](const Entry& e) { return slots_[e.slot].sequence != e.sequence; }),
              heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), later);
  stale_ = 0;
}

void EventQueue::free_slot(std::uint32_t slot) {
  assert(slots_[slot].sequence != 0);
  slots_[slot].sequence = 0;
  free_slots_.push_back(slot);
  assert(live_ > 0);
  --live_;
}

EventQueue::Entry EventQueue::pop_entry() {
  assert(!heap_.empty());
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Entry entry = heap_.back();
  heap_.pop_back();
  if (slots_[entry.slot].sequence != entry.sequence) {
    assert(stale_ > 0);
    --stale_;
  }
  return entry;
}

bool EventQueue::settle() {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    if (slots_[top.slot].sequence == top.sequence) return true;
    pop_entry();
  }
  return false;
}

bool EventQueue::take(const Entry& entry, Callback& out) {
  Slot& slot = slots_[entry.slot];
  if (slot.sequence != entry.sequence) return false;
  out = slot.callback;
  free_slot(entry.slot);
  return true;
}

}  // namespace idemlab::sim
