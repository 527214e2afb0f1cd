#include "strategies/payment_lookup.h"

#include "strategies/payment_request.h"

namespace idemlab::strategies {

sim::Task<api::Response> stored_outcome(ports::Ports ports, ports::Isolation isolation, std::string table,
                                        std::string key) {
  auto tx = co_await ports.sql.begin(isolation);
  if (!tx.is_ok()) co_return error_response(503, "database unavailable");
  const ports::Where by_key{{"key", ports::Value(key)}};
  auto rows = co_await tx.value()->select(table, by_key, ports::RowLock::kNone);
  auto done = co_await tx.value()->commit();
  (void)done;
  if (!rows.is_ok()) co_return error_response(503, "database unavailable");
  if (rows.value().empty()) co_return error_response(404, "no payment with this Idempotency-Key");
  const ports::Row& row = rows.value().front();
  if (!std::holds_alternative<std::int64_t>(row.at("response_status"))) co_return replay(202, accepted(key).body);
  co_return replay(static_cast<int>(std::get<std::int64_t>(row.at("response_status"))),
                   std::get<std::string>(row.at("response_body")));
}

}  // namespace idemlab::strategies
