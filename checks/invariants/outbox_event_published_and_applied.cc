#include <map>

#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

// The row's text column `name`, or nullptr (absent, or of another type).
const std::string* text_column(const ports::Row& row, const char* name) {
  const auto it = row.find(name);
  return it == row.end() ? nullptr : std::get_if<std::string>(&it->second);
}

void check(const CheckContext& context, std::vector<Violation>& out) {
  GroundTruth& truth = context.truth();
  if (!context.options().liveness || !truth.has_table("outbox_events")) return;
  std::map<std::string, bool> applied;
  if (truth.has_table("outbox_applied")) {
    for (const ports::Row& row : truth.committed_rows("outbox_applied")) {
      if (const std::string* id = text_column(row, "event_id")) applied[*id] = true;
    }
  }
  for (const ports::Row& row : truth.committed_rows("outbox_events")) {
    const std::string* id = text_column(row, "event_id");
    const auto sent = row.find("sent");
    if (id == nullptr || sent == row.end()) continue;
    if (sent->second != ports::Value(std::int64_t{1})) {
      out.push_back({kOutboxDelivered, *id, "a committed outbox event was never marked sent"});
    } else if (!applied.count(*id)) {
      out.push_back({kOutboxDelivered, *id, "a published outbox event was never applied"});
    }
  }
}

}  // namespace

extern const InvariantInfo outbox_event_published_and_applied{
    kOutboxDelivered,
    "Every event a transaction committed to the outbox (outbox_events) is, at quiescence, marked sent by the relay "
    "and applied by its consumer (outbox_applied): the outbox loses no event between the database and the broker.",
    true, &check};

}  // namespace idemlab::checks::invariants
