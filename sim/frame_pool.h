// Coroutine frames from per-thread free lists. Every port call, every request
// and every wait is a Task whose frame the compiler heap-allocates; a full
// world makes about a hundred a run, many larger than malloc's per-thread
// cache serves, and malloc and free were a fifth of a run's time. Frames are
// rounded up to 64-byte classes and kept, once freed, for the next frame of
// the class on the same thread (worlds never move between threads).
//
// Under AddressSanitizer the pool is off, so that a use of a destroyed frame
// is still reported. Nothing simulated depends on addresses, so the pool
// changes no run.
#pragma once

#include <cstddef>

namespace idemlab::sim {

void* allocate_frame(std::size_t bytes);
void free_frame(void* frame, std::size_t bytes) noexcept;

}  // namespace idemlab::sim
