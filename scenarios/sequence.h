// (In scenarios/, not the kernel: it knows the domain's nodes.)
// A run's trace as a sequence diagram: who stands where (clients left,
// backends right), then each network call as an arrow, a lost request or
// reply as a cross, every fault, crash, restart and client outcome as a
// note over its node, and the backends' commands as notes beside them.
// Both drawings are made from this one form: Mermaid text (`idemlab run
// --mermaid`, https://mermaid.js.org, which renders on GitHub) and the
// SVG that `idemlab plot` draws itself for the report (plots/sequence_svg.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace.h"

namespace idemlab::scenarios {

struct SequenceStep {
  enum class Kind : std::uint8_t {
    kCall,         // from -> to
    kReply,        // from -> to, dashed
    kLostReply,    // from -x to: the reply never arrived
    kLostRequest,  // from -x to: the request never arrived
    kOutcome,      // over `from`: what a client saw (invoke, ok, fail, unknown, give_up)
    kEvent,        // over `from`: a fault, crash, restart, failover, timeout or refusal
    kCommand,      // beside `from`: what a backend did
  };
  Kind kind = Kind::kCall;
  sim::Time at = 0;  // when it happened, in the run's simulated time
  std::string from;
  std::string to;  // calls, replies and losses only
  std::string text;  // without the time (Mermaid's notes of events show it)
};

struct SequenceDiagram {
  std::vector<std::string> participants;  // node names, in column order
  std::vector<SequenceStep> steps;
  std::size_t steps_left_out = 0;  // cut from the end of a long run's diagram
};

// REQUIRES: records from a TraceLevel::kFull run.
SequenceDiagram sequence_of(const std::vector<sim::TraceRecord>& records);

// A diagram a reader can follow keeps at most this many steps: a long
// run's is cut at the end (steps_left_out says how many went).
inline constexpr std::size_t kSequenceStepsMax = 1500;
void cut_to_readable(SequenceDiagram& diagram);

// "call", "reply", "lost_reply", "lost_request", "outcome", "event", "command".
const char* step_kind_name(SequenceStep::Kind kind);
// False if `name` is none of those.
bool parse_step_kind(const std::string& name, SequenceStep::Kind& kind);

// Mermaid's sequenceDiagram text of `diagram`.
std::string mermaid_text(const SequenceDiagram& diagram);

inline std::string mermaid_sequence(const std::vector<sim::TraceRecord>& records) {
  return mermaid_text(sequence_of(records));
}

}  // namespace idemlab::scenarios
