// The fault-placement search: it finds what the hand-written faults showed
// without being told where, its counterexamples replay, it says whether the
// space was exhausted, and it runs one of each set of equivalent placements.
#include <catch2/catch.hpp>

#include <set>

#include "scenarios/explore.h"
#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"
#include "scenarios/shipped.h"

namespace idemlab::scenarios {
namespace {

Scenario shipped(const std::string& name) { return find_scenario(name); }

const strategies::StrategyInfo& strategy(const std::string& name) {
  const strategies::StrategyInfo* info = strategies::find_strategy(name);
  REQUIRE(info != nullptr);
  return *info;
}

ExploreOptions workload_only(int faults) {
  ExploreOptions o;
  o.faults_max = faults;
  o.keep_script_faults = false;
  return o;
}

// How long the API stayed down after its crash, from a full trace.
sim::Duration api_downtime(const RunReport& report) {
  sim::Time crashed = -1;
  for (const sim::TraceRecord& r : report.trace) {
    if (r.node == "api" && r.kind == "crash") crashed = r.at;
    if (r.node == "api" && r.kind == "start" && crashed >= 0) return r.at - crashed;
  }
  return -1;
}

TEST_CASE("a crash's downtime drawn from a range varies by seed within it, and its script keeps the range") {
  Scenario s = shipped("crash_after_charge_before_commit");
  REQUIRE(s.faults.size() == 1);
  s.faults[0].downtime = 1 * sim::kSecond;
  s.faults[0].downtime_max = 20 * sim::kSecond;
  std::set<sim::Duration> seen;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const sim::Duration d = api_downtime(run_once(s, strategy("idempotency_key"), seed, sim::TraceLevel::kFull));
    CHECK(d >= 1 * sim::kSecond);
    CHECK(d <= 20 * sim::kSecond);
    seen.insert(d);
  }
  CHECK(seen.size() > 6);
  const Scenario again = parse_scenario(script_with_faults(s, s.faults), "again");
  REQUIRE(again.faults.size() == 1);
  CHECK(again.faults[0].downtime == 1 * sim::kSecond);
  CHECK(again.faults[0].downtime_max == 20 * sim::kSecond);
  CHECK(fault_text(again.faults[0]).find("down 1s to 20s") != std::string::npos);
  // explore places its crashes with the range it is given.
  ExploreOptions o = workload_only(1);
  o.actions = {TargetedFault::Action::kCrash};
  o.crash_downtime = 2 * sim::kSecond;
  o.crash_downtime_max = 9 * sim::kSecond;
  const ExploreResult r = explore(s, strategy("baseline"), o);
  REQUIRE(r.first.count("at_most_one_charge"));
  CHECK(r.first.at("at_most_one_charge").added.at(0).downtime_max == 9 * sim::kSecond);
}

TEST_CASE("a malformed downtime range names its JSON path") {
  const std::string base = R"({"format": "idemlab-scenario/1", "name": "d", "faults": [
      {"at": "after:processor.charge", "action": "crash", "downtime": )";
  CHECK_THROWS_WITH(parse_scenario(base + R"({"uniform": ["5s", "1s"]}}]})", "d.json"),
                    Catch::Contains("$.faults[0].downtime.uniform") && Catch::Contains("below"));
  CHECK_THROWS_WITH(parse_scenario(base + R"({"uniform": ["5s"]}}]})", "d.json"),
                    Catch::Contains("$.faults[0].downtime.uniform"));
  CHECK_THROWS_WITH(parse_scenario(base + R"({"normal": ["5s", "6s"]}}]})", "d.json"),
                    Catch::Contains("$.faults[0].downtime"));
}

TEST_CASE("copies outside 1..100 name their JSON path") {
  for (const char* copies : {"0", "101", "\"3\"", "2.5"}) {
    INFO(copies);
    CHECK_THROWS_WITH(parse_scenario(std::string(R"({"format": "idemlab-scenario/1", "name": "c", "workload": {"copies": )") +
                                         copies + "}}",
                                     "c.json"),
                      Catch::Contains("$.workload.copies"));
  }
}

TEST_CASE("explore finds the baseline's double charge from the workload alone, breadth first") {
  const Scenario s = shipped("crash_after_charge_before_commit");
  const ExploreResult r = explore(s, strategy("baseline"), workload_only(1));
  CHECK(r.exhausted);
  REQUIRE(r.first.count("at_most_one_charge"));
  const Counterexample& c = r.first.at("at_most_one_charge");
  CHECK(c.added.size() == 1);  // one fault suffices, and the fault-free run (run 1) is safe
  CHECK(c.run > 1);
}

TEST_CASE("a counterexample replays to the same violation, from its script too") {
  const Scenario s = shipped("crash_after_charge_before_commit");
  const strategies::StrategyInfo& baseline = strategy("baseline");
  const ExploreResult r = explore(s, baseline, workload_only(1));
  REQUIRE(r.first.count("at_most_one_charge"));
  const Counterexample& c = r.first.at("at_most_one_charge");
  const Scenario replay = with_faults(s, c.added, false);
  const RunReport direct = run_once(replay, baseline, 1);
  const Scenario reread = parse_scenario(script_with_faults(s, replay.faults), "counterexample");
  const RunReport from_script = run_once(reread, baseline, 1);
  for (const RunReport* report : {&direct, &from_script}) CHECK(violates(*report, "at_most_one_charge"));
  CHECK(direct.trace_hash == from_script.trace_hash);
}

TEST_CASE("a strategy meant to be safe survives every single fault of the search") {
  const Scenario s = shipped("crash_after_charge_before_commit");
  const ExploreResult r = explore(s, strategy("idempotency_key"), workload_only(1));
  CHECK(r.exhausted);
  CHECK(r.runs > 50);  // every site, every action: not a token search
  CHECK(r.first.empty());
}

TEST_CASE("the run budget cuts the search, and the result says so") {
  const Scenario s = shipped("crash_after_charge_before_commit");
  ExploreOptions o = workload_only(2);
  o.runs_max = 10;
  const ExploreResult r = explore(s, strategy("idempotency_key"), o);
  CHECK(r.runs == 10);
  CHECK_FALSE(r.exhausted);
}

TEST_CASE("the time bound cuts the search between runs") {
  const Scenario s = shipped("crash_after_charge_before_commit");
  ExploreOptions o = workload_only(2);
  int asked = 0;
  o.out_of_time = [&asked] { return ++asked > 3; };
  const ExploreResult r = explore(s, strategy("idempotency_key"), o);
  CHECK(r.runs == 3);
  CHECK_FALSE(r.exhausted);
}

TEST_CASE("faults that differ only by which interchangeable client they hit run once") {
  Scenario s = shipped("crash_after_charge_before_commit");
  s.world.clients = 2;
  const ExploreResult r = explore(s, strategy("baseline"), workload_only(1));
  CHECK(r.exhausted);
  CHECK(r.pruned > 0);
  // Nothing on client-2's links alone was run: each is client-1's, renamed.
  for (const auto& [invariant, c] : r.first) {
    for (const TargetedFault& f : c.added) CHECK(f.point.find("client-2") == std::string::npos);
  }
}

TEST_CASE("no added fault is the fault-free run alone") {
  const Scenario s = shipped("crash_after_charge_before_commit");
  const ExploreResult r = explore(s, strategy("baseline"), workload_only(0));
  CHECK(r.runs == 1);
  CHECK(r.exhausted);
  CHECK(r.first.empty());
}

}  // namespace
}  // namespace idemlab::scenarios

namespace idemlab::scenarios {
namespace {

TEST_CASE("explore holds a request just past its caller's timeout, and that alone double-charges the baseline") {
  ExploreOptions o;
  o.faults_max = 1;
  o.keep_script_faults = false;
  o.actions = {TargetedFault::Action::kDelay};
  const Scenario s = find_scenario("crash_after_charge_before_commit");
  const ExploreResult r = explore(s, *strategies::find_strategy("baseline"), o);
  REQUIRE(r.first.count("at_most_one_charge"));
  const Counterexample& c = r.first.at("at_most_one_charge");
  REQUIRE(c.added.size() == 1);
  CHECK(c.added[0].action == TargetedFault::Action::kDelay);
  CHECK(c.added[0].delay > s.world.client.request_timeout);  // past a timeout, not the network's 50 ms
  o.delays_past_timeout = false;
  CHECK(explore(s, *strategies::find_strategy("baseline"), o).first.empty());
}

}  // namespace
}  // namespace idemlab::scenarios
