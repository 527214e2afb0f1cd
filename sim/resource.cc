#include "sim/resource.h"

#include "sim/state_writer.h"

#include <cassert>

namespace idemlab::sim {

void Resource::write_state(StateWriter& out) const {
  out.tag("resource");
  out.u64(in_use_);
  out.u64(waiting_);
  for (const AcquireAwaiter* a = head_; a != nullptr; a = a->next) {
    out.u64(a->waiter.process != nullptr ? a->waiter.process->position : 0);
  }
}

Resource::Resource(Simulator& sim, std::size_t capacity, std::size_t waiters_max)
    : sim_(sim), capacity_(capacity), waiters_max_(waiters_max) {
  assert(capacity > 0);
}

Resource::~Resource() { assert(head_ == nullptr && "resource destroyed with waiters"); }

bool AcquireAwaiter::await_ready() {
  Resource& r = resource;
  if (r.in_use_ < r.capacity_ && r.head_ == nullptr) {
    ++r.in_use_;
    granted = true;
    return true;
  }
  // A full queue refuses at once; so does a zero patience.
  return r.waiting_ >= r.waiters_max_ || patience == 0;
}

AcquireAwaiter::~AcquireAwaiter() {
  Simulator& sim = resource.sim_;
  sim.cancel(give_up);
  if (queued) resource.unlink(*this);
  // Granted, but destroyed before it could run: the slot was never used.
  if (granted && sim.pending(waiter.wake)) {
    sim.cancel_wake(waiter);
    resource.release();
  }
}

void AcquireAwaiter::expire(void* context, std::uint64_t) {
  auto* self = static_cast<AcquireAwaiter*>(context);
  self->give_up = {};
  assert(self->queued && !self->granted);
  self->resource.unlink(*self);
  self->waiter.sim->resume(self->waiter.process, self->waiter.handle);
}

void Resource::enqueue(AcquireAwaiter& a) {
  assert(!a.queued);
  a.queued = true;
  a.previous = tail_;
  a.next = nullptr;
  if (tail_) {
    tail_->next = &a;
  } else {
    head_ = &a;
  }
  tail_ = &a;
  ++waiting_;
}

void Resource::unlink(AcquireAwaiter& a) {
  assert(a.queued);
  if (a.previous) {
    a.previous->next = a.next;
  } else {
    head_ = a.next;
  }
  if (a.next) {
    a.next->previous = a.previous;
  } else {
    tail_ = a.previous;
  }
  a.queued = false;
  a.previous = a.next = nullptr;
  --waiting_;
}

void Resource::release() {
  assert(in_use_ > 0);
  if (head_ == nullptr) {
    --in_use_;
    return;
  }
  // The slot passes straight to the first waiter: it stays in use.
  AcquireAwaiter& first = *head_;
  unlink(first);
  sim_.cancel(first.give_up);
  first.give_up = {};
  first.granted = true;
  sim_.wake_at(first.waiter, sim_.now());
}

}  // namespace idemlab::sim
