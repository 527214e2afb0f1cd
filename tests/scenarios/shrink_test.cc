// Shrinking keeps the violation and removes what it does not need; its
// output replays to the same run.
#include <catch2/catch.hpp>

#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"
#include "scenarios/shipped.h"
#include "scenarios/shrink.h"

namespace idemlab::scenarios {
namespace {

const strategies::StrategyInfo& strategy(const std::string& name) {
  const strategies::StrategyInfo* info = strategies::find_strategy(name);
  REQUIRE(info != nullptr);
  return *info;
}

ShrinkOptions seed(std::uint64_t n) {
  ShrinkOptions o;
  o.seed = n;
  return o;
}

TEST_CASE("shrink keeps the violation with one client, one intent and constant latencies") {
  // A scripted crash: the violation needs no random draw, so every latency
  // can become a constant. (client_retry_after_lost_response also drops
  // replies at random, and which reply drops depends on the latencies.)
  const Scenario s = find_scenario("partial_failure");
  const ShrinkResult r = shrink(s, strategy("baseline"), seed(3));
  REQUIRE(r.reproduced);
  CHECK(r.invariant == "at_most_one_charge");
  CHECK(r.before.clients > 1);
  CHECK(r.after.clients == 1);
  CHECK(r.after.intents == 1);
  CHECK(r.after.attempts < r.before.attempts);
  CHECK(r.after.random_latencies == 0);
  CHECK(violates(r.shrunk_run, "at_most_one_charge"));
  CHECK(r.replays);
}

TEST_CASE("the shrunk script replays to the same trace, schedule followed") {
  const Scenario s = find_scenario("client_retry_after_lost_response");
  const ShrinkResult r = shrink(s, strategy("baseline"), seed(3));
  REQUIRE(r.reproduced);
  const Scenario shrunk = parse_scenario(r.script, "shrunk");
  REQUIRE(shrunk.schedule.has_value());
  const RunReport replay = run_once(shrunk, strategy("baseline"), 3, sim::TraceLevel::kHash, RunMode::kReplay);
  CHECK(replay.schedule_divergence.empty());
  CHECK(replay.trace_hash == r.shrunk_run.trace_hash);
  CHECK(violates(replay, "at_most_one_charge"));
}

TEST_CASE("shrink removes a fault the violation does not need") {
  const Scenario base = find_scenario("client_retry_after_lost_response");
  std::vector<TargetedFault> faults = base.faults;
  TargetedFault extra;
  extra.point = "after:processor.charge@api";
  extra.nth = 3;
  extra.action = TargetedFault::Action::kDropReply;
  faults.push_back(extra);
  const Scenario s = parse_scenario(script_with_faults(base, faults), "with an extra fault");
  const ShrinkResult r = shrink(s, strategy("baseline"), seed(3));
  REQUIRE(r.reproduced);
  CHECK(r.before.faults == base.faults.size() + 1);
  CHECK(r.after.faults <= base.faults.size());
  CHECK(r.replays);
}

TEST_CASE("a run that breaks nothing is not shrunk") {
  const Scenario s = find_scenario("client_retry_after_lost_response");
  const ShrinkResult r = shrink(s, strategy("idempotency_key"), seed(3));
  CHECK_FALSE(r.reproduced);
  CHECK(r.script.empty());
}

TEST_CASE("shrink keeps the invariant it is given, not another") {
  const Scenario s = find_scenario("client_retry_after_lost_response");
  ShrinkOptions o = seed(3);
  o.invariant = "no_stuck_key";  // the baseline holds no key
  CHECK_FALSE(shrink(s, strategy("baseline"), o).reproduced);
}

}  // namespace
}  // namespace idemlab::scenarios
