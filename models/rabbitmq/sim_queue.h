// The Queue port in the simulator: publishes and subscriptions cross the
// network to a Broker; a SimConsumer reads its channel's mailbox.
#pragma once

#include <memory>

#include "models/rabbitmq/broker.h"
#include "strategies/ports/queue.h"

namespace idemlab::models::rabbitmq {

class SimQueue final : public ports::Queue {
 public:
  SimQueue(sim::Network& net, sim::Node& client, Broker& broker, sim::Duration timeout)
      : net_(net), client_(client), broker_(broker), timeout_(timeout) {}

  sim::Task<ports::Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override;
  sim::Task<ports::Result<ports::Unit>> publish(std::string queue, ports::Message message) override;
  sim::Task<ports::Result<std::unique_ptr<ports::Consumer>>> consume(std::string queue, std::int64_t prefetch) override;

 private:
  sim::Network& net_;
  sim::Node& client_;
  Broker& broker_;
  sim::Duration timeout_;
};

class SimConsumer final : public ports::Consumer {
 public:
  SimConsumer(sim::Simulator& sim, sim::Node& client, Broker& broker, std::shared_ptr<ConsumerMailbox> mailbox)
      : sim_(sim), client_(client), broker_(broker), mailbox_(std::move(mailbox)) {}
  ~SimConsumer() override;

  sim::Task<ports::Result<ports::Delivery>> next(sim::Duration wait) override;
  sim::Task<ports::Result<ports::Unit>> ack(std::uint64_t tag) override;
  sim::Task<ports::Result<ports::Unit>> nack(std::uint64_t tag, bool requeue) override;

 private:
  sim::Simulator& sim_;
  sim::Node& client_;
  Broker& broker_;
  std::shared_ptr<ConsumerMailbox> mailbox_;
};

}  // namespace idemlab::models::rabbitmq
