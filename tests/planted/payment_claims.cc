// The claim-row pair of planted bugs (planted.h): one correct flow and two
// variants, each differing from it in one place.
#include <memory>

#include "strategies/payment_request.h"
#include "tests/planted/planted.h"

namespace idemlab::planted {
namespace {

using ports::Value;
using api::Request;
using api::Response;

constexpr const char* kTable = "planted_claims";
constexpr const char* kPending = "pending";
constexpr const char* kDone = "done";

enum class Bug : std::uint8_t { kNone, kReleasedOnError, kCheckAndInsertApart };

ports::Schema schema(Bug bug) {
  ports::TableSchema t;
  t.name = kTable;
  t.columns = {{"payment_id", ports::ColumnType::kText, false},  {"key", ports::ColumnType::kText, false},
               {"fingerprint", ports::ColumnType::kText, false}, {"status", ports::ColumnType::kText, false},
               {"owner", ports::ColumnType::kText, false},       {"lease_until", ports::ColumnType::kBigint, false},
               {"response_status", ports::ColumnType::kBigint, true}, {"response_body", ports::ColumnType::kJson, true}};
  t.primary_key = {"payment_id"};
  // The apart variant's author trusted the lookup and declared no
  // constraint on the key.
  if (bug != Bug::kCheckAndInsertApart) t.unique_keys = {{"key"}};
  return ports::Schema{{t}, {}};
}

std::string text(const ports::Row& row, const char* column) { return std::get<std::string>(row.at(column)); }
std::int64_t number(const ports::Row& row, const char* column) { return std::get<std::int64_t>(row.at(column)); }

// Who owns the key after the claim step, or the answer to give instead.
struct Claim {
  std::optional<Response> answer;
  std::string payment_id;
};

class PaymentClaims final : public strategies::Strategy {
 public:
  PaymentClaims(const strategies::StrategyOptions& options, Bug bug) : lease_(options.lock_ttl), bug_(bug) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override {
    co_return co_await ports.sql.ensure_schema(schema(bug_));
  }

  sim::Task<Response> handle(ports::Ports ports, Request request) override {
    auto opened = strategies::keyed_payment(request);
    if (auto* refusal = std::get_if<Response>(&opened)) co_return *refusal;
    const strategies::KeyedPayment keyed = std::get<strategies::KeyedPayment>(opened);
    const std::string token = ports.clock.unique_id();
    // No co_await inside ?: here: g++ 12 corrupted the frame.
    Claim claim;
    if (bug_ == Bug::kCheckAndInsertApart) {
      claim = co_await check_then_insert(ports, keyed, token);
    } else {
      claim = co_await insert_or_read(ports, keyed, token);
    }
    if (claim.answer) co_return *claim.answer;

    ports::ChargeRequest charge = strategies::charge_request(keyed.payment, request.origin, claim.payment_id);
    auto charged = co_await ports.processor.charge(std::move(charge));
    const ports::Where ours{{"key", Value(keyed.key)}, {"owner", Value(token)}};
    if (!charged.is_ok()) {
      auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
      if (tx.is_ok()) {
        if (bug_ == Bug::kReleasedOnError) {
          auto removed = co_await tx.value()->remove(kTable, ours);  // "let the client retry"
          (void)removed;
        } else {
          // The lease ends now; the row, and its payment id, stay.
          const ports::Assignments ended_now{{"lease_until", Value(std::int64_t{0})}};
          auto ended = co_await tx.value()->update(kTable, ours, ended_now);
          (void)ended;
        }
        auto committed = co_await tx.value()->commit();
        (void)committed;
      }
      co_return strategies::error_response(charged.status() == ports::Status::kConflict ? 409 : 503,
                                           "payment processor did not answer; retry with the same key");
    }
    const Response response = charged.value().succeeded
                                  ? strategies::created(claim.payment_id, keyed.payment, charged.value())
                                  : strategies::declined(claim.payment_id, charged.value());
    auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
    if (tx.is_ok()) {
      const ports::Assignments done{{"status", Value(std::string(kDone))},
                                    {"response_status", Value(std::int64_t{response.status})},
                                    {"response_body", Value(response.body)}};
      auto updated = co_await tx.value()->update(kTable, ours, done);
      if (updated.is_ok()) {
        auto committed = co_await tx.value()->commit();
        (void)committed;
      }
    }
    co_return response;
  }

 private:
  ports::Row claim_row(ports::Ports ports, const strategies::KeyedPayment& keyed, const std::string& token) const {
    return ports::Row{{"payment_id", Value("pay_" + ports.clock.unique_id())},
                      {"key", Value(keyed.key)},
                      {"fingerprint", Value(keyed.fingerprint)},
                      {"status", Value(std::string(kPending))},
                      {"owner", Value(token)},
                      {"lease_until", Value(ports.clock.now() + lease_)},
                      {"response_status", Value()},
                      {"response_body", Value()}};
  }

