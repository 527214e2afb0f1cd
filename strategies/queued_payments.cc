#include "strategies/queued_payments.h"

#include "strategies/payment_lookup.h"
#include "strategies/payment_request.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

ports::Schema schema() {
  ports::TableSchema seen;
  seen.name = QueuedPayments::kSeen;
  seen.columns = {{"message_id", ports::ColumnType::kText, false}};
  seen.primary_key = {"message_id"};
  ports::TableSchema payments;
  payments.name = QueuedPayments::kPayments;
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

}  // namespace

sim::Task<ports::Result<ports::Unit>> QueuedPayments::setup(ports::Ports ports) {
  co_return co_await setup_tables_and_queue(ports, schema(), kQueue);
}

std::vector<Worker> QueuedPayments::workers() {
  return {Worker{"payments-consumer", true, [this](ports::Ports ports) {
                   DeliveryHandler handle = [this, ports](ports::Consumer& consumer, ports::Delivery delivery) {
                     return consume(ports, consumer, std::move(delivery));
                   };
                   return consume_forever(ports, kQueue, options_.poll_interval, std::move(handle));
                 }}};
}

sim::Task<api::Response> QueuedPayments::handle(ports::Ports ports, api::Request request) {
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
  const ports::OnConflict first_only{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
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

sim::Task<bool> QueuedPayments::record_outcome(ports::Tx& tx, std::string key, std::string fingerprint,
                                               api::Response response) {
  const ports::Row record{{"key", Value(key)},
                          {"fingerprint", Value(fingerprint)},
                          {"response_status", Value(std::int64_t{response.status})},
                          {"response_body", Value(response.body)}};
  const ports::OnConflict outcome{{"key"},
                                  ports::OnConflict::Action::kDoUpdate,
                                  {{"response_status", Value(std::int64_t{response.status})},
                                   {"response_body", Value(response.body)}},
                                  {}};
  auto written = co_await tx.insert_on_conflict(kPayments, record, outcome);
  co_return written.is_ok();
}

}  // namespace idemlab::strategies
