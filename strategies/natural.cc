// natural: natural idempotency. The payment's id is a hash of the request's
// content, and the write is a PUT-style upsert keyed by it: the same content
// is the same payment, whatever the Idempotency-Key says. Two genuine
// purchases with identical content are merged into one (the flaw this
// strategy carries by design).
#include "strategies/claim_table.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

class Natural final : public Strategy {
 public:
  explicit Natural(const StrategyOptions& options) : table_{"natural_payments", options.lock_ttl, options.isolation} {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    ports::Schema schema{{claim_table_schema(table_.table)}, {}};
    co_return co_await ports.sql.ensure_schema(std::move(schema));
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    const Parsed parsed = parse_payment(request.body);
    if (!parsed.request) co_return error_response(400, parsed.error);
    const std::string fp = fingerprint(*parsed.request);
    const std::string id = "pay_" + fp;
    co_return co_await claim_charge_complete(ports, table_, id, fp, *parsed.request, request.origin, id);
  }

 private:
  ClaimTable table_;
};

}  // namespace

std::unique_ptr<Strategy> make_natural(const StrategyOptions& options) { return std::make_unique<Natural>(options); }

const StrategyInfo& natural_strategy() {
  static const StrategyInfo kInfo{
      "natural", "payment id from a hash of the content; PUT-style upsert", false, &make_natural,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"identical_purchases_merged", {"every_intent_resolved", "one_charge_one_answer", "success_was_charged"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
