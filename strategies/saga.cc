// saga: four steps, with the saga's state persisted (a JSON column) after
// every step so that a crash can be recovered from where it stopped:
//   1 create the payment record   (the saga row; compensation: mark it compensated)
//   2 reserve the funds           (a reservation row; compensation: release it)
//   3 charge                      (downstream key; a decline is compensated in reverse)
//   4 notify                      (publish to payment-notifications)
// A recovery worker resumes sagas left behind by a crash (a running saga whose
// lease ran out): forward, since the downstream key makes the charge safe to
// repeat; a decline compensates. A request for a running saga whose lease ran
// out takes it over the same way.
//
// The saga row's status is running, completed or compensated, words the
// checker reads as work under way or over (models/port_history.h).
#include <nlohmann/json.hpp>

#include "strategies/payment_request.h"
#include "strategies/queue_consumer.h"
#include "strategies/saga_tables.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using nlohmann::json;
using ports::Value;

ports::Schema schema() {
  ports::TableSchema sagas;
  sagas.name = kSagas;
  sagas.columns = {{"key", ports::ColumnType::kText, false},         {"fingerprint", ports::ColumnType::kText, false},
                   {"status", ports::ColumnType::kText, false},      {"state", ports::ColumnType::kJson, false},
                   {"owner", ports::ColumnType::kText, false},       {"lease_until", ports::ColumnType::kBigint, false},
                   {"body", ports::ColumnType::kText, false},        {"origin", ports::ColumnType::kText, false},
                   {"response_status", ports::ColumnType::kBigint, true},
                   {"response_body", ports::ColumnType::kJson, true}};
  sagas.primary_key = {"key"};
  return ports::Schema{{sagas, saga_reservations_table()}, {}};
}

std::string text(const ports::Row& row, const char* column) { return std::get<std::string>(row.at(column)); }

struct SagaState {
  int step = 1;  // the last step done
  std::string charge;
};

SagaState state_of(const ports::Row& row) {
  const json j = json::parse(text(row, "state"), nullptr, false);
  SagaState s;
  if (j.is_object()) {
    s.step = j.value("step", 1);
    s.charge = j.value("charge", std::string());
  }
  return s;
}

std::string state_text(const SagaState& s) {
  json j = json::object();
  j["step"] = s.step;
  if (!s.charge.empty()) j["charge"] = s.charge;
  return j.dump();
}

