// The lock pair of planted bugs (planted.h): a Redis lock around the charge,
// with the result cached after it. The correct twin's lock lasts longer than
// the work it guards can (the API gives the processor at most its timeout);
// the planted one lasts 1 s, as many tutorials' `SET lock NX EX 1` does.
#include <memory>

#include "strategies/payment_request.h"
#include "tests/planted/planted.h"

namespace idemlab::planted {
namespace {

constexpr sim::Duration kShortLock = sim::kSecond;

class LockedCharge final : public strategies::Strategy {
 public:
  LockedCharge(const strategies::StrategyOptions& options, sim::Duration lock_ttl)
      : key_ttl_(options.key_ttl), lock_ttl_(lock_ttl) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports) override { co_return ports::Result<ports::Unit>::ok({}); }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    auto opened = strategies::keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const strategies::KeyedPayment keyed = std::get<strategies::KeyedPayment>(opened);
    const std::string result_key = "result:" + keyed.key;
    const std::string lock_key = "lock:" + keyed.key;

    auto done = co_await ports.kv.get(result_key);
    if (!done.is_ok()) co_return strategies::error_response(503, "cache unavailable");
    if (done.value()) co_return strategies::replay(201, *done.value());
    const std::string token = ports.clock.unique_id();
    const ports::SetOptions nx{ports::SetOptions::Condition::kIfAbsent, lock_ttl_};
    auto locked = co_await ports.kv.set(lock_key, token, nx);
    if (!locked.is_ok()) co_return strategies::error_response(503, "cache unavailable");
    if (!locked.value()) co_return strategies::error_response(409, "a request with this key is in progress");
    // Under the lock, look again: the holder before may have finished.
    done = co_await ports.kv.get(result_key);
    if (!done.is_ok()) co_return strategies::error_response(503, "cache unavailable");
    if (done.value()) co_return strategies::replay(201, *done.value());

    ports::ChargeRequest charge = strategies::charge_request(keyed.payment, request.origin, std::nullopt);
    auto charged = co_await ports.processor.charge(std::move(charge));
    // On an error the lock is left to expire: the charge may have landed.
    if (!charged.is_ok()) co_return strategies::error_response(503, "payment processor did not answer");
    const std::string id = "pay_" + ports.clock.unique_id();
    const api::Response response = charged.value().succeeded
                                       ? strategies::created(id, keyed.payment, charged.value())
                                       : strategies::declined(id, charged.value());
    const ports::SetOptions kept{ports::SetOptions::Condition::kAlways, key_ttl_};
    auto stored = co_await ports.kv.set(result_key, response.body, kept);
    (void)stored;
    auto unlocked = co_await ports.kv.compare_and_delete(lock_key, token);
    (void)unlocked;
    co_return response;
  }

 private:
  sim::Duration key_ttl_;
  sim::Duration lock_ttl_;
};

}  // namespace

const strategies::StrategyInfo& lock_shorter_than_work(bool planted) {
  static const strategies::StrategyInfo kFixed{
      "lock_outlives_work", "Redis lock (lock_ttl) around the charge, result cached, no downstream key", false,
      [](const strategies::StrategyOptions& o) { return std::make_unique<LockedCharge>(o, o.lock_ttl); },
      std::nullopt};  // states nothing: the tests say what it breaks
  static const strategies::StrategyInfo kPlanted{
      "lock_shorter_than_work", "planted: the same lock, 1 s long", true,
      // Four fields are a whole StrategyInfo: no statement of what it breaks.
      [](const strategies::StrategyOptions& o) { return std::make_unique<LockedCharge>(o, kShortLock); }};
  return planted ? kPlanted : kFixed;
}

}  // namespace idemlab::planted
