#include <nlohmann/json.hpp>

#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  GroundTruth& truth = context.truth();
  const sim::Time now = truth.now();
  // A record with an expiry frees itself; only one without can be stuck.
  truth.for_each_key_without_expiry([&out](const std::string& key, const std::string& value) {
    if (value.find("in_progress") == std::string::npos) return;  // parse only candidates
    const nlohmann::json record = nlohmann::json::parse(value, nullptr, false);
    if (!record.is_object() || record.value("state", "") != "in_progress") return;
    out.push_back({kNoStuckKey, key, "Redis holds an in-progress record with no expiry"});
  });
  for (const std::string& table : truth.table_names()) {
    for (const ports::Row& row : truth.committed_rows(table)) {
      const auto status = row.find("status");
      const auto lease = row.find("lease_until");
      if (status == row.end() || lease == row.end()) continue;
      if (status->second != ports::Value(std::string("pending"))) continue;
      const auto* until = std::get_if<std::int64_t>(&lease->second);
      if (until == nullptr || *until + context.options().stuck_after > now) continue;
      const auto key = row.find("key");
      out.push_back({kNoStuckKey, key == row.end() ? table : ports::value_text(key->second),
                     "row of " + table + " still pending at " + sim::format_time(now) + ", its claim ran out at " +
                         sim::format_time(*until)});
    }
  }
}

}  // namespace

extern const InvariantInfo no_stuck_key{
    kNoStuckKey,
    "No idempotency key is left claimed for ever: at the end no Redis record in progress lacks an expiry, and no "
    "row still pending has a claim that ran out more than a minute ago, either of which would answer every later "
    "retry of its key with 409.",
    true, &check};

}  // namespace idemlab::checks::invariants
