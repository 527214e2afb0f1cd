// db_unique: the database's unique constraint is the idempotency mechanism.
// INSERT ... ON CONFLICT (idempotency_key) DO NOTHING claims the key; the
// loser reads the winner. See claim_table.h for the flow.
#include "strategies/claim_table.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

class DbUnique final : public Strategy {
 public:
  explicit DbUnique(const StrategyOptions& options) : table_{"db_unique_payments", options.lock_ttl} {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    ports::Schema schema{{claim_table_schema(table_.table)}, {}};
    co_return co_await ports.sql.ensure_schema(std::move(schema));
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    if (!request.idempotency_key || request.idempotency_key->empty()) {
      co_return error_response(400, "the Idempotency-Key header is required");
    }
    const Parsed parsed = parse_payment(request.body);
    if (!parsed.request) co_return error_response(400, parsed.error);
    const std::string key = *request.idempotency_key;
    co_return co_await claim_charge_complete(ports, table_, key, fingerprint(*parsed.request), *parsed.request,
                                             request.origin, "db-" + key);
  }

 private:
  ClaimTable table_;
};

}  // namespace

std::unique_ptr<Strategy> make_db_unique(const StrategyOptions& options) { return std::make_unique<DbUnique>(options); }

}  // namespace idemlab::strategies
