// idempotency_key: the Idempotency-Key header as the IETF httpapi draft and
// Stripe describe it. A Redis SET NX PX claims the key with an owner token
// (released by compare-and-delete), the result is recorded durably in
// PostgreSQL and cached in Redis, and the processor is called with a
// downstream key derived from the client's, so a retry after an unknown
// outcome cannot charge twice.
//
//   missing key                       400
//   key in progress                   409
//   key reused with another payload   422 (fingerprint of the canonical body)
//   key completed                     the stored status and body, marked replayed
#include <nlohmann/json.hpp>

#include "strategies/flat_json.h"
#include "strategies/payment_request.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using nlohmann::json;
using ports::Value;

constexpr const char* kKeys = "idempotency_keys";
constexpr const char* kPayments = "idempotency_payments";

ports::Schema schema() {
  ports::TableSchema keys;
  keys.name = kKeys;
  keys.columns = {{"key", ports::ColumnType::kText, false},
                  {"fingerprint", ports::ColumnType::kText, false},
                  {"status", ports::ColumnType::kBigint, false},
                  {"body", ports::ColumnType::kJson, false}};
  keys.primary_key = {"key"};
  ports::TableSchema payments;
  payments.name = kPayments;
  payments.columns = {{"id", ports::ColumnType::kText, false},
                      {"key", ports::ColumnType::kText, false},
                      {"amount", ports::ColumnType::kBigint, false},
                      {"charge", ports::ColumnType::kText, false},
                      {"status", ports::ColumnType::kText, false}};
  payments.primary_key = {"id"};
  payments.unique_keys = {{"key"}};
  return ports::Schema{{keys, payments}, {}};
}

// What Redis holds under "idem:<key>".
struct Record {
  bool completed = false;
  std::string fingerprint;
  std::string owner;  // in progress: the claiming request's token
  int status = 0;     // completed: the stored response
  std::string body;
};

// nlohmann's layout (keys sorted), written and read without a DOM.
std::string encode(const Record& r) {
  FlatJsonWriter out;
  if (r.completed) {
    out.member("body", r.body).member("fp", r.fingerprint).member("state", "completed").member("status", r.status);
  } else {
    out.member("fp", r.fingerprint).member("owner", r.owner).member("state", "in_progress");
  }
  return out.finish();
}

// The record, if the text is one (a record of another shape, which this
// strategy never writes, is left to nlohmann's reading below).
std::optional<Record> decode_flat(const FlatObject& object) {
  const auto text = [&](std::string_view key) -> const std::string* {
    const FlatValue* v = find_member(object, key);
    return v == nullptr ? nullptr : std::get_if<std::string>(v);
  };
  const std::string* state = text("state");
  const std::string* fp = text("fp");
  if (state == nullptr || fp == nullptr) return std::nullopt;
  Record r;
  r.completed = *state == "completed";
  r.fingerprint = *fp;
  if (r.completed) {
    const FlatValue* status = find_member(object, "status");
    const std::string* body = text("body");
    if (status == nullptr || !std::holds_alternative<std::int64_t>(*status) || body == nullptr) return std::nullopt;
    r.status = static_cast<int>(std::get<std::int64_t>(*status));
    r.body = *body;
  } else {
    const std::string* owner = text("owner");
    if (owner == nullptr) return std::nullopt;
    r.owner = *owner;
  }
  return r;
}

std::optional<Record> decode(const std::string& text) {
  if (const std::optional<FlatObject> flat = parse_flat_json(text)) {
    if (std::optional<Record> r = decode_flat(*flat)) return r;
  }
  // A record of another shape is unreadable (a 500), never an exception.
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("state") || !j.contains("fp") || !j["fp"].is_string()) return std::nullopt;
  const auto has = [&](const char* key, bool (json::*is_type)() const noexcept) {
    return !j.contains(key) || (j[key].*is_type)();
  };
  if (!has("status", &json::is_number_integer) || !has("body", &json::is_string) || !has("owner", &json::is_string)) {
    return std::nullopt;
  }
  Record r;
  r.completed = j["state"] == "completed";
  r.fingerprint = j["fp"].get<std::string>();
  if (r.completed) {
    r.status = j.value("status", 500);
    r.body = j.value("body", std::string());
  } else {
    r.owner = j.value("owner", std::string());
  }
  return r;
}

ports::Row key_row(const std::string& key, const std::string& fp, const api::Response& response) {
  return ports::Row{{"key", Value(key)},
                    {"fingerprint", Value(fp)},
                    {"status", Value(std::int64_t{response.status})},
                    {"body", Value(response.body)}};
}

ports::Row payment_row(const std::string& id, const std::string& key, const PaymentRequest& r, const ports::Charge& c) {
  return ports::Row{{"id", Value(id)},
                    {"key", Value(key)},
                    {"amount", Value(r.amount)},
                    {"charge", Value(c.charge_id)},
                    {"status", Value(std::string(c.succeeded ? "succeeded" : "failed"))}};
}

class IdempotencyKey final : public Strategy {
 public:
  explicit IdempotencyKey(const StrategyOptions& options) : options_(options) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await ports.sql.ensure_schema(schema());
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    auto opened = keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const KeyedPayment& keyed = std::get<KeyedPayment>(opened);
    const std::string& key = keyed.key;
    const PaymentRequest& payment = keyed.payment;
    const std::string& fp = keyed.fingerprint;
    const std::string redis_key = "idem:" + key;

