// A simulated payment processor: a ledger of charges and refunds, its own
// processing time, declines, and downstream idempotency keys kept for a
// retention window (after which the same key charges again). It runs on its
// own node; a lost reply (a network fault on the way back) is a charge that
// happened while the caller saw a timeout.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/latency.h"
#include "sim/node.h"
#include "sim/simulator.h"
#include "sim/tape.h"
#include "strategies/ports/processor.h"

namespace idemlab::models::processor {

struct ProcessorConfig {
  sim::LatencyModel processing_time =
      sim::LatencyModel::log_normal(150 * sim::kMillisecond, 0.4, 2 * sim::kSecond);
  sim::Ratio decline{0, 1};
  sim::Duration key_retention = 24 * 3600 * sim::kSecond;  // Stripe keeps keys at least 24 hours
};

struct LedgerEntry {
  enum class Kind : std::uint8_t { kCharge, kRefund } kind = Kind::kCharge;
  std::string id;      // ch_N or re_N
  std::string intent;
  std::string charge_id;  // refunds: the charge refunded
  std::int64_t amount = 0;
  sim::Time at = 0;
  std::optional<std::string> idempotency_key;
};

class PaymentProcessor {
 public:
  PaymentProcessor(sim::Simulator& sim, std::string name, ProcessorConfig config);
  ~PaymentProcessor();
  PaymentProcessor(const PaymentProcessor&) = delete;
  PaymentProcessor& operator=(const PaymentProcessor&) = delete;

  sim::Node& node() { return node_; }

  sim::Task<ports::Result<ports::Charge>> charge(ports::ChargeRequest request);
  sim::Task<ports::Result<ports::Refund>> refund(ports::RefundRequest request);

  // Ground truth: successful charges and refunds, in the order they happened.
  const std::vector<LedgerEntry>& ledger() const { return ledger_; }
  std::int64_t charges_for(const std::string& intent) const;   // count
  std::int64_t charged_amount(const std::string& intent) const;
  std::int64_t refunded_amount(const std::string& intent) const;

 private:
  struct KeyRecord {
    std::string fingerprint;  // the parameters of the first request
    sim::Time created_at = 0;
    bool in_progress = true;
    ports::Result<ports::Charge> charge_response = ports::Result<ports::Charge>::failure(ports::Status::kError);
    ports::Result<ports::Refund> refund_response = ports::Result<ports::Refund>::failure(ports::Status::kError);
  };
  // The key's record if it is still retained, dropping it once expired.
  KeyRecord* retained(const std::string& key);
  void trace(const std::string& kind, const std::string& detail);

  sim::Simulator& sim_;
  ProcessorConfig config_;
  sim::Node node_;
  std::vector<LedgerEntry> ledger_;
  std::map<std::string, KeyRecord> keys_;
  std::map<std::string, std::int64_t> refundable_;  // charge id -> amount left
  std::uint64_t next_id_ = 1;
};

}  // namespace idemlab::models::processor
