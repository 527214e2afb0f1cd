// Schedule exploration (scenarios/schedule_search.h): the ends of latency
// ranges and the order of simultaneous events, enumerated breadth first or
// sampled by PCT; every counterexample replays from its recorded schedule.
#include <catch2/catch.hpp>

#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"
#include "scenarios/schedule_search.h"
#include "tests/scenarios/schedule_worlds.h"
#include "strategies/strategy.h"
#include "tests/planted/planted.h"

namespace idemlab::scenarios {
namespace {

using testing::double_click_in_lockstep;

// One payment whose charge usually returns well within the 1 s lock of the
// planted strategy, but whose latency range reaches past the client's
// timeout and backoff (about 1.9 s at its 99th percentile): only a charge
// at the slow end lets the retry find the lock expired.
Scenario slow_charge_sometimes() {
  return parse_scenario(R"({
    "format": "idemlab-scenario/1",
    "name": "slow_charge_sometimes",
    "clients": 1,
    "workload": {"intents": 1},
    "client": {"request_timeout": "1100ms", "give_up_after": "120s",
               "retry": {"backoff": "fixed", "base": "50ms", "attempts_max": 150, "retry_409": true}},
    "network": {"latency": {"constant": "1ms"}},
    "processor": {"processing_time": {"log_normal": {"median": "300ms", "sigma": 0.8, "cap": "5s"}}},
    "strategy_options": {"lock_ttl": "60s"},
    "timeouts": {"processor": "30s"},
    "run_limit": "600s"
  })", "slow_charge_sometimes");
}


ScheduleSearchOptions deviations(int n) {
  ScheduleSearchOptions o;
  o.deviations_max = n;
  o.runs_max = 5000;
  return o;
}

const strategies::StrategyInfo& shipped(const std::string& name) {
  const strategies::StrategyInfo* s = strategies::find_strategy(name);
  REQUIRE(s != nullptr);
  return *s;
}

// The counterexample replays to the same violation, following its schedule
// to the last draw; for a shipped strategy, from the script written for it.
void check_replays(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                   const ScheduleCounterexample& c) {
  CHECK(c.schedule.ties_on_tape);
  CHECK_FALSE(c.schedule.tape.empty());
  Scenario replayed = scenario;
  replayed.schedule = c.schedule;
  if (strategies::find_strategy(strategy.name) != nullptr) {
    Scenario written = scenario;
    written.source = script_with_faults(scenario, scenario.faults);
    replayed = parse_scenario(script_with_schedule(written, c.schedule), "counterexample");
    REQUIRE(replayed.schedule.has_value());
    CHECK(replayed.schedule->ties_on_tape);
    CHECK(replayed.schedule->tape == c.schedule.tape);
  }
  const RunReport again = run_once(replayed, strategy, c.schedule.seed, sim::TraceLevel::kHash, RunMode::kReplay);
  CHECK(again.schedule_divergence.empty());
  CHECK(violates(again, c.invariant));
}

TEST_CASE("schedules: a latency at the slow end of its range breaks a lock shorter than the work") {
  const Scenario s = slow_charge_sometimes();
  const ScheduleSearchResult fixed = search_schedules(s, planted::lock_shorter_than_work(false), deviations(1));
  CHECK(fixed.exhausted);
  CHECK(fixed.runs > 3);
  CHECK(fixed.first.empty());

  const ScheduleSearchResult found = search_schedules(s, planted::lock_shorter_than_work(true), deviations(1));
  CHECK(found.exhausted);
  REQUIRE(found.first.count("at_most_one_charge"));
  const ScheduleCounterexample& c = found.first.at("at_most_one_charge");
  INFO("first at run " << c.run << ": " << c.evidence);
  // Not in the seed's own run: one departure, a latency at its high end.
  REQUIRE(c.deviations.size() == 1);
  CHECK(c.deviations[0].choice == sim::Choice::kExtreme);
  CHECK(c.deviations[0].value == static_cast<std::uint64_t>(sim::LatencyPick::kHigh));
  CHECK(deviation_text(c.deviations[0]).find("high end") != std::string::npos);
  check_replays(s, planted::lock_shorter_than_work(true), c);
}

TEST_CASE("schedules: simultaneous events are ordered every way, and the space is exhausted") {
  const Scenario s = double_click_in_lockstep();
  const ScheduleSearchResult r = search_schedules(s, shipped("idempotency_key"), deviations(2));
  CHECK(r.order_points > 2);
  CHECK(r.exhausted);
  CHECK(r.first.empty());
  // Different orders make different interleavings, counted exactly.
  CHECK(r.interleavings_exact);
  CHECK(r.interleavings > 3);
  CHECK(r.interleavings <= r.runs);
}

TEST_CASE("schedules: a racy claim's counterexample replays from its schedule") {
  const Scenario s = double_click_in_lockstep();
  const strategies::StrategyInfo& racy = shipped("get_then_set_claim");
  const ScheduleSearchResult r = search_schedules(s, racy, deviations(1));
  REQUIRE(r.first.count("at_most_one_charge"));
  check_replays(s, racy, r.first.at("at_most_one_charge"));
}

TEST_CASE("schedules: the search is a function of its seed") {
  const Scenario s = slow_charge_sometimes();
  ScheduleSearchOptions pct = deviations(0);
  pct.pct_depth = 3;
  pct.runs_max = 60;
  const strategies::StrategyInfo& planted = planted::lock_shorter_than_work(true);
  const ScheduleSearchResult a = search_schedules(s, planted, pct);
  const ScheduleSearchResult b = search_schedules(s, planted, pct);
  CHECK(a.runs == 60);
  CHECK_FALSE(a.exhausted);  // PCT samples
  CHECK(a.interleavings == b.interleavings);
  CHECK(a.violating_runs == b.violating_runs);
  CHECK(a.runs_with_violations == b.runs_with_violations);
}

TEST_CASE("schedules: PCT's priorities as speeds find the slow charge too, and it replays") {
  const Scenario s = slow_charge_sometimes();
  ScheduleSearchOptions pct;
  pct.pct_depth = 2;
  pct.runs_max = 200;
  const ScheduleSearchResult r = search_schedules(s, planted::lock_shorter_than_work(true), pct);
  REQUIRE(r.first.count("at_most_one_charge"));
  const ScheduleCounterexample& c = r.first.at("at_most_one_charge");
  CHECK(c.pct_run >= 1);
  check_replays(s, planted::lock_shorter_than_work(true), c);
  CHECK(search_schedules(s, planted::lock_shorter_than_work(false), pct).first.empty());
}

}  // namespace
}  // namespace idemlab::scenarios
