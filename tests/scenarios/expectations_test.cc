// Every strategy against every shipped scenario: what the strategy states it
// breaks there (or the script's override) holds (scenarios/expectations.h). A strategy expected safe must have no violation over
// IDEMLAB_EXPECTATION_SEEDS_SAFE seeds (IDEMLAB_EXPECTATION_SEEDS, 10,000, by
// default; scripts/test's Release pass sets 1,000); a strategy
// expected to break is swept until every expected violation is found (within
// IDEMLAB_EXPECTATION_SEEDS; scripts/test sets 5,000, which still finds
// every one), and none of its runs may show another. The sanitizer pass
// of scripts/test sweeps fewer seeds and sets
// IDEMLAB_EXPECTATIONS_UNEXPECTED_ONLY=1: some expected violations show in 1
// run of 10,000, so it checks only that nothing unexpected happens.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <deque>
#include <optional>
#include <set>
#include <string>

#include "checks/invariants.h"
#include "scenarios/expectations.h"
#include "scenarios/shipped.h"
#include "scenarios/sweep.h"

namespace idemlab::scenarios {
namespace {

std::uint64_t seeds_from(const char* variable, std::uint64_t otherwise) {
  const char* text = std::getenv(variable);
  return text == nullptr ? otherwise : std::strtoull(text, nullptr, 10);
}

std::uint64_t seeds() { return seeds_from("IDEMLAB_EXPECTATION_SEEDS", 10000); }
// A strategy expected safe runs every seed (nothing stops it early), which
// is most of the suite's time: scripts/test gives it fewer.
std::uint64_t safe_seeds() { return seeds_from("IDEMLAB_EXPECTATION_SEEDS_SAFE", seeds()); }

void check_scenario(const std::string& name) {
  const Scenario* scenario = nullptr;
  const std::vector<Scenario> all = shipped_scenarios();
  for (const Scenario& s : all) {
    if (s.name == name) scenario = &s;
  }
  REQUIRE(scenario != nullptr);
  for (const strategies::StrategyInfo& strategy : strategies::all_strategies()) {
    const std::optional<std::set<std::string>> stated = expected_breaks(*scenario, strategy);
    REQUIRE(stated.has_value());  // every shipped strategy states what it breaks
    const std::set<std::string>& expected = *stated;
    const SweepResult result = sweep(*scenario, strategy, 1, expected.empty() ? safe_seeds() : seeds(), &expected);
    std::string why;
    const bool require_found = std::getenv("IDEMLAB_EXPECTATIONS_UNEXPECTED_ONLY") == nullptr;
    CHECK(meets_expectation(*scenario, strategy, result, why, require_found));
    if (!why.empty()) FAIL_CHECK(name << " with " << strategy.name << ": " << why);
  }
}

// One test case per shipped scenario, registered from the scripts themselves
// (Catch2's own registration, given a name only known at run time), so that
// a new script is checked without another line here.
class ScenarioCheck final : public Catch::ITestInvoker {
 public:
  explicit ScenarioCheck(std::string name) : name_(std::move(name)) {}
  void invoke() const override { check_scenario(name_); }

 private:
  std::string name_;
};

struct RegisterShippedScenarios {
  RegisterShippedScenarios() {
    static std::deque<std::string> names;  // Catch keeps views of them
    static std::deque<Catch::AutoReg> registrations;
    for (const Scenario& scenario : shipped_scenarios()) {
      names.push_back(scenario.name + " meets its expectations");
      registrations.emplace_back(new ScenarioCheck(scenario.name), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                                 Catch::NameAndTags{Catch::StringRef(names.back()), Catch::StringRef("[expectations]")});
    }
  }
} register_shipped_scenarios;

TEST_CASE("every strategy states what it breaks, in shipped scenarios and by invariants that exist") {
  std::set<std::string> shipped;
  for (const Scenario& scenario : shipped_scenarios()) shipped.insert(scenario.name);
  for (const strategies::StrategyInfo& strategy : strategies::all_strategies()) {
    INFO(strategy.name);
    REQUIRE(strategy.breaks.has_value());
    for (const auto& [scenario, invariants] : *strategy.breaks) {
      INFO(scenario);
      CHECK(shipped.count(scenario) == 1);
      CHECK_FALSE(invariants.empty());  // a scenario it survives goes unnamed
      for (const std::string& invariant : invariants) CHECK(checks::is_invariant(invariant));
    }
  }
}

TEST_CASE("a script's expectation overrides the strategy's statement; a user's script has none of its own") {
  const strategies::StrategyInfo& baseline = *strategies::find_strategy("baseline");
  Scenario scenario = find_scenario("partial_failure");
  CHECK(expected_breaks(scenario, baseline) == std::set<std::string>{"at_most_one_charge"});
  scenario.expect["baseline"] = {};
  CHECK(expected_breaks(scenario, baseline) == std::set<std::string>{});
  scenario.expect.clear();
  scenario.shipped = false;  // a copy of it in a file of the user's
  CHECK_FALSE(expected_breaks(scenario, baseline).has_value());
}

TEST_CASE("a strategy with no statement is swept and reported, not refused") {
  strategies::StrategyInfo variant = *strategies::find_strategy("baseline");
  variant.name = "my_baseline_variant";
  variant.breaks.reset();
  const Scenario scenario = find_scenario("partial_failure");
  const SweepResult result = sweep(scenario, variant, 1, 20);
  CHECK(result.violated.count("at_most_one_charge") == 1);  // reported
  std::string why;
  CHECK(meets_expectation(scenario, variant, result, why));  // not held to an expectation
  CHECK(why.empty());
}

TEST_CASE("a sweep gives the same tallies on one thread and on three") {
  const strategies::StrategyInfo& strategy = *strategies::find_strategy("setex_processing_del_on_error");
  const Scenario partial = find_scenario("partial_failure");
  const SweepResult serial = sweep(partial, strategy, 230, 20);
  const SweepResult parallel = parallel_sweep(partial, strategy, 230, 20, 3);
  CHECK(serial.runs == parallel.runs);
  CHECK(serial.charges == parallel.charges);
  CHECK(serial.attempts == parallel.attempts);
  REQUIRE(serial.violated.size() == parallel.violated.size());
  for (const auto& [invariant, tally] : serial.violated) {
    CHECK(parallel.violated.at(invariant).runs == tally.runs);
    CHECK(parallel.violated.at(invariant).example_seed == tally.example_seed);
  }
}

TEST_CASE("a run is a pure function of its seed") {
  const Scenario scenario = failure_scenarios().front();
  const strategies::StrategyInfo& strategy = *strategies::find_strategy("idempotency_key");
  const RunReport a = run_once(scenario, strategy, 42);
  const RunReport b = run_once(scenario, strategy, 42);
  const RunReport c = run_once(scenario, strategy, 43);
  CHECK(a.trace_hash == b.trace_hash);
  CHECK(a.trace_hash != c.trace_hash);
}

}  // namespace
}  // namespace idemlab::scenarios
