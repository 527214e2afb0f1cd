#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("no_stuck_key: completed records and live claims pass; a claim with no expiry or long run out fails") {
  TestRun run;
  run.redis_key("idem:a", R"({"state":"completed","status":201})");
  run.row("claims", {{"key", std::string("k1")}, {"status", std::string("pending")},
                     {"lease_until", std::int64_t{50 * sim::kSecond}}});
  run.advance(100 * sim::kSecond);  // the lease ran out 50 s ago: not yet a minute
  CHECK(violations_of(run, kNoStuckKey).empty());

  run.advance(20 * sim::kSecond);
  run.redis_key("idem:b", R"({"state":"in_progress"})");
  const std::vector<Violation> found = violations_of(run, kNoStuckKey);
  REQUIRE(found.size() == 2);
  CHECK(found[0].intent == "idem:b");
  CHECK(found[1].intent == "'k1'");  // the key column's value, as SQL writes it
}

}  // namespace idemlab::checks::testing