  // The correct claim: one statement that either inserts or finds the row.
  sim::Task<Claim> insert_or_read(ports::Ports ports, strategies::KeyedPayment keyed, std::string token) {
    auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
    if (!tx.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    ports::Row row = claim_row(ports, keyed, token);
    const std::string payment_id = text(row, "payment_id");
    const ports::OnConflict do_nothing{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
    auto inserted = co_await tx.value()->insert_on_conflict(kTable, std::move(row), do_nothing);
    if (!inserted.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    if (inserted.value()) {
      auto committed = co_await tx.value()->commit();
      if (!committed.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
      co_return Claim{std::nullopt, payment_id};
    }
    co_return co_await answer_from_holder(ports, *tx.value(), keyed, token);
  }

  // The planted claim: a lookup, committed, then an insert of its own.
  sim::Task<Claim> check_then_insert(ports::Ports ports, strategies::KeyedPayment keyed, std::string token) {
    {
      auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
      if (!tx.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
      const ports::Where by_key{{"key", Value(keyed.key)}};
      auto rows = co_await tx.value()->select(kTable, by_key, ports::RowLock::kNone);
      if (!rows.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
      if (!rows.value().empty()) co_return co_await answer_from_holder(ports, *tx.value(), keyed, token);
      auto committed = co_await tx.value()->commit();
      (void)committed;
    }
    auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
    if (!tx.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    ports::Row row = claim_row(ports, keyed, token);
    const std::string payment_id = text(row, "payment_id");
    auto inserted = co_await tx.value()->insert(kTable, std::move(row));
    if (!inserted.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    auto committed = co_await tx.value()->commit();
    if (!committed.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    co_return Claim{std::nullopt, payment_id};
  }

  // The key is held: replay it, refuse it, or take over an ended lease
  // (keeping the holder's payment id, the processor's key).
  sim::Task<Claim> answer_from_holder(ports::Ports ports, ports::Tx& tx, strategies::KeyedPayment keyed,
                                      std::string token) {
    const ports::Where by_key{{"key", Value(keyed.key)}};
    auto rows = co_await tx.select(kTable, by_key, ports::RowLock::kForUpdate);
    if (!rows.is_ok() || rows.value().empty()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    const ports::Row holder = rows.value().front();
    if (text(holder, "fingerprint") != keyed.fingerprint) {
      co_return Claim{strategies::error_response(422, "the key was used with another payload"), {}};
    }
    if (text(holder, "status") == kDone) {
      co_return Claim{strategies::replay(static_cast<int>(number(holder, "response_status")), text(holder, "response_body")), {}};
    }
    if (number(holder, "lease_until") > ports.clock.now()) {
      co_return Claim{strategies::error_response(409, "a request with this key is in progress"), {}};
    }
    const ports::Where held{{"payment_id", holder.at("payment_id")}};
    const ports::Assignments mine{{"owner", Value(token)}, {"lease_until", Value(ports.clock.now() + lease_)}};
    auto taken = co_await tx.update(kTable, held, mine);
    if (!taken.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    auto committed = co_await tx.commit();
    if (!committed.is_ok()) co_return Claim{strategies::error_response(503, "database unavailable"), {}};
    co_return Claim{std::nullopt, text(holder, "payment_id")};
  }

  sim::Duration lease_;
  Bug bug_;
};

strategies::StrategyInfo info(const char* name, const char* summary, Bug bug) {
  return {name, summary, bug != Bug::kNone,
          [bug](const strategies::StrategyOptions& o) { return std::make_unique<PaymentClaims>(o, bug); },
          std::nullopt};  // states nothing: the tests say what it breaks
}

}  // namespace

const strategies::StrategyInfo& claim_released_on_error(bool planted) {
  static const strategies::StrategyInfo kFixed =
      info("claim_row_with_payment_id", "claim row holding the payment id (the processor key); a lease", Bug::kNone);
  static const strategies::StrategyInfo kPlanted =
      info("claim_deleted_on_processor_error", "planted: the claim row is deleted on a processor error", Bug::kReleasedOnError);
  return planted ? kPlanted : kFixed;
}

const strategies::StrategyInfo& check_and_insert_apart(bool planted) {
  static const strategies::StrategyInfo kPlanted = info(
      "lookup_then_insert_apart", "planted: lookup and claim in two transactions, no unique key", Bug::kCheckAndInsertApart);
  return planted ? kPlanted : claim_released_on_error(false);
}

}  // namespace idemlab::planted
