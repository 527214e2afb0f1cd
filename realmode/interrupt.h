// Ctrl-C (SIGINT) or SIGTERM during a real-mode command (or a sweep, which
// stops between chunks and writes partial results): the running loop
// stops between events and throws Interrupted, so that the destructors end
// the run's processes and remove what it made on the servers, as on any
// other failure. A second signal kills at once (the default action again).
#pragma once

#include <stdexcept>

namespace idemlab::realmode {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted: what the run made on the servers was removed") {}
};

// Installs the handlers (idempotent). The command line does, for real mode.
void catch_interrupts();
// Whether a signal came since. Async-signal-safe to set, cheap to read.
bool interrupt_requested();

}  // namespace idemlab::realmode
