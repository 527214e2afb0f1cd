// db_unique: the database's unique constraint is the idempotency mechanism.
// INSERT ... ON CONFLICT (idempotency_key) DO NOTHING claims the key; the
// loser reads the winner. See claim_table.h for the flow.
#include "strategies/claim_table.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

class DbUnique final : public Strategy {
 public:
  explicit DbUnique(const StrategyOptions& options) : table_{"db_unique_payments", options.lock_ttl, options.isolation} {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    ports::Schema schema{{claim_table_schema(table_.table)}, {}};
    co_return co_await ports.sql.ensure_schema(std::move(schema));
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    auto opened = keyed_payment(request);
    if (auto* refusal = std::get_if<api::Response>(&opened)) co_return *refusal;
    const KeyedPayment& keyed = std::get<KeyedPayment>(opened);
    co_return co_await claim_charge_complete(ports, table_, keyed.key, keyed.fingerprint, keyed.payment,
                                             request.origin, "db-" + keyed.key);
  }

 private:
  ClaimTable table_;
};

}  // namespace

std::unique_ptr<Strategy> make_db_unique(const StrategyOptions& options) { return std::make_unique<DbUnique>(options); }

const StrategyInfo& db_unique_strategy() {
  static const StrategyInfo kInfo{
      "db_unique", "INSERT ... ON CONFLICT (key) DO NOTHING claim, then read the winner", false, &make_db_unique,
      Breaks{}};  // it survives every shipped scenario
  return kInfo;
}

}  // namespace idemlab::strategies
