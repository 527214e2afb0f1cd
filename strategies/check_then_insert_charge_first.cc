// Textbook variant "check_then_insert_charge_first": in one transaction,
// SELECT the key; if absent, charge, then INSERT the key and COMMIT. The check
// and the insert are not atomic with the charge: two concurrent requests both
// find no row and both charge (the loser's INSERT fails only afterwards), and
// a crash between the charge and the COMMIT leaves no trace, so the retry
// charges again. No downstream key.
#include "strategies/payment_request.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

constexpr const char* kTable = "checked_payments";

ports::Schema schema() {
  ports::TableSchema t;
  t.name = kTable;
  t.columns = {{"key", ports::ColumnType::kText, false},
               {"status", ports::ColumnType::kBigint, false},
               {"body", ports::ColumnType::kJson, false}};
  t.primary_key = {"key"};
  return ports::Schema{{t}, {}};
}

class CheckThenInsert final : public Strategy {
 public:
  explicit CheckThenInsert(const StrategyOptions& options) : isolation_(options.isolation) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await ports.sql.ensure_schema(schema());
  }

  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    if (!request.idempotency_key) co_return error_response(400, "the Idempotency-Key header is required");
    const std::string key = *request.idempotency_key;
    const Parsed parsed = parse_payment(request.body);
    if (!parsed.request) co_return error_response(400, parsed.error);
    auto tx = co_await ports.sql.begin(isolation_);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    const ports::Where by_key{{"key", Value(key)}};
    auto existing = co_await tx.value()->select(kTable, by_key, ports::RowLock::kNone);
    if (!existing.is_ok()) co_return error_response(503, "database unavailable");
    if (!existing.value().empty()) {
      const ports::Row& row = existing.value().front();
      co_return replay(static_cast<int>(std::get<std::int64_t>(row.at("status"))), std::get<std::string>(row.at("body")));
    }
    ports::ChargeRequest charge = charge_request(*parsed.request, request.origin, std::nullopt);
    auto charged = co_await ports.processor.charge(std::move(charge));
    if (!charged.is_ok()) co_return error_response(502, "payment processor error");
    const std::string id = "pay_" + ports.clock.unique_id();
    const api::Response response =
        charged.value().succeeded ? created(id, *parsed.request, charged.value()) : declined(id, charged.value());
    const ports::Row row{{"key", Value(key)}, {"status", Value(std::int64_t{response.status})}, {"body", Value(response.body)}};
    auto inserted = co_await tx.value()->insert(kTable, row);
    if (!inserted.is_ok()) co_return error_response(500, "could not record the payment");
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return error_response(500, "could not record the payment");
    co_return response;
  }

 private:
  ports::Isolation isolation_;
};

}  // namespace

std::unique_ptr<Strategy> make_check_then_insert(const StrategyOptions& options) {
  return std::make_unique<CheckThenInsert>(options);
}

const StrategyInfo& check_then_insert_charge_first_strategy() {
  static const StrategyInfo kInfo{
      "check_then_insert_charge_first", "textbook: SELECT, charge, INSERT, COMMIT in one transaction", true, &make_check_then_insert,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"lock_ttl_expires_while_charging", {"at_most_one_charge"}},
          {"crash_after_charge_before_commit", {"at_most_one_charge"}},
          {"key_deleted_on_error_after_charge", {"at_most_one_charge"}},
          {"redis_failover_loses_claim", {"at_most_one_charge"}},
          {"postgres_restart_after_charge", {"at_most_one_charge"}},
          {"key_reused_with_other_payload", {"every_intent_resolved", "one_charge_one_answer", "success_was_charged"}},
          {"double_click_both_pass_the_check", {"at_most_one_charge"}},
          {"double_click_second_insert_conflicts", {"at_most_one_charge"}},
          {"network_timeout", {"at_most_one_charge"}},
          {"concurrent_identical_requests", {"at_most_one_charge"}},
          {"partial_failure", {"at_most_one_charge"}},
          {"worker_retry", {"at_most_one_charge"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
