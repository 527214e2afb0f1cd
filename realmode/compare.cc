#include "realmode/compare.h"

namespace idemlab::realmode {

std::string invariants_text(const std::set<std::string>& set) {
  std::string out;
  for (const std::string& s : set) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out.empty() ? "none" : out;
}

std::set<std::string> violated_invariants(const scenarios::RunReport& report) {
  std::set<std::string> out;
  for (const checks::Violation& v : report.violations) out.insert(v.invariant);
  return out;
}

std::vector<std::string> differences(const scenarios::RunReport& sim, const scenarios::RunReport& real) {
  std::vector<std::string> out;
  if (sim.outcomes.size() != real.outcomes.size()) {
    out.push_back("the runs have " + std::to_string(sim.outcomes.size()) + " and " +
                  std::to_string(real.outcomes.size()) + " intents");
    return out;
  }
  for (std::size_t i = 0; i < sim.outcomes.size(); ++i) {
    const checks::IntentOutcome& s = sim.outcomes[i];
    const checks::IntentOutcome& r = real.outcomes[i];
    if (s.charges != r.charges) {
      out.push_back(s.intent + ": charged " + std::to_string(s.charges) + " times simulated, " +
                    std::to_string(r.charges) + " real");
    }
    if (s.last_answer() != r.last_answer()) {
      out.push_back(s.intent + ": last answer " + std::to_string(s.last_answer()) + " simulated, " +
                    std::to_string(r.last_answer()) + " real");
    }
  }
  const std::set<std::string> simulated = violated_invariants(sim), measured = violated_invariants(real);
  if (simulated != measured) {
    out.push_back("invariants violated: " + invariants_text(simulated) + " simulated, " + invariants_text(measured) + " real");
  }
  // Runs that followed a recorded schedule are the same interleaving only
  // if both followed it to the end.
  if (!sim.schedule_divergence.empty()) out.push_back("the simulation left the schedule: " + sim.schedule_divergence);
  if (!real.schedule_divergence.empty()) out.push_back("the live run left the schedule: " + real.schedule_divergence);
  return out;
}

bool agree(const scenarios::RunReport& simulated, const scenarios::RunReport& real, bool drawn) {
  if (drawn) return violated_invariants(simulated) == violated_invariants(real);
  return differences(simulated, real).empty();
}

}  // namespace idemlab::realmode
