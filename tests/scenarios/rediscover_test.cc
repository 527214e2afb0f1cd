// Rediscovery without hints, on a representative subset of the scripts (the
// full table is docs/results.md's, from `idemlab rediscover`): with the
// faults taken out, explore finds every violation the hand-written faults
// showed, and nothing in the strategies meant to be safe.
#include <catch2/catch.hpp>

#include "scenarios/rediscover.h"
#include "scenarios/shipped.h"

namespace idemlab::scenarios {
namespace {

bool meant_to_be_safe(const strategies::StrategyInfo& s) { return !s.textbook && s.name != "baseline"; }

void rediscover_all(const std::string& name, std::size_t expected_at_least) {
  const Scenario script = find_scenario(name);
  RediscoverOptions options;
  options.shrink = false;
  std::size_t expected = 0;
  for (const strategies::StrategyInfo& strategy : strategies::all_strategies()) {
    const Rediscovery r = rediscover(script, strategy, options);
    INFO(name << " / " << strategy.name << ": " << r.search.runs << " runs");
    CHECK(r.has_expectation);
    CHECK(r.missed.empty());
    if (meant_to_be_safe(strategy)) CHECK(r.found.empty());
    expected += r.expected.size();
  }
  CHECK(expected >= expected_at_least);  // the script breaks several strategies: a test that can fail
}

TEST_CASE("rediscovery: a crash between the charge and the commit, from the workload alone") {
  rediscover_all("crash_after_charge_before_commit", 7);
}

TEST_CASE("rediscovery: a double click whose lookups both pass, from the workload alone") {
  // The safe strategies once answered a takeover with a new payment id:
  // one charge, two answers (replay_matches_first). They derive it now.
  rediscover_all("double_click_both_pass_the_check", 4);
}

TEST_CASE("rediscovery: a Redis restart that loses the stored result, from the workload alone") {
  rediscover_all("redis_restart_loses_result", 4);
}

TEST_CASE("rediscovery: the counterexample shrinks to no more faults than the hand-written script") {
  const Scenario script = find_scenario("crash_after_charge_before_commit");
  const Rediscovery r = rediscover(script, *strategies::find_strategy("baseline"), RediscoverOptions{});
  REQUIRE(r.found.count("at_most_one_charge"));
  const Rediscovered& found = r.found.at("at_most_one_charge");
  CHECK(found.shrunk);
  CHECK(found.size.faults <= r.hand_written.faults);
  CHECK(found.size.attempts < r.hand_written.attempts);
}

}  // namespace
}  // namespace idemlab::scenarios
