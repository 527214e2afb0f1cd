#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("refunds_within_charges: one refund of a charge passes; the compensation repeated fails") {
  TestRun run;
  const std::uint32_t pay = run.intent();
  run.invoke(pay);
  const std::uint32_t ch = run.charge(pay);
  run.refund(pay, ch, 1000);
  run.answer(pay, 402, declined_body("pay_a", ch));
  CHECK(violations_of(run, kRefundsWithinCharges).empty());

  run.refund(pay, ch, 1000);  // a retried compensation refunded again
  const std::vector<Violation> found = violations_of(run, kRefundsWithinCharges);
  REQUIRE(found.size() == 1);
  CHECK(found[0].evidence == "refunded 2000 of 1000 charged");
}

}  // namespace idemlab::checks::testing