class Saga final : public Strategy {
 public:
  explicit Saga(const StrategyOptions& options) : options_(options) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await setup_tables_and_queue(ports, schema(), kNotifications);
  }

  std::vector<Worker> workers() override {
    return {Worker{"saga-recovery", true, [this](ports::Ports ports) { return recover_forever(ports); }}};
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    auto opened = keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const KeyedPayment& keyed = std::get<KeyedPayment>(opened);
    const std::string& key = keyed.key;
    const std::string& fp = keyed.fingerprint;
    const std::string token = ports.clock.unique_id();
    const sim::Time lease_until = ports.clock.now() + options_.lock_ttl;

    // Step 1: create the payment record (the saga), or find it.
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    SagaState fresh;
    const ports::Row saga{{"key", Value(key)},
                          {"fingerprint", Value(fp)},
                          {"status", Value(std::string("running"))},
                          {"state", Value(state_text(fresh))},
                          {"owner", Value(token)},
                          {"lease_until", Value(lease_until)},
                          {"body", Value(request.body)},
                          {"origin", Value(request.origin)},
                          {"response_status", Value()},
                          {"response_body", Value()}};
    const ports::OnConflict first_only{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
    auto created_saga = co_await tx.value()->insert_on_conflict(kSagas, saga, first_only);
    if (!created_saga.is_ok()) co_return error_response(503, "database unavailable");
    if (created_saga.value()) {
      auto committed = co_await tx.value()->commit();
      if (!committed.is_ok()) co_return error_response(503, "database unavailable");
      co_return co_await run(ports, key, token, fresh);
    }
    const ports::Where by_key{{"key", Value(key)}};
    auto rows = co_await tx.value()->select(kSagas, by_key, ports::RowLock::kNone);
    auto done = co_await tx.value()->commit();
    (void)done;
    if (!rows.is_ok() || rows.value().empty()) co_return error_response(503, "database unavailable");
    const ports::Row existing = rows.value().front();
    if (text(existing, "fingerprint") != fp) co_return error_response(422, "the Idempotency-Key was used with another payload");
    if (text(existing, "status") != "running") {
      co_return replay(static_cast<int>(std::get<std::int64_t>(existing.at("response_status"))), text(existing, "response_body"));
    }
    if (std::get<std::int64_t>(existing.at("lease_until")) > ports.clock.now()) {
      co_return error_response(409, "a request with this Idempotency-Key is in progress");
    }
    if (!co_await take_over(ports, key, text(existing, "owner"), token, lease_until)) {
      co_return error_response(409, "a request with this Idempotency-Key is in progress");
    }
    co_return co_await run(ports, key, token, state_of(existing));
  }

 private:
  // Runs the saga from the step after `state.step`, as its owner `token`.
  sim::Task<api::Response> run(ports::Ports ports, std::string key, std::string token, SagaState state) {
    auto loaded = co_await load(ports, key);
    if (!loaded) co_return error_response(503, "database unavailable");
    const ports::Row saga = *loaded;
    const Parsed parsed = parse_payment(text(saga, "body"));
    if (!parsed.request) co_return co_await finish(ports, key, token, state, "compensated", error_response(400, parsed.error));

    if (state.step < 2) {  // step 2: reserve the funds
      auto tx = co_await ports.sql.begin(options_.isolation);
      if (!tx.is_ok()) co_return error_response(503, "database unavailable");
      const ports::Row reservation{{"key", Value(key)}, {"amount", Value(parsed.request->amount)}, {"released", Value(std::int64_t{0})}};
      const ports::OnConflict once{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
      auto reserved = co_await tx.value()->insert_on_conflict(kReservations, reservation, once);
      if (!reserved.is_ok()) co_return error_response(503, "database unavailable");
      state.step = 2;
      if (!co_await save(*tx.value(), key, token, state)) co_return error_response(409, "the saga was taken over");
      auto committed = co_await tx.value()->commit();
      if (!committed.is_ok()) co_return error_response(503, "database unavailable");
    }
    if (state.step < 3) {  // step 3: charge
      ports::ChargeRequest charge = charge_request(*parsed.request, text(saga, "origin"), "saga-" + key);
      auto charged = co_await ports.processor.charge(std::move(charge));
      if (!charged.is_ok()) co_return error_response(503, "payment processor did not answer; retry with the same key");
      const std::string id = "pay_" + key;
      if (!charged.value().succeeded) {
        // Compensate in reverse: release the reservation, then close the saga.
        co_return co_await compensate(ports, key, token, state, declined(id, charged.value()));
      }
      state.step = 3;
      state.charge = charged.value().charge_id;
      auto tx = co_await ports.sql.begin(options_.isolation);
      if (!tx.is_ok()) co_return error_response(503, "database unavailable");
      if (!co_await save(*tx.value(), key, token, state)) co_return error_response(409, "the saga was taken over");
      auto committed = co_await tx.value()->commit();
      if (!committed.is_ok()) co_return error_response(503, "database unavailable");
    }
    // Step 4: notify, then complete.
    ports::Message notification;
    notification.id = "notify-" + key;
    notification.body = "{\"payment\":\"" + key + "\",\"charge\":\"" + state.charge + "\"}";
    auto notified = co_await ports.queue.publish(kNotifications, std::move(notification));
    if (!notified.is_ok()) co_return error_response(503, "the notification could not be sent; retry with the same key");
    ports::Charge charge;
    charge.charge_id = state.charge;
    state.step = 4;
    co_return co_await finish(ports, key, token, state, "completed", created("pay_" + key, *parsed.request, charge));
  }

  sim::Task<api::Response> compensate(ports::Ports ports, std::string key, std::string token, SagaState state,
                                      api::Response response) {
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Where by_key{{"key", Value(key)}};
    const ports::Assignments released{{"released", Value(std::int64_t{1})}};
    auto undone = co_await tx.value()->update(kReservations, by_key, released);
    if (!undone.is_ok()) co_return error_response(503, "database unavailable");
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return error_response(503, "database unavailable");
    co_return co_await finish(ports, key, token, state, "compensated", response);
  }

  sim::Task<api::Response> finish(ports::Ports ports, std::string key, std::string token, SagaState state,
                                  std::string status, api::Response response) {
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Where ours{{"key", Value(key)}, {"owner", Value(token)}, {"status", Value(std::string("running"))}};
    const ports::Assignments closed{{"status", Value(status)},
                                    {"state", Value(state_text(state))},
                                    {"response_status", Value(std::int64_t{response.status})},
                                    {"response_body", Value(response.body)}};
    auto updated = co_await tx.value()->update(kSagas, ours, closed);
    if (!updated.is_ok() || updated.value().empty()) co_return error_response(409, "the saga was taken over");
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return error_response(503, "database unavailable");
    co_return response;
  }

  // Persists the state after a step, if this request still owns the saga.
  sim::Task<bool> save(ports::Tx& tx, std::string key, std::string token, SagaState state) {
    const ports::Where ours{{"key", Value(key)}, {"owner", Value(token)}, {"status", Value(std::string("running"))}};
    const ports::Assignments step{{"state", Value(state_text(state))}};
    auto updated = co_await tx.update(kSagas, ours, step);
    co_return updated.is_ok() && !updated.value().empty();
  }

  sim::Task<std::optional<ports::Row>> load(ports::Ports ports, std::string key) {
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return std::nullopt;
    const ports::Where by_key{{"key", Value(key)}};
    auto rows = co_await tx.value()->select(kSagas, by_key, ports::RowLock::kNone);
    auto done = co_await tx.value()->commit();
    (void)done;
    if (!rows.is_ok() || rows.value().empty()) co_return std::nullopt;
    co_return rows.value().front();
  }

  sim::Task<bool> take_over(ports::Ports ports, std::string key, std::string old_owner, std::string token,
                            sim::Time lease_until) {
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return false;
    const ports::Where theirs{{"key", Value(key)}, {"owner", Value(old_owner)}, {"status", Value(std::string("running"))}};
    const ports::Assignments mine{{"owner", Value(token)}, {"lease_until", Value(lease_until)}};
    auto updated = co_await tx.value()->update(kSagas, theirs, mine);
    if (!updated.is_ok() || updated.value().empty()) co_return false;
    auto committed = co_await tx.value()->commit();
    co_return committed.is_ok();
  }

  // Resumes running sagas whose lease ran out (their request crashed).
  sim::Task<void> recover_forever(ports::Ports ports) {
    for (;;) {
      co_await ports.clock.sleep(options_.lock_ttl / 2);
      auto tx = co_await ports.sql.begin(options_.isolation);
      if (!tx.is_ok()) continue;
      const ports::Where running{{"status", Value(std::string("running"))}};
      auto rows = co_await tx.value()->select(kSagas, running, ports::RowLock::kNone);
      auto done = co_await tx.value()->commit();
      (void)done;
      if (!rows.is_ok()) continue;
      for (const ports::Row& row : rows.value()) {
        if (std::get<std::int64_t>(row.at("lease_until")) > ports.clock.now()) continue;
        const std::string key = text(row, "key");
        const std::string token = ports.clock.unique_id();
        if (!co_await take_over(ports, key, text(row, "owner"), token, ports.clock.now() + options_.lock_ttl)) continue;
        auto resumed = co_await run(ports, key, token, state_of(row));
        (void)resumed;  // nobody waits for this answer; it is stored with the saga
      }
    }
  }

  StrategyOptions options_;
};

}  // namespace

std::unique_ptr<Strategy> make_saga(const StrategyOptions& options) { return std::make_unique<Saga>(options); }

const StrategyInfo& saga_strategy() {
  static const StrategyInfo kInfo{
      "saga", "four steps with persisted state, compensations in reverse, a recovery worker", false, &make_saga,
      Breaks{}};  // it survives every shipped scenario
  return kInfo;
}

}  // namespace idemlab::strategies
