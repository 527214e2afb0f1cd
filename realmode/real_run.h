// One run of a scenario script on the live servers: the simulator's world
// (clients, the service node, its workers, crashes, the client links, the
// fault plan's port points), with every backend call going to Redis,
// PostgreSQL, RabbitMQ and the processor's ledger, on the wall clock. The
// invariants are judged from the servers' final state, as in simulation.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "realmode/servers.h"
#include "scenarios/scenario.h"

namespace idemlab::realmode {

// Why real mode cannot run `scenario` on `servers`, naming the JSON path;
// nullopt if it can. Refused: Redis restarts and failover and PostgreSQL
// restarts unless scripts/infra started the servers (Servers::infra);
// broker restarts; duplicates and delays on the links between the service
// and its backends, and random faults on every link (only client links are
// simulated in real mode). Dropped requests and replies on a backend link
// are taken at the caller's port (FaultPlan::take_backend_link_faults_at_ports).
std::optional<std::string> real_mode_refusal(const scenarios::Scenario& scenario, const Servers& servers);

// The run could not be made on the servers (the strategy's setup failed).
class RealRunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether the run of `strategy` with `seed` follows the scenario's recorded
// schedule: one recorded with that strategy and seed. The simulation then
// replays it (RunMode::kReplay) and the live run goes through a Turnstile.
bool follows_schedule(const scenarios::Scenario& scenario, const std::string& strategy, std::uint64_t seed);

// REQUIRES: real_mode_refusal(scenario, servers) is empty. Throws Unreachable before
// making anything if a server does not answer; everything the run made is
// removed before it returns. `simulated`: the simulated run of the same
// scenario, strategy and seed, if any: the live processor then takes its
// decisions (processing times, declines) in the order it made them, since
// the live run draws from its tape in another order.
scenarios::RunReport run_real(const scenarios::Scenario& scenario, const strategies::StrategyInfo& strategy,
                              std::uint64_t seed, const Servers& servers,
                              const scenarios::RunReport* simulated = nullptr);

}  // namespace idemlab::realmode
