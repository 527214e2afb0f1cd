#include "realmode/interrupt.h"

#include <atomic>
#include <csignal>

namespace idemlab::realmode {
namespace {

std::atomic<bool> requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt(int signal) {
  requested.store(true);
  std::signal(signal, SIG_DFL);  // a second one ends the process
}

}  // namespace

void catch_interrupts() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

bool interrupt_requested() { return requested.load(); }

}  // namespace idemlab::realmode
