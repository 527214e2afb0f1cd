#include "strategies/claim_table.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

constexpr const char* kPending = "pending";
constexpr const char* kDone = "done";

ports::Row claim_row(const std::string& key, const std::string& fp, const std::string& owner, sim::Time lease_until) {
  return ports::Row{{"key", Value(key)},
                    {"fingerprint", Value(fp)},
                    {"status", Value(std::string(kPending))},
                    {"owner", Value(owner)},
                    {"lease_until", Value(lease_until)},
                    {"response_status", Value()},
                    {"response_body", Value()}};
}

std::string text(const ports::Row& row, const char* column) { return std::get<std::string>(row.at(column)); }
std::int64_t number(const ports::Row& row, const char* column) { return std::get<std::int64_t>(row.at(column)); }

// Takes over a claim whose lease is over; true if this request now owns it.
sim::Task<bool> take_over(ports::Ports ports, ClaimTable table, std::string key, std::string old_owner,
                          std::string new_owner, sim::Time lease_until) {
  auto tx = co_await ports.sql.begin(table.isolation);
  if (!tx.is_ok()) co_return false;
  const ports::Where still_old{{"key", Value(key)}, {"owner", Value(old_owner)}, {"status", Value(std::string(kPending))}};
  const ports::Assignments mine{{"owner", Value(new_owner)}, {"lease_until", Value(lease_until)}};
  auto updated = co_await tx.value()->update(table.table, still_old, mine);
  if (!updated.is_ok() || updated.value().empty()) co_return false;
  auto committed = co_await tx.value()->commit();
  co_return committed.is_ok();
}

// Ends this request's claim early (the charge did not go through), so that a
// retry need not wait for the lease.
sim::Task<void> give_up_claim(ports::Ports ports, ClaimTable table, std::string key, std::string owner) {
  auto tx = co_await ports.sql.begin(table.isolation);
  if (!tx.is_ok()) co_return;
  const ports::Where ours{{"key", Value(key)}, {"owner", Value(owner)}, {"status", Value(std::string(kPending))}};
  const ports::Assignments expired{{"lease_until", Value(std::int64_t{0})}};
  auto updated = co_await tx.value()->update(table.table, ours, expired);
  if (updated.is_ok()) {
    auto committed = co_await tx.value()->commit();
    (void)committed;
  }
}

}  // namespace

ports::TableSchema claim_table_schema(const std::string& name) {
  ports::TableSchema t;
  t.name = name;
  t.columns = {{"key", ports::ColumnType::kText, false},
               {"fingerprint", ports::ColumnType::kText, false},
               {"status", ports::ColumnType::kText, false},
               {"owner", ports::ColumnType::kText, false},
               {"lease_until", ports::ColumnType::kBigint, false},
               {"response_status", ports::ColumnType::kBigint, true},
               {"response_body", ports::ColumnType::kJson, true}};
  t.primary_key = {"key"};
  return t;
}

sim::Task<api::Response> claim_charge_complete(ports::Ports ports, ClaimTable table, std::string key,
                                               std::string fp, PaymentRequest payment, std::string origin,
                                               std::string downstream_key) {
  const std::string token = ports.clock.unique_id();
  const sim::Time lease_until = ports.clock.now() + table.lease;

  // 1. Claim, or learn who has.
  bool owned = false;
  {
    auto tx = co_await ports.sql.begin(table.isolation);
    if (!tx.is_ok()) co_return error_response(503, "database unavailable");
    ports::Row claim = claim_row(key, fp, token, lease_until);
    const ports::OnConflict do_nothing{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
    auto inserted = co_await tx.value()->insert_on_conflict(table.table, std::move(claim), do_nothing);
    if (!inserted.is_ok()) co_return error_response(503, "database unavailable");
    if (inserted.value()) {
      auto committed = co_await tx.value()->commit();
      if (!committed.is_ok()) co_return error_response(503, "database unavailable");
      owned = true;
    } else {
      const ports::Where by_key{{"key", Value(key)}};
      auto rows = co_await tx.value()->select(table.table, by_key, ports::RowLock::kNone);
      auto done = co_await tx.value()->commit();
      (void)done;
      if (!rows.is_ok() || rows.value().empty()) co_return error_response(503, "database unavailable");
      const ports::Row winner = rows.value().front();
      if (text(winner, "fingerprint") != fp) co_return error_response(422, "the key was used with another payload");
      if (text(winner, "status") == kDone) {
        co_return replay(static_cast<int>(number(winner, "response_status")), text(winner, "response_body"));
      }
      if (number(winner, "lease_until") > ports.clock.now()) {
        co_return error_response(409, "a request with this key is in progress");
      }
      owned = co_await take_over(ports, table, key, text(winner, "owner"), token, lease_until);
      if (!owned) co_return error_response(409, "a request with this key is in progress");
    }
  }

  // 2. Charge, with the downstream key.
  ports::ChargeRequest charge = charge_request(payment, origin, downstream_key);
  auto charged = co_await ports.processor.charge(std::move(charge));
  if (!charged.is_ok()) {
    co_await give_up_claim(ports, table, key, token);
    co_return error_response(charged.status() == ports::Status::kConflict ? 409 : 503,
                             "payment processor did not answer; retry with the same key");
  }
  const std::string id = payment_id_for(downstream_key);
  api::Response response = charged.value().succeeded ? created(id, payment, charged.value()) : declined(id, charged.value());

  // 3. Complete the claim with the response (if another request took the
  //    claim over meanwhile, it holds the same charge and completes it).
  {
    auto tx = co_await ports.sql.begin(table.isolation);
    if (tx.is_ok()) {
      const ports::Where ours{{"key", Value(key)}, {"owner", Value(token)}};
      const ports::Assignments done{{"status", Value(std::string(kDone))},
                                    {"response_status", Value(std::int64_t{response.status})},
                                    {"response_body", Value(response.body)}};
      auto updated = co_await tx.value()->update(table.table, ours, done);
      if (updated.is_ok()) {
        auto committed = co_await tx.value()->commit();
        (void)committed;
      }
    }
  }
  co_return response;
}

}  // namespace idemlab::strategies
