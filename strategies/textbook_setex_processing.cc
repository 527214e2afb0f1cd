// Textbook variants built on a status key in Redis:
//
// "setex_processing_del_on_error": GET the key (processing: 409; a result:
// replay); SETEX key processing 60; charge; SETEX key <result> (kept key_ttl,
// 24 h by default); on an error, DEL the key. GET then SETEX is not atomic,
// so concurrent requests both charge; and an "error" that was a timeout after
// the charge succeeded deletes the key, so the retry charges again. No
// downstream key.
//
// "get_then_set_claim": the same, with the claim written by a plain SET with
// no expiry (the GET then SET of many tutorials) and no DEL on error: a crash
// after the claim leaves the key "processing" for ever, and the payment is
// never made.
#include "strategies/payment_request.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

constexpr const char* kProcessing = "{\"state\":\"in_progress\"}";

class StatusKey final : public Strategy {
 public:
  StatusKey(const StrategyOptions& options, bool expiring_claim_and_del_on_error)
      : options_(options), setex_(expiring_claim_and_del_on_error) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports) override { co_return ports::Result<ports::Unit>::ok({}); }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    if (!request.idempotency_key) co_return error_response(400, "the Idempotency-Key header is required");
    const std::string key = "status:" + *request.idempotency_key;
    const Parsed parsed = parse_payment(request.body);
    if (!parsed.request) co_return error_response(400, parsed.error);
    auto current = co_await ports.kv.get(key);
    if (!current.is_ok()) co_return error_response(503, "cache unavailable");
    if (current.value()) {
      if (*current.value() == kProcessing) co_return error_response(409, "request in progress");
      co_return replay(201, *current.value());
    }
    const ports::SetOptions claim{ports::SetOptions::Condition::kAlways, setex_ ? 60 * sim::kSecond : 0};
    auto claimed = co_await ports.kv.set(key, kProcessing, claim);
    if (!claimed.is_ok()) co_return error_response(503, "cache unavailable");
    ports::ChargeRequest charge = charge_request(*parsed.request, request.origin, std::nullopt);
    auto charged = co_await ports.processor.charge(std::move(charge));
    if (!charged.is_ok()) {
      if (setex_) {
        auto deleted = co_await ports.kv.del(key);  // "on exception"
        (void)deleted;
      }
      co_return error_response(502, "payment processor error");
    }
    const std::string id = "pay_" + ports.clock.unique_id();
    const api::Response response =
        charged.value().succeeded ? created(id, *parsed.request, charged.value()) : declined(id, charged.value());
    const ports::SetOptions result{ports::SetOptions::Condition::kAlways, options_.key_ttl};
    auto stored = co_await ports.kv.set(key, response.body, result);
    (void)stored;
    co_return response;
  }

 private:
  StrategyOptions options_;
  bool setex_;
};

}  // namespace

std::unique_ptr<Strategy> make_setex_processing(const StrategyOptions& options) {
  return std::make_unique<StatusKey>(options, true);
}
std::unique_ptr<Strategy> make_get_then_set(const StrategyOptions& options) {
  return std::make_unique<StatusKey>(options, false);
}

}  // namespace idemlab::strategies
