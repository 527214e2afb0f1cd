// State hashing in schedule exploration: two paths to one hash go on alike
// (verified on shipped worlds), a hash that leaves part of the state out is
// caught, pruning by state keeps every violation the full enumeration
// finds, and the state graph is a function of the seed.
#include <catch2/catch.hpp>

#include "models/world.h"
#include "scenarios/scenario_json.h"
#include "scenarios/schedule_search.h"
#include "tests/scenarios/schedule_worlds.h"
#include "scenarios/shipped.h"
#include "sim/state_writer.h"

namespace idemlab::scenarios {
namespace {

using testing::double_click_in_lockstep;

const strategies::StrategyInfo& shipped_strategy(const std::string& name) {
  const strategies::StrategyInfo* s = strategies::find_strategy(name);
  REQUIRE(s != nullptr);
  return *s;
}

ScheduleSearchOptions hashed(int deviations, std::uint64_t runs) {
  ScheduleSearchOptions o;
  o.deviations_max = deviations;
  o.runs_max = runs;
  o.hash_states = true;
  return o;
}


TEST_CASE("state hashes: two paths to one state go on alike, on shipped worlds and strategies") {
  struct Case {
    const char* scenario;
    const char* strategy;
  };
  for (const Case& c : {Case{"crash_after_charge_before_commit", "idempotency_key"},
                        Case{"concurrent_identical_requests", "db_unique"},
                        Case{"consumer_crash_between_effect_and_dedup_row", "dedup_queue"},
                        Case{"outbox_relay_crash_after_publish", "outbox"},
                        Case{"partial_failure", "saga"}}) {
    INFO(c.scenario << " with " << c.strategy);
    // A small budget (the sanitizer pass runs this too); the long check
    // is `explore --schedules --verify-hashes`, in docs/results.md.
    ScheduleSearchOptions o = hashed(2, 100);
    o.verify_hashes = true;
    o.verify_max = 8;
    ScheduleSearchResult r;
    CHECK_NOTHROW(r = search_schedules(find_scenario(c.scenario), shipped_strategy(c.strategy), o));
    CHECK(r.merged > 0);       // states were reached twice ...
    CHECK(r.hash_checks > 0);  // ... and the merges were checked
    CHECK(r.states > 0);
  }
}

TEST_CASE("state hashes: a hash that leaves the clock and the processes out is caught") {
  ScheduleSearchOptions o = hashed(1, 300);
  o.verify_hashes = true;
  // The models alone: two moments that differ only in what is on its way
  // (a reply due earlier or later) or in where a process stands look alike.
  o.write_world = [](models::World& world, sim::StateWriter& out) {
    world.redis().write_state(out);
    world.postgres().write_state(out);
    world.broker().write_state(out);
    world.processor().write_state(out);
  };
  CHECK_THROWS_AS(search_schedules(find_scenario("crash_after_charge_before_commit"),
                                   shipped_strategy("idempotency_key"), o),
                  StateHashMismatch);
}

TEST_CASE("state hashes: pruning by state runs fewer schedules and finds the same violations") {
  // Orders of simultaneous steps seldom meet again (the later events they
  // schedule, the history, the process table keep their order); latencies
  // taken at either end often do, once what was on its way has arrived.
  const Scenario s = find_scenario("crash_after_charge_before_commit");
  struct Case {
    const char* strategy;
    int deviations;
  };
  for (const Case& c : {Case{"baseline", 2}, Case{"check_then_insert_charge_first", 2},
                        Case{"saga_steps_in_one_transaction", 2}, Case{"dedup_queue", 2}}) {
    INFO(c.strategy);
    ScheduleSearchOptions full;
    full.deviations_max = c.deviations;
    full.runs_max = 20000;
    const ScheduleSearchResult all = search_schedules(s, shipped_strategy(c.strategy), full);
    const ScheduleSearchResult pruned = search_schedules(s, shipped_strategy(c.strategy), hashed(c.deviations, 20000));
    REQUIRE(all.exhausted);
    REQUIRE(pruned.exhausted);
    CHECK(pruned.runs < all.runs);
    CHECK(pruned.merged > 0);
    std::set<std::string> a, b;
    for (const auto& [invariant, found] : all.first) a.insert(invariant);
    for (const auto& [invariant, found] : pruned.first) b.insert(invariant);
    CHECK(a == b);
  }
}

TEST_CASE("state hashes: the graph and its counts are a function of the seed, and its dot marks violations") {
  const Scenario s = double_click_in_lockstep();
  ScheduleSearchOptions o = hashed(1, 2000);
  o.want_dot = true;
  const ScheduleSearchResult a = search_schedules(s, shipped_strategy("get_then_set_claim"), o);
  const ScheduleSearchResult b = search_schedules(s, shipped_strategy("get_then_set_claim"), o);
  CHECK(a.states == b.states);
  CHECK(a.state_edges == b.state_edges);
  CHECK(a.merged == b.merged);
  CHECK(a.runs == b.runs);
  REQUIRE(a.first.count("at_most_one_charge"));
  CHECK(a.first.at("at_most_one_charge").path_steps > 0);
  CHECK(a.dot.rfind("digraph states {", 0) == 0);
  CHECK(a.dot.find("fillcolor=\"#e0474c\"") != std::string::npos);
  CHECK(a.dot.find("at_most_one_charge") != std::string::npos);
  CHECK(a.dot.find(" -> ") != std::string::npos);
}

}  // namespace
}  // namespace idemlab::scenarios
