// Textbook variant "redis_lock_del_in_finally": a Redis middleware. It takes
// a lock with SET lock:<key> NX EX 60, answers from the cached response if
// there is one, charges, writes the response to the cache BEFORE the payment
// is committed to the database, commits, and in `finally` releases the lock
// with a plain DEL (the response is cached for key_ttl, 24 h by default).
// The DEL does not check that the lock is still its own: if
// the charge outlived the lock, it deletes the next holder's lock. No
// downstream key.
#include "strategies/payment_request.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

constexpr const char* kTable = "middleware_payments";

ports::Schema schema() {
  ports::TableSchema t;
  t.name = kTable;
  t.columns = {{"id", ports::ColumnType::kText, false}, {"key", ports::ColumnType::kText, false},
               {"charge", ports::ColumnType::kText, false}};
  t.primary_key = {"id"};
  return ports::Schema{{t}, {}};
}

class RedisMiddleware final : public Strategy {
 public:
  explicit RedisMiddleware(const StrategyOptions& options) : options_(options) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await ports.sql.ensure_schema(schema());
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    if (!request.idempotency_key) co_return error_response(400, "the Idempotency-Key header is required");
    const std::string key = *request.idempotency_key;
    const Parsed parsed = parse_payment(request.body);
    if (!parsed.request) co_return error_response(400, parsed.error);
    const std::string lock = "lock:" + key;
    const std::string cache = "response:" + key;
    const ports::SetOptions nx_60s{ports::SetOptions::Condition::kIfAbsent, 60 * sim::kSecond};
    auto locked = co_await ports.kv.set(lock, "1", nx_60s);
    if (!locked.is_ok()) co_return error_response(503, "cache unavailable");
    if (!locked.value()) co_return error_response(409, "request in progress");
    api::Response response = co_await charge_and_record(ports, request, *parsed.request, cache);
    auto released = co_await ports.kv.del(lock);  // "finally": whoever holds it now
    (void)released;
    co_return response;
  }

 private:
  sim::Task<api::Response> charge_and_record(ports::Ports ports, api::Request request, PaymentRequest payment,
                                             std::string cache) {
    auto cached = co_await ports.kv.get(cache);
    if (cached.is_ok() && cached.value()) co_return replay(201, *cached.value());
    ports::ChargeRequest charge = charge_request(payment, request.origin, std::nullopt);
    auto charged = co_await ports.processor.charge(std::move(charge));
    if (!charged.is_ok()) co_return error_response(502, "payment processor error");
    const std::string id = "pay_" + ports.clock.unique_id();
    const api::Response response = charged.value().succeeded ? created(id, payment, charged.value()) : declined(id, charged.value());
    const ports::SetOptions kept{ports::SetOptions::Condition::kAlways, options_.key_ttl};
    auto stored = co_await ports.kv.set(cache, response.body, kept);  // before the commit
    (void)stored;
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (tx.is_ok()) {
      const ports::Row row{{"id", Value(id)}, {"key", Value(*request.idempotency_key)}, {"charge", Value(charged.value().charge_id)}};
      auto inserted = co_await tx.value()->insert(kTable, row);
      if (inserted.is_ok()) {
        auto committed = co_await tx.value()->commit();
        (void)committed;
      }
    }
    co_return response;
  }

  StrategyOptions options_;
};

}  // namespace

std::unique_ptr<Strategy> make_redis_middleware(const StrategyOptions& options) {
  return std::make_unique<RedisMiddleware>(options);
}

const StrategyInfo& redis_lock_del_in_finally_strategy() {
  static const StrategyInfo kInfo{
      "redis_lock_del_in_finally", "textbook: SET NX EX 60 lock, cache before commit, plain DEL in finally", true, &make_redis_middleware,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"lock_ttl_expires_while_charging", {"at_most_one_charge", "one_owner_per_key"}},
          {"crash_after_charge_before_commit", {"at_most_one_charge"}},
          {"key_deleted_on_error_after_charge", {"at_most_one_charge"}},
          {"retry_after_key_expired", {"at_most_one_charge"}},
          {"redis_failover_loses_claim", {"at_most_one_charge", "one_owner_per_key"}},
          {"redis_restart_loses_result", {"at_most_one_charge"}},
          {"key_reused_with_other_payload", {"every_intent_resolved", "one_charge_one_answer", "success_was_charged"}},
          {"network_timeout", {"at_most_one_charge"}},
          {"partial_failure", {"at_most_one_charge", "every_intent_resolved"}},
          {"worker_retry", {"every_intent_resolved"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
