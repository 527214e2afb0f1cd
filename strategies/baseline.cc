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

const StrategyInfo& baseline_strategy() {
  static const StrategyInfo kInfo{
      "baseline", "no idempotency: every request charges", false, &make_baseline,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"lock_ttl_expires_while_charging", {"at_most_one_charge"}},
          {"crash_after_charge_before_commit", {"at_most_one_charge"}},
          {"key_deleted_on_error_after_charge", {"at_most_one_charge"}},
          {"retry_after_key_expired", {"at_most_one_charge"}},
          {"same_body_other_key_order", {"at_most_one_charge"}},
          {"redis_failover_loses_claim", {"at_most_one_charge"}},
          {"redis_restart_loses_result", {"at_most_one_charge"}},
          {"missing_idempotency_key", {"at_most_one_charge"}},
          {"double_click_both_pass_the_check", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"double_click_second_insert_conflicts", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"client_retry_after_lost_response", {"at_most_one_charge"}},
          {"network_timeout", {"at_most_one_charge"}},
          {"duplicate_webhook_delivery", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"concurrent_identical_requests", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"partial_failure", {"at_most_one_charge"}},
          {"worker_retry", {"at_most_one_charge"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
