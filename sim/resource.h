// A counting resource with a FIFO queue of waiters: worker slots of a service,
// connections of a pool. acquire() may give up after a patience; the queue of
// waiters is bounded, and a full queue refuses at once (load shedding).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/state_writer.h"
#include "sim/simulator.h"

namespace idemlab::sim {

class Resource;

// Resumes with true when a slot was granted. A granted slot is released with
// Resource::release() or by a SlotGuard; if the waiting coroutine is destroyed
// after the grant but before it ran, the slot goes back by itself.
struct AcquireAwaiter {
  Resource& resource;
  Duration patience;  // kTimeNever: wait as long as it takes
  Waiter waiter;
  EventId give_up;
  bool granted = false;
  bool queued = false;
  AcquireAwaiter* previous = nullptr;
  AcquireAwaiter* next = nullptr;

  AcquireAwaiter(Resource& r, Duration p) : resource(r), patience(p) {}
  AcquireAwaiter(const AcquireAwaiter&) = delete;
  ~AcquireAwaiter();
  bool await_ready();
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h);
  bool await_resume() const noexcept { return granted; }

  static void expire(void* context, std::uint64_t);
};

class Resource {
 public:
  Resource(Simulator& sim, std::size_t capacity, std::size_t waiters_max);
  Resource(const Resource&) = delete;
  Resource& operator=(const Resource&) = delete;
  ~Resource();

  AcquireAwaiter acquire(Duration patience = kTimeNever) { return AcquireAwaiter(*this, patience); }
  // Hands the slot to the first waiter, or frees it. REQUIRES: a slot held.
  void release();

  std::size_t capacity() const { return capacity_; }
  std::size_t in_use() const { return in_use_; }
  std::size_t waiting() const { return waiting_; }
  // Slots in use, and the waiters' positions in queue order.
  void write_state(StateWriter& out) const;

 private:
  friend struct AcquireAwaiter;
  void enqueue(AcquireAwaiter& a);
  void unlink(AcquireAwaiter& a);

  Simulator& sim_;
  std::size_t capacity_;
  std::size_t waiters_max_;
  std::size_t in_use_ = 0;
  std::size_t waiting_ = 0;
  AcquireAwaiter* head_ = nullptr;
  AcquireAwaiter* tail_ = nullptr;
};

// Releases a held slot when it goes out of scope, including when the frame
// holding it is destroyed by a crash or a timeout.
class SlotGuard {
 public:
  explicit SlotGuard(Resource& resource) : resource_(&resource) {}
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;
  ~SlotGuard() {
    if (resource_) resource_->release();
  }

 private:
  Resource* resource_;
};

template <class Promise>
void AcquireAwaiter::await_suspend(std::coroutine_handle<Promise> h) {
  waiter.bind(resource.sim_, h);
  resource.enqueue(*this);
  if (patience != kTimeNever) {
    give_up = resource.sim_.schedule(resource.sim_.now() + patience, &AcquireAwaiter::expire, this);
  }
}

}  // namespace idemlab::sim
