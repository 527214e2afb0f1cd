// outbox: the transactional outbox. The API writes the payment (pending) and
// an outbox event in one transaction and answers 202; a relay publishes
// unsent events to RabbitMQ and marks them sent; a consumer applies each event
// once, recording its id in the same transaction as the effect, and charges
// with a downstream key. A relay that crashes after publishing and before
// marking the event sent publishes it again: the consumer deduplicates.
#include <nlohmann/json.hpp>

#include "strategies/payment_lookup.h"
#include "strategies/payment_request.h"
#include "strategies/queue_consumer.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using nlohmann::json;
using ports::Value;

constexpr const char* kQueue = "payment-events";
constexpr const char* kPayments = "outbox_payments";
constexpr const char* kEvents = "outbox_events";
constexpr const char* kApplied = "outbox_applied";

ports::Schema schema() {
  ports::TableSchema payments;
  payments.name = kPayments;
  payments.columns = {{"key", ports::ColumnType::kText, false},
                      {"fingerprint", ports::ColumnType::kText, false},
                      {"response_status", ports::ColumnType::kBigint, true},
                      {"response_body", ports::ColumnType::kJson, true}};
  payments.primary_key = {"key"};
  ports::TableSchema events;
  events.name = kEvents;
  events.columns = {{"event_id", ports::ColumnType::kText, false},
                    {"payload", ports::ColumnType::kJson, false},
                    {"sent", ports::ColumnType::kBigint, false}};
  events.primary_key = {"event_id"};
  ports::TableSchema applied;
  applied.name = kApplied;
  applied.columns = {{"event_id", ports::ColumnType::kText, false}};
  applied.primary_key = {"event_id"};
  return ports::Schema{{payments, events, applied}, {}};
}

