// The queue pair of planted bugs (planted.h): dedup_queue as shipped, and
// the same strategy with its consumer's channel acking every delivery as it
// arrives, which is what `auto_ack` (no_ack) consumers and handlers that ack
// "first, to be quick" do. The strategy's own code is not copied: its
// workers get a queue port whose consumers ack on receipt.
#include <memory>

#include "tests/planted/planted.h"

namespace idemlab::planted {
namespace {

// Acks each delivery before handing it over; the handler's own ack and nack
// then have nothing left to settle.
class AckingConsumer final : public ports::Consumer {
 public:
  explicit AckingConsumer(std::unique_ptr<ports::Consumer> inner) : inner_(std::move(inner)) {}

  sim::Task<ports::Result<ports::Delivery>> next(sim::Duration wait) override {
    auto delivery = co_await inner_->next(wait);
    if (!delivery.is_ok()) co_return delivery;
    auto acked = co_await inner_->ack(delivery.value().tag);
    (void)acked;
    co_return delivery;
  }
  sim::Task<ports::Result<ports::Unit>> ack(std::uint64_t) override { co_return ports::Result<ports::Unit>::ok({}); }
  sim::Task<ports::Result<ports::Unit>> nack(std::uint64_t, bool) override {
    co_return ports::Result<ports::Unit>::ok({});
  }

 private:
  std::unique_ptr<ports::Consumer> inner_;
};

class AckOnReceiptQueue final : public ports::Queue {
 public:
  explicit AckOnReceiptQueue(ports::Queue& inner) : inner_(inner) {}

  sim::Task<ports::Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override {
    co_return co_await inner_.declare(std::move(queue), std::move(options));
  }
  sim::Task<ports::Result<ports::Unit>> publish(std::string queue, ports::Message message) override {
    co_return co_await inner_.publish(std::move(queue), std::move(message));
  }
  sim::Task<ports::Result<std::unique_ptr<ports::Consumer>>> consume(std::string queue, std::int64_t prefetch) override {
    auto consumer = co_await inner_.consume(std::move(queue), prefetch);
    if (!consumer.is_ok()) co_return consumer;
    std::unique_ptr<ports::Consumer> acking = std::make_unique<AckingConsumer>(std::move(consumer).value());
    co_return ports::Result<std::unique_ptr<ports::Consumer>>::ok(std::move(acking));
  }

 private:
  ports::Queue& inner_;
};

// The worker's loop over ports whose queue acks on receipt; the decorator
// lives in this coroutine's frame, as long as the loop.
sim::Task<void> run_acking(std::function<sim::Task<void>(ports::Ports)> run, ports::Ports ports) {
  AckOnReceiptQueue queue(ports.queue);
  const ports::Ports acking{ports.clock, ports.kv, ports.sql, queue, ports.processor};
  co_await run(acking);
}

class AckBeforeCommit final : public strategies::Strategy {
 public:
  explicit AckBeforeCommit(std::unique_ptr<strategies::Strategy> inner) : inner_(std::move(inner)) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override { return inner_->setup(ports); }
  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    return inner_->handle(ports, std::move(request));
  }
  std::vector<std::string> queues() const override { return inner_->queues(); }
  std::vector<strategies::Worker> workers() override {
    std::vector<strategies::Worker> out = inner_->workers();
    for (strategies::Worker& worker : out) {
      worker.run = [run = std::move(worker.run)](ports::Ports ports) { return run_acking(run, ports); };
    }
    return out;
  }

 private:
  std::unique_ptr<strategies::Strategy> inner_;
};

}  // namespace

const strategies::StrategyInfo& ack_before_commit(bool planted) {
  static const strategies::StrategyInfo* kFixed = strategies::find_strategy("dedup_queue");
  static const strategies::StrategyInfo kPlanted{
      "dedup_queue_acking_on_receipt", "planted: dedup_queue whose consumer acks each delivery on receipt", true,
      [](const strategies::StrategyOptions& o) { return std::make_unique<AckBeforeCommit>(kFixed->make(o)); },
      std::nullopt};  // states nothing: the tests say what it breaks
  return planted ? kPlanted : *kFixed;
}

}  // namespace idemlab::planted
