// The future event list: a binary heap of (time, sequence) keys over a pool of
// event slots. Sequence numbers are handed out at scheduling time and never
// reused, so events at the same instant leave in the order they were scheduled
// (FIFO), whatever the heap does with equal keys. Cancelling frees the slot at
// once and leaves a stale heap entry behind, recognised by its sequence number
// and skipped when it surfaces; when stale entries outnumber live ones (most
// timeouts are cancelled long before they are due) the heap is rebuilt without
// them, which keeps it, and a world's memory, proportional to what is pending.
// Scheduling allocates nothing once the pool and the heap have grown to the
// run's high-water mark.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace idemlab::sim {

using EventFn = void (*)(void* context, std::uint64_t argument);

struct EventId {
  std::uint32_t slot = 0;
  std::uint64_t sequence = 0;  // 0: no event
  explicit operator bool() const { return sequence != 0; }
};

class EventQueue {
 public:
  // At most `capacity` events may be pending at once: a world that needs more
  // is a runaway, and scheduling past the limit fails an assertion.
  explicit EventQueue(std::size_t capacity);

  EventId schedule(Time at, EventFn fn, void* context, std::uint64_t argument);
  // True when the event was still pending. Cancelling a fired, cancelled or
  // empty id does nothing.
  bool cancel(EventId id);
  bool pending(EventId id) const;

  struct Entry {
    Time at;
    std::uint64_t sequence;
    std::uint32_t slot;
  };
  struct Callback {
    EventFn fn;
    void* context;
    std::uint64_t argument;
  };

  // Removes the earliest entry, live or stale. REQUIRES: !heap_empty().
  Entry pop_entry();
  // Earliest entry without removing it. REQUIRES: !heap_empty().
  const Entry& top_entry() const { return heap_.front(); }
  bool heap_empty() const { return heap_.empty(); }
  // Drops stale entries from the top so that top_entry() is live. False when
  // no live event remains.
  bool settle();
  // Frees the entry's slot and yields its callback; false if it was cancelled.
  bool take(const Entry& entry, Callback& out);

  // The live entries still in the heap, in no particular order (state
  // hashing sorts them), and the callback of a live slot.
  void live_entries(std::vector<Entry>& out) const;
  const Callback& callback(std::uint32_t slot) const { return slots_[slot].callback; }

  std::size_t live() const { return live_; }
  std::size_t heap_entries() const { return heap_.size(); }  // live and stale
  std::uint64_t scheduled_total() const { return next_sequence_ - 1; }

 private:
  struct Slot {
    std::uint64_t sequence = 0;  // of the event it holds; 0 when free
    Callback callback{};
  };

  void free_slot(std::uint32_t slot);
  void drop_stale_entries();

  std::size_t capacity_;
  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_sequence_ = 1;
  std::size_t live_ = 0;
  std::size_t stale_ = 0;  // cancelled entries still in the heap
};

}  // namespace idemlab::sim