class Outbox final : public Strategy {
 public:
  explicit Outbox(const StrategyOptions& options) : options_(options) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await setup_tables_and_queue(ports, schema(), kQueue);
  }

  std::vector<std::string> queues() const override { return {kQueue}; }
  bool answers_lookups() const override { return true; }

  std::vector<Worker> workers() override {
    return {Worker{"outbox-relay", true, [this](ports::Ports ports) { return relay_forever(ports); }},
            Worker{"events-consumer", true, [this](ports::Ports ports) {
                     DeliveryHandler handle = [this, ports](ports::Consumer& consumer, ports::Delivery delivery) {
                       return apply(ports, consumer, std::move(delivery));
                     };
                     return consume_forever(ports, kQueue, options_.poll_interval, std::move(handle));
                   }}};
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    if (request.method == "GET") {
      auto key = lookup_key(request);
      if (auto* refusal = std::get_if<api::Response>(&key)) co_return *refusal;
      sim::Task<api::Response> looked_up = stored_outcome(ports, options_.isolation, kPayments, std::get<std::string>(key));
      co_return co_await std::move(looked_up);
    }
    auto opened = keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const KeyedPayment& keyed = std::get<KeyedPayment>(opened);
    const std::string& key = keyed.key;
    const std::string& fp = keyed.fingerprint;

    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Row payment{{"key", Value(key)}, {"fingerprint", Value(fp)}, {"response_status", Value()},
                             {"response_body", Value()}};
    const ports::OnConflict first_only{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
    auto inserted = co_await tx.value()->insert_on_conflict(kPayments, payment, first_only);
    if (!inserted.is_ok()) co_return error_response(503, "database unavailable");
    if (!inserted.value()) {
      const ports::Where by_key{{"key", Value(key)}};
      auto rows = co_await tx.value()->select(kPayments, by_key, ports::RowLock::kNone);
      auto done = co_await tx.value()->commit();
      (void)done;
      if (!rows.is_ok() || rows.value().empty()) co_return error_response(503, "database unavailable");
      const ports::Row& row = rows.value().front();
      if (std::get<std::string>(row.at("fingerprint")) != fp) {
        co_return error_response(422, "the Idempotency-Key was used with another payload");
      }
      co_return replay(202, accepted(key).body);  // a repeated POST answers like the first one
    }
    json payload = json::object();
    payload["key"] = key;
    payload["origin"] = request.origin;
    payload["body"] = request.body;
    const ports::Row event{{"event_id", Value(key)}, {"payload", Value(payload.dump())}, {"sent", Value(std::int64_t{0})}};
    auto queued = co_await tx.value()->insert(kEvents, event);
    if (!queued.is_ok()) co_return error_response(503, "database unavailable");
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return error_response(503, "the payment could not be recorded; retry with the same key");
    co_return accepted(key);
  }

 private:
  // Publishes unsent events, oldest key first, and marks each sent.
  sim::Task<void> relay_forever(ports::Ports ports) {
    for (;;) {
      const bool published_any = co_await relay_once(ports);
      if (!published_any) co_await ports.clock.sleep(options_.poll_interval);
    }
  }

  sim::Task<bool> relay_once(ports::Ports ports) {
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return false;
    const ports::Where unsent{{"sent", Value(std::int64_t{0})}};
    auto rows = co_await tx.value()->select(kEvents, unsent, ports::RowLock::kForUpdate);
    if (!rows.is_ok() || rows.value().empty()) co_return false;
    for (const ports::Row& row : rows.value()) {
      ports::Message message;
      message.id = std::get<std::string>(row.at("event_id"));
      message.body = std::get<std::string>(row.at("payload"));
      auto published = co_await ports.queue.publish(kQueue, std::move(message));
      if (!published.is_ok()) co_return false;  // the transaction rolls back: all stay unsent
      const ports::Where this_event{{"event_id", row.at("event_id")}};
      const ports::Assignments sent{{"sent", Value(std::int64_t{1})}};
      auto marked = co_await tx.value()->update(kEvents, this_event, sent);
      if (!marked.is_ok()) co_return false;
    }
    auto committed = co_await tx.value()->commit();
    co_return committed.is_ok();
  }

  sim::Task<void> apply(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) {
    const std::string event_id = delivery.message.id;
    const json payload = json::parse(delivery.message.body, nullptr, false);
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok() || !payload.is_object()) co_return co_await retry_later(consumer, delivery.tag);
    const FirstTime first = co_await apply_once(*tx.value(), consumer, delivery, kApplied, "event_id");
    if (first == FirstTime::kFailed) co_return co_await retry_later(consumer, delivery.tag);
    if (first == FirstTime::kNo) co_return;  // applied already: a republished or redelivered event
    const Parsed parsed = parse_payment(payload.value("body", std::string()));
    api::Response response = error_response(400, parsed.error);
    if (parsed.request) {
      ports::ChargeRequest charge = charge_request(*parsed.request, payload.value("origin", std::string()), "outbox-" + event_id);
      auto charged = co_await ports.processor.charge(std::move(charge));
      if (!charged.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
      const std::string id = payment_id_for("outbox-" + event_id);
      response = charged.value().succeeded ? created(id, *parsed.request, charged.value()) : declined(id, charged.value());
    }
    const ports::Where by_key{{"key", Value(payload.value("key", std::string()))}};
    const ports::Assignments outcome{{"response_status", Value(std::int64_t{response.status})},
                                     {"response_body", Value(response.body)}};
    auto updated = co_await tx.value()->update(kPayments, by_key, outcome);
    if (!updated.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    co_await commit_then_ack(*tx.value(), consumer, delivery.tag);
  }

  StrategyOptions options_;
};

}  // namespace

std::unique_ptr<Strategy> make_outbox(const StrategyOptions& options) { return std::make_unique<Outbox>(options); }

const StrategyInfo& outbox_strategy() {
  static const StrategyInfo kInfo{
      "outbox", "payment and outbox event in one transaction, 202; a relay publishes, a consumer applies once", false, &make_outbox,
      Breaks{}};  // it survives every shipped scenario
  return kInfo;
}

}  // namespace idemlab::strategies
