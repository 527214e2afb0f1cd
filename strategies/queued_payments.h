// dedup_queue's API and tables, which dedup_row_after_effect shares: the
// API records the key as accepted (with the payload's fingerprint, so that a
// reuse with another payload gets 422), publishes the payment to RabbitMQ
// with the key as the message id (waiting for the publisher confirm) and
// answers 202; GET /payments/{key} (or POST again) answers with the outcome
// the consumer recorded. Each strategy brings its own consumer.
#pragma once

#include <string>
#include <vector>

#include "strategies/queue_consumer.h"
#include "strategies/strategy.h"

namespace idemlab::strategies {

class QueuedPayments : public Strategy {
 public:
  explicit QueuedPayments(const StrategyOptions& options) : options_(options) {}

  sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override;
  std::vector<std::string> queues() const override { return {kQueue}; }
  std::vector<Worker> workers() override;
  bool answers_lookups() const override { return true; }
  sim::Task<api::Response> handle(ports::Ports ports, api::Request request) override;

  static constexpr const char* kQueue = "payments";
  static constexpr const char* kSeen = "dedup_seen";          // (message_id): messages applied
  static constexpr const char* kPayments = "dedup_payments";  // (key, fingerprint, response_status, response_body)

 protected:

  // One delivery of the payments queue, on the consumer's node.
  virtual sim::Task<void> consume(ports::Ports ports, ports::Consumer& consumer, ports::Delivery delivery) = 0;
  // The outcome of the payment, over the API's "accepted" row.
  static sim::Task<bool> record_outcome(ports::Tx& tx, std::string key, std::string fingerprint, api::Response response);

  const StrategyOptions options_;
};

}  // namespace idemlab::strategies
