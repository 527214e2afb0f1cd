#include <catch2/catch.hpp>
#include <set>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("invariants: each registered once, with a paragraph, found by name") {
  std::set<std::string> names;
  for (const InvariantInfo* info : all_invariants()) {
    CHECK(names.insert(info->name).second);
    CHECK(std::string(info->paragraph).size() > 80);
    CHECK(find_invariant(info->name) == info);
  }
  CHECK(names.size() == invariant_names().size());
  CHECK(find_invariant("no_such_invariant") == nullptr);
  CHECK(is_liveness(kEveryIntentResolved));
  CHECK_FALSE(is_liveness(kAtMostOneCharge));
}

TEST_CASE("invariants: a selection judges only what it selects, and never what it excludes") {
  TestRun run;
  const std::uint32_t pay = run.intent();
  run.request(pay, 201, created_body("pay_a", 1000, 9));  // told success, never charged
  run.charge(pay);
  run.charge(pay);  // and then charged twice
  CheckOptions options;
  options.liveness = true;
  std::set<std::string> broken;
  for (const Violation& v : check(run, options)) broken.insert(v.invariant);
  CHECK(broken == std::set<std::string>{kAtMostOneCharge, kOneChargeOneAnswer});

  InvariantSelection selection;
  selection.excluded = {kAtMostOneCharge};
  options.invariants = &selection;
  broken.clear();
  for (const Violation& v : check(run, options)) broken.insert(v.invariant);
  CHECK(broken == std::set<std::string>{kOneChargeOneAnswer});

  selection = InvariantSelection{};
  selection.only = {kAtMostOneCharge, kSuccessWasCharged};
  broken.clear();
  for (const Violation& v : check(run, options)) broken.insert(v.invariant);
  CHECK(broken == std::set<std::string>{kAtMostOneCharge});
}

}  // namespace idemlab::checks::testing
