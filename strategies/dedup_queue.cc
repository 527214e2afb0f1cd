// dedup_queue: the API records the key as accepted (with the payload's
// fingerprint, so that a reuse with another payload gets 422), publishes the
// payment to RabbitMQ with the key as the message id (waiting for the
// publisher confirm) and answers 202; a consumer records the message id in a
// dedup table in the same transaction as the payment, charges with a
// downstream key, and acks after the commit. A
// duplicate message (a republish after a lost confirm, a redelivery after a
// consumer crash) finds its id taken and is acked without effect. The outcome
// is read with GET /payments/{key} (or POST again: a completed key answers
// with the stored response).
//
// Textbook variant "dedup_row_after_effect": the same API, but the consumer
// of the tutorials: it checks the dedup table, charges (no downstream key),
// records the payment, and only then inserts the message id, in a
// transaction of its own, and acks. A crash between the effect and the dedup
// row (or a lost commit reply) lets the redelivery charge again.
#include <nlohmann/json.hpp>

#include "strategies/payment_request.h"
#include "strategies/queue_consumer.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

constexpr const char* kQueue = "payments";
constexpr const char* kSeen = "dedup_seen";
constexpr const char* kPayments = "dedup_payments";

ports::Schema schema() {
  ports::TableSchema seen;
  seen.name = kSeen;
  seen.columns = {{"message_id", ports::ColumnType::kText, false}};
  seen.primary_key = {"message_id"};
  ports::TableSchema payments;
  payments.name = kPayments;
  payments.columns = {{"key", ports::ColumnType::kText, false},
                      {"fingerprint", ports::ColumnType::kText, false},
                      {"response_status", ports::ColumnType::kBigint, false},
                      {"response_body", ports::ColumnType::kJson, false}};
  payments.primary_key = {"key"};
  return ports::Schema{{seen, payments}, {}};
}

