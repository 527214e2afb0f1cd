// strategy_options.isolation reaches every transaction a strategy opens:
// db_unique's losing claim reads the winner in a new statement under READ
// COMMITTED, and under REPEATABLE READ fails with 40001 (its snapshot was
// taken before it waited for the winner), which it answers with a 503 that
// the client retries.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "scenarios/shipped.h"

namespace idemlab::scenarios {
namespace {

struct Tally {
  std::size_t answers_503 = 0;
  std::size_t violations = 0;
};

Tally run_with(ports::Isolation isolation, const char* strategy_name) {
  Scenario scenario = find_scenario("concurrent_identical_requests");
  scenario.options.isolation = isolation;
  const strategies::StrategyInfo* strategy = strategies::find_strategy(strategy_name);
  REQUIRE(strategy != nullptr);
  Tally tally;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const RunReport report = run_once(scenario, *strategy, seed);
    REQUIRE(report.outcome == RunOutcome::kJudged);
    tally.violations += report.violations.size();
    for (const checks::IntentOutcome& intent : report.outcomes) {
      for (int status : intent.answers) tally.answers_503 += status == 503 ? 1 : 0;
    }
  }
  return tally;
}

TEST_CASE("isolation: db_unique's losing claim is a 40001 under REPEATABLE READ and reads the winner under READ COMMITTED") {
  const Tally read_committed = run_with(ports::Isolation::kReadCommitted, "db_unique");
  const Tally repeatable_read = run_with(ports::Isolation::kRepeatableRead, "db_unique");
  const Tally serializable = run_with(ports::Isolation::kSerializable, "db_unique");
  CHECK(read_committed.answers_503 == 0);
  CHECK(repeatable_read.answers_503 > 0);
  CHECK(serializable.answers_503 > 0);
  // The retries resolve it: safe at every level.
  CHECK(read_committed.violations == 0);
  CHECK(repeatable_read.violations == 0);
  CHECK(serializable.violations == 0);
}

TEST_CASE("isolation: every strategy's transactions take the scenario's level") {
  int checked = 0;
  for (const strategies::StrategyInfo& info : strategies::all_strategies()) {
    Scenario scenario = find_scenario("concurrent_identical_requests");
    scenario.options.isolation = ports::Isolation::kSerializable;
    const RunReport report = run_once(scenario, info, 1, sim::TraceLevel::kFull);
    // PostgreSQL's trace of each transaction: "BEGIN tx N <level>".
    std::size_t begins = 0;
    std::size_t serializable = 0;
    std::istringstream lines(report.timeline);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" BEGIN ") == std::string::npos || line.find(" tx ") == std::string::npos) continue;
      ++begins;
      serializable += line.size() >= 12 && line.compare(line.size() - 12, 12, "serializable") == 0 ? 1 : 0;
    }
    if (begins == 0) continue;  // a strategy on Redis alone
    ++checked;
    INFO(info.name);
    CHECK(serializable == begins);
  }
  CHECK(checked >= 10);
}

}  // namespace
}  // namespace idemlab::scenarios
