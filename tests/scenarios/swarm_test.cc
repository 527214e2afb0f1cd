// Swarm runs: deterministic from their seed, they find the baseline's double
// charge with worlds and faults they draw themselves, their scripts replay
// to the violation, they place new (site, action) pairs as they go, and a
// safe strategy breaks no safety invariant under them.
#include <catch2/catch.hpp>

#include "checks/invariants.h"
#include "scenarios/scenario_json.h"
#include "scenarios/shipped.h"
#include "scenarios/swarm.h"

namespace idemlab::scenarios {
namespace {

SwarmResult swarm_of(const std::string& strategy, std::uint64_t runs, std::uint64_t seed = 1) {
  SwarmOptions o;
  o.runs_max = runs;
  o.seed = seed;
  return swarm(find_scenario("crash_after_charge_before_commit"), *strategies::find_strategy(strategy), o);
}

TEST_CASE("swarm: one seed, one result") {
  const SwarmResult a = swarm_of("baseline", 200), b = swarm_of("baseline", 200);
  CHECK(a.runs == 200);
  CHECK(a.pairs_seen == b.pairs_seen);
  CHECK(a.pairs_covered == b.pairs_covered);
  REQUIRE(a.first.count("at_most_one_charge"));
  CHECK(a.first.at("at_most_one_charge").script == b.first.at("at_most_one_charge").script);
  CHECK(a.violating_runs == b.violating_runs);
  CHECK(swarm_of("baseline", 200, 2).first.at("at_most_one_charge").script != a.first.at("at_most_one_charge").script);
}

TEST_CASE("swarm: a finding's script replays to the same violation from its seed") {
  const SwarmResult r = swarm_of("baseline", 200);
  REQUIRE(r.first.count("at_most_one_charge"));
  const SwarmFinding& f = r.first.at("at_most_one_charge");
  const Scenario replay = parse_scenario(f.script, "swarm finding");
  CHECK(violates(run_once(replay, *strategies::find_strategy("baseline"), f.seed), "at_most_one_charge"));
}

TEST_CASE("swarm: runs place pairs that no run placed before, across many sites") {
  const SwarmResult r = swarm_of("idempotency_key", 300);
  CHECK(r.pairs_seen > 100);
  CHECK(r.pairs_covered > 150);  // most runs place a new pair
  CHECK(r.pairs_covered <= r.pairs_seen);
}

TEST_CASE("swarm: the idempotency key never charges twice, whatever the world drawn") {
  const SwarmResult r = swarm_of("idempotency_key", 300);
  for (const char* safety : {checks::kAtMostOneCharge, checks::kSuccessWasCharged, checks::kReplayMatchesFirst}) {
    INFO(safety);
    CHECK_FALSE(r.first.count(safety));
  }
}

}  // namespace
}  // namespace idemlab::scenarios
