#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("every_intent_resolved: charged, declined or refused intents pass; an accepted one never charged fails") {
  TestRun run;
  const std::uint32_t charged = run.intent();
  run.invoke(charged);
  const std::uint32_t ch = run.charge(charged);
  run.answer(charged, 201, created_body("pay_a", 1000, ch));
  const std::uint32_t declined = run.intent();
  run.request(declined, 202, accepted_body("pay_b"));
  run.decline(declined);  // the consumer's charge was declined: definitive, though the client saw a 202
  const std::uint32_t refused = run.intent();
  run.request(refused, 400, error_body("the Idempotency-Key header is required"));
  CHECK(violations_of(run, kEveryIntentResolved).empty());

  const std::uint32_t lost = run.intent();
  run.request(lost, 202, accepted_body("pay_d"));  // its message never reached a consumer
  CHECK(violations_of(run, kEveryIntentResolved, false).empty());  // not judged before quiescence
  const std::vector<Violation> found = violations_of(run, kEveryIntentResolved);
  REQUIRE(found.size() == 1);
  CHECK(found[0].intent == "client-1/pi_4");
  CHECK(is_liveness(kEveryIntentResolved));
}

}  // namespace idemlab::checks::testing
