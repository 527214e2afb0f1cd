// Textbook variant "saga_steps_in_one_transaction": the four saga steps
// (create the payment record, reserve the funds, charge, notify) run inside
// ONE database transaction, committed at the end, on the belief that a
// rollback undoes everything. It undoes the rows only: the charge at the
// processor (no downstream key) and the notification stay. A crash or an
// error after the charge rolls back every trace of it, so the retry charges
// again; a failed notification "compensates" by rollback and leaves the
// customer charged with no payment on record.
//
// It shares the saga's tables (strategies/saga_tables.h).
#include "strategies/payment_request.h"
#include "strategies/queue_consumer.h"
#include "strategies/saga_tables.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

ports::Schema schema() {
  ports::TableSchema sagas;
  sagas.name = kSagas;
  sagas.columns = {{"key", ports::ColumnType::kText, false},
                   {"fingerprint", ports::ColumnType::kText, false},
                   {"status", ports::ColumnType::kText, false},
                   {"response_status", ports::ColumnType::kBigint, false},
                   {"response_body", ports::ColumnType::kJson, false}};
  sagas.primary_key = {"key"};
  return ports::Schema{{sagas, saga_reservations_table()}, {}};
}

class SagaInOneTransaction final : public Strategy {
 public:
  explicit SagaInOneTransaction(const StrategyOptions& options) : isolation_(options.isolation) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await setup_tables_and_queue(ports, schema(), kNotifications);
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    auto opened = keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const KeyedPayment keyed = std::get<KeyedPayment>(opened);

    auto tx = co_await ports.sql.begin(isolation_);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Where by_key{{"key", Value(keyed.key)}};
    auto found = co_await tx.value()->select(kSagas, by_key, ports::RowLock::kNone);
    if (!found.is_ok()) co_return error_response(503, "database unavailable");
    if (!found.value().empty()) {
      const ports::Row& row = found.value().front();
      auto done = co_await tx.value()->rollback();
      (void)done;
      if (std::get<std::string>(row.at("fingerprint")) != keyed.fingerprint) {
        co_return error_response(422, "the Idempotency-Key was used with another payload");
      }
      co_return replay(static_cast<int>(std::get<std::int64_t>(row.at("response_status"))),
                       std::get<std::string>(row.at("response_body")));
    }
    // Step 1, the payment record, and step 2, the reservation: not committed yet.
    const ports::Row saga{{"key", Value(keyed.key)},
                          {"fingerprint", Value(keyed.fingerprint)},
                          {"status", Value(std::string("completed"))},
                          {"response_status", Value(std::int64_t{0})},
                          {"response_body", Value(std::string("{}"))}};
    auto created_saga = co_await tx.value()->insert(kSagas, saga);
    if (!created_saga.is_ok()) co_return co_await abandon(*tx.value(), error_response(409, "request in progress"));
    const ports::Row reservation{{"key", Value(keyed.key)},
                                 {"amount", Value(keyed.payment.amount)},
                                 {"released", Value(std::int64_t{0})}};
    auto reserved = co_await tx.value()->insert(kReservations, reservation);
    if (!reserved.is_ok()) co_return co_await abandon(*tx.value(), error_response(503, "database unavailable"));
    // Step 3: the charge, which no rollback can take back.
    ports::ChargeRequest charge = charge_request(keyed.payment, request.origin, std::nullopt);
    auto charged = co_await ports.processor.charge(std::move(charge));
    if (!charged.is_ok()) co_return co_await abandon(*tx.value(), error_response(502, "payment processor error"));
    const std::string id = "pay_" + keyed.key;
    if (!charged.value().succeeded) co_return co_await abandon(*tx.value(), declined(id, charged.value()));
    // Step 4: notify; on failure, "compensate" by rolling back.
    ports::Message notification;
    notification.id = "notify-" + keyed.key;
    notification.body = "{\"payment\":\"" + keyed.key + "\"}";
    auto notified = co_await ports.queue.publish(kNotifications, std::move(notification));
    if (!notified.is_ok()) co_return co_await abandon(*tx.value(), error_response(503, "notification failed"));
    const api::Response response = created(id, keyed.payment, charged.value());
    const ports::Assignments answer{{"response_status", Value(std::int64_t{response.status})},
                                    {"response_body", Value(response.body)}};
    auto stored = co_await tx.value()->update(kSagas, by_key, answer);
    if (!stored.is_ok()) co_return co_await abandon(*tx.value(), error_response(503, "database unavailable"));
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return error_response(503, "database unavailable");
    co_return response;
  }

 private:
  ports::Isolation isolation_;
  // The "compensation" of this variant: a rollback, which forgets the charge.
  static sim::Task<api::Response> abandon(ports::Tx& tx, api::Response response) {
    auto undone = co_await tx.rollback();
    (void)undone;
    co_return response;
  }
};

}  // namespace

std::unique_ptr<Strategy> make_saga_one_transaction(const StrategyOptions& options) {
  return std::make_unique<SagaInOneTransaction>(options);
}

const StrategyInfo& saga_steps_in_one_transaction_strategy() {
  static const StrategyInfo kInfo{
      "saga_steps_in_one_transaction", "textbook: every saga step in one database transaction, the charge inside it", true, &make_saga_one_transaction,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"crash_after_charge_before_commit", {"at_most_one_charge"}},
          {"key_deleted_on_error_after_charge", {"at_most_one_charge"}},
          {"lost_publisher_confirm_republish", {"at_most_one_charge"}},
          {"postgres_restart_after_charge", {"at_most_one_charge"}},
          {"crash_before_notify", {"at_most_one_charge"}},
          {"notification_lost_after_charge", {"at_most_one_charge"}},
          {"network_timeout", {"at_most_one_charge"}},
          {"partial_failure", {"at_most_one_charge"}},
          {"worker_retry", {"at_most_one_charge"}},
          {"message_redelivery", {"at_most_one_charge"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
