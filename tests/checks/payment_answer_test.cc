#include <catch2/catch.hpp>

#include "models/clients/payment_answer.h"
#include "tests/checks/test_run.h"

namespace idemlab::models::clients {

TEST_CASE("payment answers: the shipped bodies and other serialisations describe the same payment") {
  const PaymentAnswer created = describe_payment(checks::testing::created_body("pay_a", 1234, 7));
  CHECK(created.id_hash != 0);
  CHECK(created.has_amount);
  CHECK(created.amount == 1234);
  CHECK(created.charge == 7);
  CHECK(created.state == PaymentState::kSucceeded);

  // nlohmann's path: spaces, another key order, a float amount.
  const PaymentAnswer other = describe_payment(R"({ "status":"succeeded", "amount":1234.0, "id":"pay_a", "x":[1] })");
  CHECK(other.id_hash == created.id_hash);
  CHECK(other.amount == 1234);
  CHECK(other.charge == 0);

  CHECK(describe_payment(checks::testing::accepted_body("pay_a")).state == PaymentState::kProcessing);
  CHECK(describe_payment(R"({"id":"pay_a","status":"refunded"})").state == PaymentState::kOther);
}

TEST_CASE("payment answers: a body that is no payment names none, an amount of no minor units is -1") {
  for (const char* body : {"", "[]", "not json", "{\"error\":\"x\"}", "{\"id\":7}"}) {
    const PaymentAnswer p = describe_payment(body);
    CHECK(p.id_hash == 0);
    CHECK(p.state == PaymentState::kMissing);
  }
  CHECK(describe_payment(R"({"amount":12.5,"id":"p"})").amount == -1);
  CHECK(describe_payment(R"({"amount":1e300,"id":"p"})").amount == -1);
  CHECK_FALSE(describe_payment(R"({"amount":"12","id":"p"})").has_amount);
}

}  // namespace idemlab::models::clients
