#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("replay_matches_first: a 409 then the same 201 passes; a replay with another body fails") {
  TestRun run;
  const std::uint32_t pay = run.intent();
  run.invoke(pay);
  const std::uint32_t ch = run.charge(pay);
  run.answer(pay, 201, created_body("pay_a", 1000, ch));
  run.request(pay, 409, error_body("in progress"), 1, 2);  // a conflict is no result: not compared
  run.request(pay, 201, created_body("pay_a", 1000, ch), 1, 3);
  CHECK(violations_of(run, kReplayMatchesFirst).empty());

  run.request(pay, 200, created_body("pay_a", 1000, ch), 2, 3);  // same body, another status
  const std::vector<Violation> found = violations_of(run, kReplayMatchesFirst);
  REQUIRE(found.size() == 1);
  CHECK(found[0].evidence.find("attempt 2 (sender 3) got 200") == 0);
}

}  // namespace idemlab::checks::testing
