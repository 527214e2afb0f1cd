// baseline: no idempotency. Every request that reaches the handler charges;
// a retry after a lost response charges again.
#include "strategies/payment_request.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

ports::Schema schema() {
  ports::TableSchema payments;
  payments.name = "baseline_payments";
  payments.columns = {{"id", ports::ColumnType::kText, false},        {"amount", ports::ColumnType::kBigint, false},
                      {"currency", ports::ColumnType::kText, false},  {"customer", ports::ColumnType::kText, false},
                      {"charge", ports::ColumnType::kText, false},    {"status", ports::ColumnType::kText, false}};
  payments.primary_key = {"id"};
  return ports::Schema{{payments}, {}};
}

ports::Row payment_row(const std::string& id, const PaymentRequest& r, const ports::Charge& charge) {
  return ports::Row{{"id", Value(id)},
                    {"amount", Value(r.amount)},
                    {"currency", Value(r.currency)},
                    {"customer", Value(r.customer_id)},
                    {"charge", Value(charge.charge_id)},
                    {"status", Value(std::string(charge.succeeded ? "succeeded" : "failed"))}};
}

class Baseline final : public Strategy {
 public:
  explicit Baseline(const StrategyOptions& options) : isolation_(options.isolation) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await ports.sql.ensure_schema(schema());
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    const Parsed parsed = parse_payment(request.body);
    if (!parsed.request) co_return error_response(400, parsed.error);
    const PaymentRequest& payment = *parsed.request;
    const std::string id = "pay_" + ports.clock.unique_id();
    ports::ChargeRequest charge = charge_request(payment, request.origin, std::nullopt);
    auto charged = co_await ports.processor.charge(std::move(charge));
    if (!charged.is_ok()) co_return error_response(502, "payment processor: " + std::string(ports::status_name(charged.status())));
    auto tx = co_await ports.sql.begin(isolation_);
    if (tx.is_ok()) {
      ports::Row row = payment_row(id, payment, charged.value());
      auto inserted = co_await tx.value()->insert("baseline_payments", std::move(row));
      if (inserted.is_ok()) {
        auto committed = co_await tx.value()->commit();
        (void)committed;  // the money moved either way: the answer follows the charge
      }
    }
    co_return charged.value().succeeded ? created(id, payment, charged.value()) : declined(id, charged.value());
  }

 private:
  ports::Isolation isolation_;
};

}  // namespace

std::unique_ptr<Strategy> make_baseline(const StrategyOptions& options) { return std::make_unique<Baseline>(options); }

}  // namespace idemlab::strategies
