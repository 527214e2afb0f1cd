// dedup_queue: the API of queued_payments.h (record the key as accepted,
// publish with the key as the message id, 202), and a consumer that records
// the message id in a dedup table in the same transaction as the payment,
// charges with a downstream key, and acks after the commit. A duplicate
// message (a republish after a lost confirm, a redelivery after a consumer
// crash) finds its id taken and is acked without effect.
#include "strategies/payment_request.h"
#include "strategies/queued_payments.h"

namespace idemlab::strategies {
namespace {

class DedupQueue final : public QueuedPayments {
 public:
  using QueuedPayments::QueuedPayments;

 private:
  sim::Task<void> consume(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) override {
    const std::string id = delivery.message.id;
    auto tx = co_await ports.sql.begin(options_.isolation);
    if (!tx.is_ok()) co_return co_await retry_later(consumer, delivery.tag);
    const FirstTime first = co_await apply_once(*tx.value(), consumer, delivery, kSeen, "message_id");
    if (first == FirstTime::kFailed) co_return co_await retry_later(consumer, delivery.tag);
    if (first == FirstTime::kNo) co_return;  // a duplicate: its first delivery committed the effect
    const Parsed parsed = parse_payment(delivery.message.body);
    api::Response response = error_response(400, parsed.error);
    if (parsed.request) {
      ports::ChargeRequest charge = charge_request(*parsed.request, delivery.message.headers["origin"], "mq-" + id);
      auto charged = co_await ports.processor.charge(std::move(charge));
      if (!charged.is_ok()) co_return co_await retry_later(consumer, delivery.tag);  // rolls back the dedup row
      const std::string payment_id = payment_id_for("mq-" + id);
      response = charged.value().succeeded ? created(payment_id, *parsed.request, charged.value())
                                           : declined(payment_id, charged.value());
    }
    auto recorded = co_await record_outcome(*tx.value(), id, delivery.message.headers["fingerprint"], response);
    if (!recorded) co_return co_await retry_later(consumer, delivery.tag);
    co_await commit_then_ack(*tx.value(), consumer, delivery.tag);
  }

};

std::unique_ptr<Strategy> make_dedup_queue(const StrategyOptions& options) { return std::make_unique<DedupQueue>(options); }

}  // namespace

const StrategyInfo& dedup_queue_strategy() {
  static const StrategyInfo kInfo{
      "dedup_queue", "publish with the key as message id, 202; the consumer dedups in the payment's transaction", false, &make_dedup_queue,
      Breaks{}};  // it survives every shipped scenario
  return kInfo;
}

}  // namespace idemlab::strategies
