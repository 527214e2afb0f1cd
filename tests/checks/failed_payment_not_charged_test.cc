#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("failed_payment_not_charged: a decline, or a compensation that refunded, passes") {
  TestRun run;
  const std::uint32_t declined = run.intent();
  run.invoke(declined);
  run.decline(declined);
  run.answer(declined, 402, declined_body("pay_a", 1));
  const std::uint32_t compensated = run.intent();
  run.invoke(compensated);
  const std::uint32_t ch = run.charge(compensated);
  run.refund(compensated, ch);
  run.answer(compensated, 402, error_body("compensated"));
  // A 5xx is no definitive failure: the charge it may have made is not judged here.
  const std::uint32_t unknown = run.intent();
  run.invoke(unknown);
  run.charge(unknown);
  run.answer(unknown, 502, error_body("processor timed out"));
  CHECK(violations_of(run, kFailedPaymentNotCharged).empty());
}

TEST_CASE("failed_payment_not_charged: a charge landing after the failure answer, and a refund that missed it, fail") {
  TestRun run;
  const std::uint32_t pay = run.intent();
  run.invoke(pay);
  // The charge timed out, the compensation found nothing to refund, the API
  // said 402; then the charge landed.
  run.refund_missed(pay, "idem-k");
  run.answer(pay, 402, error_body("payment failed"));
  const std::uint32_t ch = run.charge(pay);
  CHECK(violations_of(run, kFailedPaymentNotCharged, false).empty());  // judged at quiescence only
  std::vector<Violation> found = violations_of(run, kFailedPaymentNotCharged);
  REQUIRE(found.size() == 1);
  CHECK(found[0].evidence.find("answered 402") == 0);
  CHECK(found[0].evidence.find("ch_" + std::to_string(ch) + " landed at") != std::string::npos);
  CHECK(found[0].evidence.find("a refund by its downstream key idem-k found nothing at") != std::string::npos);

  run.refund(pay, ch, 400);  // a partial refund leaves money charged
  found = violations_of(run, kFailedPaymentNotCharged);
  REQUIRE(found.size() == 1);
  CHECK(found[0].evidence.find("600 of 1000 charged") != std::string::npos);
}

TEST_CASE("failed_payment_not_charged: a success beside the failure is replay_matches_first's, not this one's") {
  TestRun run;
  const std::uint32_t pay = run.intent();
  run.invoke(pay);
  const std::uint32_t ch = run.charge(pay);
  run.answer(pay, 201, created_body("pay_a", 1000, ch));
  run.request(pay, 422, error_body("key reused with another payload"), 1, 2);
  CHECK(violations_of(run, kFailedPaymentNotCharged).empty());
}

}  // namespace idemlab::checks::testing
