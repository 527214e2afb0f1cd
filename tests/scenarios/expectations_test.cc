// Every strategy against every shipped scenario: the expectations written in
// the scenario hold. A strategy expected safe must have no violation over
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
#include <string>

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
    if (!scenario->expect.count(strategy.name)) continue;
    const std::set<std::string>& expected = scenario->expect.at(strategy.name);
    const SweepResult result = sweep(*scenario, strategy, 1, expected.empty() ? safe_seeds() : seeds(), &expected);
    std::string why;
    const bool require_found = std::getenv("IDEMLAB_EXPECTATIONS_UNEXPECTED_ONLY") == nullptr;
    CHECK(meets_expectation(*scenario, result, why, require_found));
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

TEST_CASE("every shipped scenario has an expectation for every strategy") {
  for (const Scenario& scenario : shipped_scenarios()) {
    for (const strategies::StrategyInfo& strategy : strategies::all_strategies()) {
      INFO(scenario.name << " / " << strategy.name);
      CHECK(scenario.expect.count(strategy.name) == 1);
    }
  }
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
