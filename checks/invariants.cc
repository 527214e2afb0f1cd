#include "checks/invariants.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace idemlab::checks {
namespace {

using models::clients::HistoryEvent;

struct IntentLedger {
  std::int64_t charges = 0;
  std::int64_t charged = 0;
  std::int64_t refunded = 0;
};

std::map<std::string, IntentLedger> ledger_by_intent(const std::vector<models::processor::LedgerEntry>& ledger) {
  std::map<std::string, IntentLedger> out;
  for (const auto& entry : ledger) {
    IntentLedger& l = out[entry.intent];
    if (entry.kind == models::processor::LedgerEntry::Kind::kCharge) {
      ++l.charges;
      l.charged += entry.amount;
    } else {
      l.refunded += entry.amount;
    }
  }
  return out;
}

bool is_answer(const HistoryEvent& e) {
  return (e.kind == HistoryEvent::Kind::kOk || e.kind == HistoryEvent::Kind::kFail) && e.status != 0;
}
// A documented answer that is not a result: conflict, reuse, bad request, or
// a transient server error.
bool is_conflict_or_transient(int status) { return status == 409 || status == 422 || status == 400 || status >= 500; }
bool is_success(int status) { return status >= 200 && status < 300 && status != 202; }
bool is_definitive_failure(int status) { return status >= 400 && status < 500 && status != 409 && status != 429; }

void check_stuck_records(GroundTruth& world, const CheckOptions& options, std::vector<Violation>& out) {
  const sim::Time now = world.now();
  // A record with an expiry frees itself; only one without can be stuck.
  world.for_each_key_without_expiry([&out](const std::string& key, const std::string& value) {
    if (value.find("in_progress") == std::string::npos) return;  // parse only candidates
    const nlohmann::json record = nlohmann::json::parse(value, nullptr, false);
    if (!record.is_object() || record.value("state", "") != "in_progress") return;
    out.push_back({kNoStuckKey, key, "Redis holds an in-progress record with no expiry"});
  });
  for (const std::string& table : world.table_names()) {
    for (const ports::Row& row : world.committed_rows(table)) {
      const auto status = row.find("status");
      const auto lease = row.find("lease_until");
      if (status == row.end() || lease == row.end()) continue;
      if (status->second != ports::Value(std::string("pending"))) continue;
      const auto* until = std::get_if<std::int64_t>(&lease->second);
      if (until == nullptr || *until + options.stuck_after > now) continue;
      const auto key = row.find("key");
      out.push_back({kNoStuckKey, key == row.end() ? table : ports::value_text(key->second),
                     "row of " + table + " still pending at " + sim::format_time(now) + ", its claim ran out at " +
                         sim::format_time(*until)});
    }
  }
}

void check_outbox(GroundTruth& world, const CheckOptions& options, std::vector<Violation>& out) {
  if (!options.liveness || !world.has_table("outbox_events")) return;
  std::map<std::string, bool> applied;
  if (world.has_table("outbox_applied")) {
    for (const ports::Row& row : world.committed_rows("outbox_applied")) {
      applied[std::get<std::string>(row.at("event_id"))] = true;
    }
  }
  for (const ports::Row& row : world.committed_rows("outbox_events")) {
    const std::string id = std::get<std::string>(row.at("event_id"));
    if (row.at("sent") != ports::Value(std::int64_t{1})) {
      out.push_back({kOutboxDelivered, id, "a committed outbox event was never marked sent"});
    } else if (!applied.count(id)) {
      out.push_back({kOutboxDelivered, id, "a published outbox event was never applied"});
    }
  }
}

void check_sagas(GroundTruth& world, const CheckOptions& options, std::vector<Violation>& out) {
  if (!options.liveness || !world.has_table("sagas")) return;
  std::map<std::string, bool> released;
  if (world.has_table("saga_reservations")) {
    for (const ports::Row& row : world.committed_rows("saga_reservations")) {
      released[std::get<std::string>(row.at("key"))] = row.at("released") == ports::Value(std::int64_t{1});
    }
  }
  for (const ports::Row& row : world.committed_rows("sagas")) {
    const std::string key = std::get<std::string>(row.at("key"));
    const std::string status = std::get<std::string>(row.at("status"));
    if (status == "completed") continue;
    if (status == "compensated") {
      const auto it = released.find(key);
      if (it != released.end() && !it->second) out.push_back({kSagaFinished, key, "compensated, but its funds are still reserved"});
      continue;
    }
    out.push_back({kSagaFinished, key, "saga still " + status + " at the end of the run"});
  }
}

// The simulator's ground truth: the models themselves, read in place.
class ModelTruth final : public GroundTruth {
 public:
  explicit ModelTruth(models::World& world) : world_(world) {}
  const models::clients::History& history() override { return world_.history(); }
  const std::vector<models::processor::LedgerEntry>& ledger() override { return world_.processor().ledger(); }
  const std::map<std::string, std::int64_t>& declines() override { return world_.processor().declines(); }
  void for_each_key_without_expiry(const std::function<void(const std::string&, const std::string&)>& visit) override {
    for (const auto& [key, entry] : world_.redis().primary().entries()) {
      if (entry.expire_at == sim::kTimeNever) visit(key, entry.value);
    }
  }
  bool has_table(const std::string& table) override { return world_.postgres().has_table(table); }
  std::vector<std::string> table_names() override { return world_.postgres().table_names(); }
  std::vector<ports::Row> committed_rows(const std::string& table) override {
    return world_.postgres().committed_rows(table);
  }
  sim::Time now() override { return world_.sim().now(); }