std::optional<ports::Row> stored_payment(const std::vector<ports::Row>& rows) {
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

class DedupQueue final : public Strategy {
 public:
  enum class DedupRow : std::uint8_t { kInEffectTransaction, kAfterEffect };
  DedupQueue(const StrategyOptions& options, DedupRow dedup_row) : options_(options), dedup_row_(dedup_row) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await setup_tables_and_queue(ports, schema(), kQueue);
  }

  std::vector<std::string> queues() const override { return {kQueue}; }

  std::vector<Worker> workers() override {
    return {Worker{"payments-consumer", true, [this](ports::Ports ports) {
                     DeliveryHandler handle = [this, ports](ports::Consumer& consumer, ports::Delivery delivery) {
                       if (dedup_row_ == DedupRow::kAfterEffect) {
                         return process_marking_after(ports, consumer, std::move(delivery));
                       }
                       return process(ports, consumer, std::move(delivery));
                     };
                     return consume_forever(ports, kQueue, options_.poll_interval, std::move(handle));
                   }}};
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    auto opened = keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const KeyedPayment& keyed = std::get<KeyedPayment>(opened);
    const std::string& key = keyed.key;
    const std::string& fp = keyed.fingerprint;

    if (request.method == "GET") co_return co_await status(ports, key);

    // The key is recorded as accepted before the message is published, so
    // that a reuse with another payload is refused (422) even while the
    // first message waits in the queue; the consumer fills in the outcome.
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const api::Response pending = accepted(key);
    const ports::Row row{{"key", Value(key)},
                         {"fingerprint", Value(fp)},
                         {"response_status", Value(std::int64_t{pending.status})},
                         {"response_body", Value(pending.body)}};
    const ports::OnConflict first_only{{"key"}, ports::OnConflict::Action::kDoNothing, {}};
    auto claimed = co_await tx.value()->insert_on_conflict(kPayments, row, first_only);
    if (!claimed.is_ok()) co_return error_response(503, "database unavailable");
    std::optional<ports::Row> existing;
    if (!claimed.value()) {
      const ports::Where by_key{{"key", Value(key)}};
      auto rows = co_await tx.value()->select(kPayments, by_key, ports::RowLock::kNone);
      if (!rows.is_ok()) co_return error_response(503, "database unavailable");
      existing = stored_payment(rows.value());
    }
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return error_response(503, "database unavailable");
    if (existing) {
      if (std::get<std::string>(existing->at("fingerprint")) != fp) {
        co_return error_response(422, "the Idempotency-Key was used with another payload");
      }
      // A repeated POST answers like the first one did. Accepted but maybe
      // never published (a lost confirm): publish again; the consumer drops
      // the duplicate by its message id.
      if (std::get<std::int64_t>(existing->at("response_status")) != pending.status) co_return replay(202, pending.body);
    }

    ports::Message message;
    message.id = key;
    message.headers["origin"] = request.origin;
    message.headers["fingerprint"] = fp;
    message.body = request.body;
    auto published = co_await ports.queue.publish(kQueue, std::move(message));
    if (!published.is_ok()) co_return error_response(503, "the payment could not be queued; retry with the same key");
    co_return existing ? replay(202, pending.body) : pending;
  }

 private:
  // GET /payments/{key}: the outcome, once the consumer has recorded it.
  sim::Task<api::Response> status(ports::Ports ports, std::string key) {
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Where by_key{{"key", Value(key)}};
    auto rows = co_await tx.value()->select(kPayments, by_key, ports::RowLock::kNone);
    auto done = co_await tx.value()->commit();
    (void)done;
    if (!rows.is_ok()) co_return error_response(503, "database unavailable");
    const std::optional<ports::Row> row = stored_payment(rows.value());
    if (!row) co_return error_response(404, "no payment with this Idempotency-Key");
    co_return replay(static_cast<int>(std::get<std::int64_t>(row->at("response_status"))),
                     std::get<std::string>(row->at("response_body")));
  }

  // The outcome of the payment, over the API's "accepted" row.
  static sim::Task<bool> record_outcome(ports::Tx& tx, std::string key, std::string fingerprint,
                                        api::Response response) {
    const ports::Row record{{"key", Value(key)},
                            {"fingerprint", Value(fingerprint)},
                            {"response_status", Value(std::int64_t{response.status})},
                            {"response_body", Value(response.body)}};
    const ports::OnConflict outcome{{"key"},
                                    ports::OnConflict::Action::kDoUpdate,
                                    {{"response_status", Value(std::int64_t{response.status})},
                                     {"response_body", Value(response.body)}}};
    auto written = co_await tx.insert_on_conflict(kPayments, record, outcome);
    co_return written.is_ok();
  }

  sim::Task<void> process(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) {
    const std::string id = delivery.message.id;
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    const FirstTime first = co_await apply_once(*tx.value(), consumer, delivery, kSeen, "message_id");
    if (first == FirstTime::kFailed) co_return co_await retry_later(consumer, delivery.tag);
    if (first == FirstTime::kNo) co_return;  // a duplicate: its first delivery committed the effect
    const Parsed parsed = parse_payment(delivery.message.body);
    api::Response response = error_response(400, parsed.error);
    if (parsed.request) {
      ports::ChargeRequest charge = charge_request(*parsed.request, delivery.message.headers["origin"], "mq-" + id);
      auto charged = co_await ports.processor.charge(std::move(charge));
      if (!charged.is_ok()) co_return co_await retry_later(consumer, delivery.tag);  // rolls back the dedup row
      const std::string payment_id = payment_id_for("mq-" + id);
      response = charged.value().succeeded ? created(payment_id, *parsed.request, charged.value())
                                           : declined(payment_id, charged.value());
    }
    auto recorded = co_await record_outcome(*tx.value(), id, delivery.message.headers["fingerprint"], response);
    if (!recorded) co_return co_await retry_later(consumer, delivery.tag);
    co_await commit_then_ack(*tx.value(), consumer, delivery.tag);
  }

  // The tutorials' consumer: check, effect, then mark, each committed apart.
  sim::Task<void> process_marking_after(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) {
    const std::string id = delivery.message.id;
    const ports::Where by_id{{"message_id", Value(id)}};
    auto check = co_await ports.sql.begin(options_.isolation);
    if (!check.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    auto seen = co_await check.value()->select(kSeen, by_id, ports::RowLock::kNone);
    auto checked = co_await check.value()->commit();
    (void)checked;
    if (!seen.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    if (!seen.value().empty()) {
      auto acked = co_await consumer.ack(delivery.tag);
      (void)acked;
      co_return;
    }
    const Parsed parsed = parse_payment(delivery.message.body);
    api::Response response = error_response(400, parsed.error);
    if (parsed.request) {
      ports::ChargeRequest charge = charge_request(*parsed.request, delivery.message.headers["origin"], std::nullopt);
      auto charged = co_await ports.processor.charge(std::move(charge));
      if (!charged.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
      const std::string payment_id = "pay_" + ports.clock.unique_id();
      response = charged.value().succeeded ? created(payment_id, *parsed.request, charged.value())
                                           : declined(payment_id, charged.value());
    }
    auto effect = co_await ports.sql.begin(options_.isolation);
    if (!effect.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    auto recorded = co_await record_outcome(*effect.value(), id, delivery.message.headers["fingerprint"], response);
    if (!recorded) co_return co_await retry_later(consumer, delivery.tag);
    auto committed = co_await effect.value()->commit();
    if (!committed.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    // Only now is the message marked seen, in a transaction of its own.
    auto mark = co_await ports.sql.begin(options_.isolation);
    if (!mark.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    const ports::Row seen_row{{"message_id", Value(id)}};
    const ports::OnConflict once{{"message_id"}, ports::OnConflict::Action::kDoNothing, {}};
    auto marked = co_await mark.value()->insert_on_conflict(kSeen, seen_row, once);
    if (!marked.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    co_await commit_then_ack(*mark.value(), consumer, delivery.tag);
  }

  StrategyOptions options_;
  DedupRow dedup_row_;
};

}  // namespace

std::unique_ptr<Strategy> make_dedup_queue(const StrategyOptions& options) {
  return std::make_unique<DedupQueue>(options, DedupQueue::DedupRow::kInEffectTransaction);
}
std::unique_ptr<Strategy> make_dedup_row_after_effect(const StrategyOptions& options) {
  return std::make_unique<DedupQueue>(options, DedupQueue::DedupRow::kAfterEffect);
}

}  // namespace idemlab::strategies
