// dedup_row_after_effect (textbook): dedup_queue's API (queued_payments.h), but
// the consumer of the tutorials: it checks the dedup table, charges (no
// downstream key), records the payment, and only then inserts the message id,
// in a transaction of its own, and acks. A crash between the effect and the
// dedup row (or a lost commit reply) lets the redelivery charge again.
#include "strategies/payment_request.h"
#include "strategies/queued_payments.h"

namespace idemlab::strategies {
namespace {

using ports::Value;

class DedupRowAfterEffect final : public QueuedPayments {
 public:
  using QueuedPayments::QueuedPayments;

 private:
  // The tutorials' consumer: check, effect, then mark, each committed apart.
  sim::Task<void> consume(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) override {
    const std::string id = delivery.message.id;
    const ports::Where by_id{{"message_id", Value(id)}};
    auto check = co_await ports.sql.begin(options_.isolation);
    if (!check.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    auto seen = co_await check.value()->select(kSeen, by_id, ports::RowLock::kNone);
    auto checked = co_await check.value()->commit();
    (void)checked;
    if (!seen.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    if (!seen.value().empty()) {
      auto acked = co_await consumer.ack(delivery.tag);
      (void)acked;
      co_return;
    }
    const Parsed parsed = parse_payment(delivery.message.body);
    api::Response response = error_response(400, parsed.error);
    if (parsed.request) {
      ports::ChargeRequest charge = charge_request(*parsed.request, delivery.message.headers["origin"], std::nullopt);
      auto charged = co_await ports.processor.charge(std::move(charge));
      if (!charged.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
      const std::string payment_id = "pay_" + ports.clock.unique_id();
      response = charged.value().succeeded ? created(payment_id, *parsed.request, charged.value())
                                           : declined(payment_id, charged.value());
    }
    auto effect = co_await ports.sql.begin(options_.isolation);
    if (!effect.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    auto recorded = co_await record_outcome(*effect.value(), id, delivery.message.headers["fingerprint"], response);
    if (!recorded) co_return co_await retry_later(consumer, delivery.tag);
    auto committed = co_await effect.value()->commit();
    if (!committed.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    // Only now is the message marked seen, in a transaction of its own.
    auto mark = co_await ports.sql.begin(options_.isolation);
    if (!mark.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    const ports::Row seen_row{{"message_id", Value(id)}};
    const ports::OnConflict once{{"message_id"}, ports::OnConflict::Action::kDoNothing, {}, {}};
    auto marked = co_await mark.value()->insert_on_conflict(kSeen, seen_row, once);
    if (!marked.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    co_await commit_then_ack(*mark.value(), consumer, delivery.tag);
  }

};

std::unique_ptr<Strategy> make_dedup_row_after_effect(const StrategyOptions& options) {
  return std::make_unique<DedupRowAfterEffect>(options);
}

}  // namespace

const StrategyInfo& dedup_row_after_effect_strategy() {
  static const StrategyInfo kInfo{
      "dedup_row_after_effect", "textbook: the consumer charges, records, then marks the message seen apart", true, &make_dedup_row_after_effect,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"crash_after_charge_before_commit", {"at_most_one_charge"}},
          {"consumer_crash_between_effect_and_dedup_row", {"at_most_one_charge", "message_applied_at_most_once"}},
          {"network_timeout", {"at_most_one_charge"}},
          {"partial_failure", {"at_most_one_charge"}},
          {"worker_retry", {"at_most_one_charge"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
