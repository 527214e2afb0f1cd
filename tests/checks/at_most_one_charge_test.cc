#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("at_most_one_charge: a retry answered from the record passes; a retry that charged again fails") {
  TestRun run;
  const std::uint32_t pay = run.intent();
  run.invoke(pay);
  const std::uint32_t ch = run.charge(pay);
  run.timeout(pay);
  run.request(pay, 201, created_body("pay_a", 1000, ch), 2);
  CHECK(violations_of(run, kAtMostOneCharge).empty());

  run.charge(pay);  // a third request, or a redelivery, charged once more
  const std::vector<Violation> found = violations_of(run, kAtMostOneCharge);
  REQUIRE(found.size() == 1);
  CHECK(found[0].intent == "client-1/pi_1");
  CHECK(found[0].evidence == "charged 2 times, 2000 in all");
}

}  // namespace idemlab::checks::testing
