#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("success_was_charged: a 201 after its charge passes; a 201 with no charge fails, a 202 does not") {
  TestRun run;
  const std::uint32_t charged = run.intent();
  run.invoke(charged);
  const std::uint32_t ch = run.charge(charged);
  run.answer(charged, 201, created_body("pay_a", 1000, ch));
  const std::uint32_t accepted = run.intent();
  run.request(accepted, 202, accepted_body("pay_b"));  // accepted, not done: no claim of money
  CHECK(violations_of(run, kSuccessWasCharged).empty());

  const std::uint32_t told = run.intent();
  run.request(told, 201, created_body("pay_c", 1000, 7));  // a record written before its charge, say
  const std::vector<Violation> found = violations_of(run, kSuccessWasCharged);
  REQUIRE(found.size() == 1);
  CHECK(found[0].intent == "client-1/pi_3");
}

}  // namespace idemlab::checks::testing
