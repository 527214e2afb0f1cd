// The Processor port in the simulator: calls cross the network to a
// PaymentProcessor.
#pragma once

#include "models/processor/processor.h"
#include "sim/network.h"
#include "strategies/ports/processor.h"

namespace idemlab::models::processor {

class SimProcessor final : public ports::Processor {
 public:
  SimProcessor(sim::Network& net, sim::Node& client, PaymentProcessor& processor, sim::Duration timeout)
      : net_(net), client_(client), processor_(processor), timeout_(timeout) {}

  sim::Task<ports::Result<ports::Charge>> charge(ports::ChargeRequest request) override;
  sim::Task<ports::Result<ports::Refund>> refund(ports::RefundRequest request) override;
  sim::Task<ports::Result<ports::ChargeLookup>> find_charge(std::string idempotency_key) override;

 private:
  sim::Network& net_;
  sim::Node& client_;
  PaymentProcessor& processor_;
  sim::Duration timeout_;
};

}  // namespace idemlab::models::processor
