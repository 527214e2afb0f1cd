#include "strategies/status_key.h"

#include "strategies/payment_request.h"

namespace idemlab::strategies {
namespace {

constexpr const char* kProcessing = "{\"state\":\"in_progress\"}";

class StatusKey final : public Strategy {
 public:
  StatusKey(const StrategyOptions& options, StatusClaim claim)
      : options_(options), setex_(claim == StatusClaim::kExpiringWithDelOnError) {}

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

std::unique_ptr<Strategy> make_status_key(const StrategyOptions& options, StatusClaim claim) {
  return std::make_unique<StatusKey>(options, claim);
}

}  // namespace idemlab::strategies