    // 1. Claim the key, or answer from what it holds.
    Record claim;
    claim.fingerprint = fp;
    claim.owner = ports.clock.unique_id();
    const std::string claim_text = encode(claim);
    bool claimed = false;
    for (int attempt = 0; attempt < 2 && !claimed; ++attempt) {
      const ports::SetOptions nx{ports::SetOptions::Condition::kIfAbsent, options_.lock_ttl};
      auto set = co_await ports.kv.set(redis_key, claim_text, nx);
      if (!set.is_ok()) co_return error_response(503, "idempotency store unavailable; retry with the same key");
      if (set.value()) {
        claimed = true;
        break;
      }
      auto held = co_await ports.kv.get(redis_key);
      if (!held.is_ok()) co_return error_response(503, "idempotency store unavailable; retry with the same key");
      if (!held.value()) continue;  // expired between the two commands: claim again
      const std::optional<Record> record = decode(*held.value());
      if (!record) co_return error_response(500, "unreadable idempotency record");
      if (record->fingerprint != fp) co_return error_response(422, "the Idempotency-Key was used with another payload");
      if (!record->completed) co_return error_response(409, "a request with this Idempotency-Key is in progress");
      co_return replay(record->status, record->body);
    }
    if (!claimed) co_return error_response(409, "a request with this Idempotency-Key is in progress");

    // 2. Redis may have lost a completed key (restart, failover): PostgreSQL
    //    has the durable record.
    std::optional<api::Response> durable;
    bool reused_elsewhere = false;
    {
      auto tx = co_await ports.sql.begin(options_.isolation);
      if (!tx.is_ok()) co_return co_await release(ports, redis_key, claim_text, 503, "database unavailable");
      const ports::Where by_key{{"key", Value(key)}};
      auto rows = co_await tx.value()->select(kKeys, by_key, ports::RowLock::kNone);
      auto done = co_await tx.value()->commit();
      (void)done;
      if (!rows.is_ok()) co_return co_await release(ports, redis_key, claim_text, 503, "database unavailable");
      if (!rows.value().empty()) {
        const ports::Row& row = rows.value().front();
        if (std::get<std::string>(row.at("fingerprint")) != fp) {
          reused_elsewhere = true;
        } else {
          durable = replay(static_cast<int>(std::get<std::int64_t>(row.at("status"))),
                           std::get<std::string>(row.at("body")));
        }
      }
    }
    if (reused_elsewhere) {
      co_return co_await release(ports, redis_key, claim_text, 422, "the Idempotency-Key was used with another payload");
    }
    if (durable) {
      co_await cache(ports, redis_key, fp, *durable);
      co_return *durable;
    }

    // 3. Charge, with a downstream key derived from the client's.
    const std::string downstream_key = "idem-" + key;
    ports::ChargeRequest charge = charge_request(payment, request.origin, downstream_key);
    auto charged = co_await ports.processor.charge(std::move(charge));
    if (!charged.is_ok()) {
      const int status = charged.status() == ports::Status::kConflict ? 409 : 503;
      co_return co_await release(ports, redis_key, claim_text, status, "payment processor did not answer; retry with the same key");
    }
    const std::string id = payment_id_for(downstream_key);
    api::Response response = charged.value().succeeded ? created(id, payment, charged.value()) : declined(id, charged.value());

    // 4. Record durably, then cache. If the record fails the money has moved
    //    anyway: the cache and the downstream key still protect retries.
    {
      auto tx = co_await ports.sql.begin(options_.isolation);
      if (tx.is_ok()) {
        ports::Row stored = key_row(key, fp, response);
        const ports::OnConflict keep_first{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
        auto recorded = co_await tx.value()->insert_on_conflict(kKeys, std::move(stored), keep_first);
        if (recorded.is_ok()) {
          ports::Row row = payment_row(id, key, payment, charged.value());
          auto inserted = co_await tx.value()->insert_on_conflict(kPayments, std::move(row), keep_first);
          if (inserted.is_ok()) {
            auto committed = co_await tx.value()->commit();
            (void)committed;
          }
        }
      }
    }
    co_await cache(ports, redis_key, fp, response);
    co_return response;
  }

 private:
  // Frees the claim (only if it is still ours) and answers with an error.
  sim::Task<api::Response> release(ports::Ports ports, std::string redis_key, std::string claim_text, int status,
                                   std::string message) {
    auto released = co_await ports.kv.compare_and_delete(redis_key, claim_text);
    (void)released;  // if it fails the claim expires after lock_ttl
    co_return error_response(status, message);
  }

  sim::Task<void> cache(ports::Ports ports, std::string redis_key, std::string fp, api::Response response) {
    Record done;
    done.completed = true;
    done.fingerprint = fp;
    done.status = response.status;
    done.body = response.body;
    const ports::SetOptions keep{ports::SetOptions::Condition::kAlways, options_.key_ttl};
    std::string text = encode(done);
    auto cached = co_await ports.kv.set(redis_key, std::move(text), keep);
    (void)cached;
  }

  StrategyOptions options_;
};

}  // namespace

std::unique_ptr<Strategy> make_idempotency_key(const StrategyOptions& options) {
  return std::make_unique<IdempotencyKey>(options);
}

const StrategyInfo& idempotency_key_strategy() {
  static const StrategyInfo kInfo{
      "idempotency_key", "Redis SET NX claim + PostgreSQL record + downstream key (IETF draft, Stripe)", false, &make_idempotency_key,
      Breaks{}};  // it survives every shipped scenario
  return kInfo;
}

}  // namespace idemlab::strategies
