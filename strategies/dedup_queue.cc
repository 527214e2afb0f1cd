// dedup_queue: the API publishes the payment to RabbitMQ with the key as the
// message id (waiting for the publisher confirm) and answers 202; a consumer
// records the message id in a dedup table in the same transaction as the
// payment, charges with a downstream key, and acks after the commit. A
// duplicate message (a republish after a lost confirm, a redelivery after a
// consumer crash) finds its id taken and is acked without effect. The outcome
// is read with GET /payments/{key} (or POST again: a completed key answers
// with the stored response).
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
  explicit DedupQueue(const StrategyOptions& options) : options_(options) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await setup_tables_and_queue(ports, schema(), kQueue);
  }

  std::vector<std::string> queues() const override { return {kQueue}; }

  std::vector<Worker> workers() override {
    return {Worker{"payments-consumer", true, [this](ports::Ports ports) {
                     DeliveryHandler handle = [this, ports](ports::Consumer& consumer, ports::Delivery delivery) {
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

    // A completed key answers with its stored response.
    auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Where by_key{{"key", Value(key)}};
    auto rows = co_await tx.value()->select(kPayments, by_key, ports::RowLock::kNone);
    auto done = co_await tx.value()->commit();
    (void)done;
    if (!rows.is_ok()) co_return error_response(503, "database unavailable");
    if (const std::optional<ports::Row> row = stored_payment(rows.value())) {
      if (std::get<std::string>(row->at("fingerprint")) != fp) {
        co_return error_response(422, "the Idempotency-Key was used with another payload");
      }
      // GET reads the outcome; a repeated POST answers like the first one did.
      if (request.method == "GET") {
        co_return replay(static_cast<int>(std::get<std::int64_t>(row->at("response_status"))),
                         std::get<std::string>(row->at("response_body")));
      }
      co_return replay(202, accepted(key).body);
    }
    if (request.method == "GET") co_return accepted(key);

    ports::Message message;
    message.id = key;
    message.headers["origin"] = request.origin;
    message.headers["fingerprint"] = fp;
    message.body = request.body;
    auto published = co_await ports.queue.publish(kQueue, std::move(message));
    if (!published.is_ok()) co_return error_response(503, "the payment could not be queued; retry with the same key");
    co_return accepted(key);
  }

 private:
  sim::Task<void> process(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) {
    const std::string id = delivery.message.id;
    auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
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
      const std::string payment_id = "pay_" + ports.clock.unique_id();
      response = charged.value().succeeded ? created(payment_id, *parsed.request, charged.value())
                                           : declined(payment_id, charged.value());
    }
    const ports::Row record{{"key", Value(id)},
                            {"fingerprint", Value(delivery.message.headers["fingerprint"])},
                            {"response_status", Value(std::int64_t{response.status})},
                            {"response_body", Value(response.body)}};
    auto inserted = co_await tx.value()->insert(kPayments, record);
    if (!inserted.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    auto acked = co_await consumer.ack(delivery.tag);  // after the commit
    (void)acked;
  }

  StrategyOptions options_;
};

}  // namespace

std::unique_ptr<Strategy> make_dedup_queue(const StrategyOptions& options) { return std::make_unique<DedupQueue>(options); }

}  // namespace idemlab::strategies