 private:
  models::World& world_;
};

}  // namespace

const std::vector<std::string>& invariant_names() {
  static const std::vector<std::string> kNames = {kAtMostOneCharge,     kRefundsWithinCharges, kSuccessWasCharged,
                                                  kEveryIntentResolved, kReplayMatchesFirst,   kNoStuckKey,
                                                  kOutboxDelivered,     kSagaFinished};
  return kNames;
}

bool is_liveness(const std::string& invariant) {
  return invariant == kEveryIntentResolved || invariant == kNoStuckKey || invariant == kOutboxDelivered ||
         invariant == kSagaFinished;
}

std::unique_ptr<GroundTruth> model_truth(models::World& world) { return std::make_unique<ModelTruth>(world); }

bool liveness_open(GroundTruth& truth, const CheckOptions& options) {
  for (const Violation& v : check(truth, options)) {
    if (is_liveness(v.invariant)) return true;
  }
  return false;
}

std::vector<Violation> check_world(models::World& world, const CheckOptions& options) {
  ModelTruth truth(world);
  return check(truth, options);
}

std::vector<Violation> check(GroundTruth& world, const CheckOptions& options) {
  std::vector<Violation> out;
  const models::clients::History& history = world.history();
  const std::map<std::string, IntentLedger> ledger = ledger_by_intent(world.ledger());

  // Every event of an intent, in order.
  std::vector<std::vector<const HistoryEvent*>> events(history.intents().size());
  for (const HistoryEvent& e : history.events()) events[e.intent].push_back(&e);

  for (std::size_t i = 0; i < history.intents().size(); ++i) {
    const std::string intent = history.intent_id(history.intents()[i]);
    const auto found = ledger.find(intent);
    const IntentLedger money = found == ledger.end() ? IntentLedger{} : found->second;

    if (money.charges > 1) {
      out.push_back({kAtMostOneCharge, intent, "charged " + std::to_string(money.charges) + " times, " +
                                                   std::to_string(money.charged) + " in all"});
    }
    if (money.refunded > money.charged) {
      out.push_back({kRefundsWithinCharges, intent, "refunded " + std::to_string(money.refunded) + " of " +
                                                        std::to_string(money.charged) + " charged"});
    }

    const HistoryEvent* first = nullptr;  // the first answer that is a result
    bool told_success = false;
    bool failed_definitively = false;
    for (const HistoryEvent* e : events[i]) {
      if (!is_answer(*e)) continue;
      told_success |= is_success(e->status);
      failed_definitively |= is_definitive_failure(e->status);
      if (is_conflict_or_transient(e->status)) continue;
      if (first == nullptr) {
        first = e;
        continue;
      }
      if (e->status != first->status || e->body_hash != first->body_hash) {
        out.push_back({kReplayMatchesFirst, intent,
                       "attempt " + std::to_string(e->attempt) + " (sender " + std::to_string(e->sender) + ") got " +
                           std::to_string(e->status) + (e->replayed ? " (replayed)" : "") +
                           " with another body than the first answer, " + std::to_string(first->status) + " at " +
                           sim::format_time(first->at)});
      }
    }
    if (told_success && money.charges == 0) {
      out.push_back({kSuccessWasCharged, intent, "the client was told success, the ledger has no charge"});
    }
    // A decline is definitive too, even if the client only ever saw a 202.
    failed_definitively |= world.declines().count(intent) != 0;
    if (options.liveness && money.charges == 0 && !failed_definitively) {
      out.push_back({kEveryIntentResolved, intent, "neither charged nor definitively failed at quiescence"});
    }
  }
  check_stuck_records(world, options, out);
  check_outbox(world, options, out);
  check_sagas(world, options, out);
  return out;
}

}  // namespace idemlab::checks
