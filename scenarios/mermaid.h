// (In scenarios/, not the kernel: it knows the domain's nodes.)
// A run's trace as a Mermaid sequence diagram (https://mermaid.js.org): every
// network call as an arrow (a lost request or reply as a cross), every fault,
// crash, restart and client outcome as a note, and the backends' commands as
// notes beside them. Renders on GitHub and in most Markdown viewers.
#pragma once

#include <string>
#include <vector>

#include "sim/trace.h"

namespace idemlab::scenarios {

// REQUIRES: records from a TraceLevel::kFull run.
std::string mermaid_sequence(const std::vector<sim::TraceRecord>& records);

}  // namespace idemlab::scenarios
