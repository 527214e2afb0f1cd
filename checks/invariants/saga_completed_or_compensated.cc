#include <map>

#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  GroundTruth& truth = context.truth();
  if (!context.options().liveness || !truth.has_table("sagas")) return;
  std::map<std::string, bool> released;
  if (truth.has_table("saga_reservations")) {
    for (const ports::Row& row : truth.committed_rows("saga_reservations")) {
      const auto key = row.find("key");
      const auto flag = row.find("released");
      if (key == row.end() || flag == row.end() || !std::holds_alternative<std::string>(key->second)) continue;
      released[std::get<std::string>(key->second)] = flag->second == ports::Value(std::int64_t{1});
    }
  }
  for (const ports::Row& row : truth.committed_rows("sagas")) {
    const auto key = row.find("key");
    const auto status = row.find("status");
    if (key == row.end() || status == row.end()) continue;
    const std::string* k = std::get_if<std::string>(&key->second);
    const std::string* s = std::get_if<std::string>(&status->second);
    if (k == nullptr || s == nullptr || *s == "completed") continue;
    if (*s == "compensated") {
      const auto it = released.find(*k);
      if (it != released.end() && !it->second) out.push_back({kSagaFinished, *k, "compensated, but its funds are still reserved"});
      continue;
    }
    out.push_back({kSagaFinished, *k, "saga still " + *s + " at the end of the run"});
  }
}

}  // namespace

extern const InvariantInfo saga_completed_or_compensated{
    kSagaFinished,
    "Every saga (a row of sagas) ends, at quiescence, completed, or compensated with its reservation released "
    "(saga_reservations): none is left half done by a crash between its steps.",
    true, &check};

}  // namespace idemlab::checks::invariants
