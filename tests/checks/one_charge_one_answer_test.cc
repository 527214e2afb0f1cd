#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("one_charge_one_answer: a 202, then 201s describing one payment in other bytes, pass") {
  TestRun run;
  const std::uint32_t pay = run.intent(1000);
  run.request(pay, 202, accepted_body("pay_a"));
  const std::uint32_t ch = run.charge(pay);
  run.request(pay, 201, created_body("pay_a", 1000, ch), 2);
  // Another serialiser: keys in another order, spaces, the amount as 1000.0.
  run.request(pay, 200, "{ \"status\": \"succeeded\", \"id\": \"pay_a\", \"amount\": 1000.0 }", 3);
  CHECK(violations_of(run, kOneChargeOneAnswer).empty());
}

TEST_CASE("one_charge_one_answer: another id, amount, status or charge than the payment's fails") {
  TestRun run;
  const std::uint32_t first = run.intent(1000);
  run.invoke(first);
  const std::uint32_t ch = run.charge(first);
  run.answer(first, 201, created_body("pay_a", 1000, ch));
  const std::uint32_t second = run.intent(2500);
  run.invoke(second);
  const std::uint32_t ch2 = run.charge(second, 2500);
  run.answer(second, 201, created_body("pay_b", 2500, ch2));
  REQUIRE(violations_of(run, kOneChargeOneAnswer).empty());

  SECTION("a second answer naming another payment id") {
    run.request(first, 201, created_body("pay_z", 1000, ch), 1, 2);
    const std::vector<Violation> found = violations_of(run, kOneChargeOneAnswer);
    REQUIRE(found.size() == 1);
    CHECK(found[0].evidence.find("names another payment than the first 2xx") != std::string::npos);
  }
  SECTION("another intent's stored answer, under a key that collided") {
    run.request(first, 201, created_body("pay_b", 2500, ch2), 2);
    const std::vector<Violation> found = violations_of(run, kOneChargeOneAnswer);
    REQUIRE(found.size() == 1);
    CHECK(found[0].evidence.find("an amount of 2500, the intent pays 1000") != std::string::npos);
  }
  SECTION("a charge of another intent") {
    run.request(first, 201, created_body("pay_a", 1000, ch2), 2);
    const std::vector<Violation> found = violations_of(run, kOneChargeOneAnswer);
    REQUIRE(found.size() == 1);
    CHECK(found[0].evidence.find("names ch_2, which is no charge of this intent") != std::string::npos);
  }
  SECTION("a final status that changed") {
    run.request(first, 200, R"({"amount":1000,"id":"pay_a","status":"failed"})", 2);
    const std::vector<Violation> found = violations_of(run, kOneChargeOneAnswer);
    REQUIRE(found.size() == 1);
    CHECK(found[0].evidence.find("says failed, the first 2xx succeeded") != std::string::npos);
  }
  SECTION("a 2xx that names no payment") {
    run.request(first, 200, "{}", 2);
    const std::vector<Violation> found = violations_of(run, kOneChargeOneAnswer);
    REQUIRE(found.size() == 1);
    CHECK(found[0].evidence.find("names no payment") != std::string::npos);
  }
}

}  // namespace idemlab::checks::testing
