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

#include "sim/state_writer.h"
#include "models/machine_load.h"
#include "sim/latency.h"
#include "sim/node.h"
#include "sim/simulator.h"
#include "sim/tape.h"
#include "strategies/ports/processor.h"

namespace idemlab::models::processor {

// A window of trouble downstream (the trigger of a retry storm): from
// `from` until `until`, charges take `slowdown_milli` / 1000 times their
// processing time, and `errors` of them fail unavailable.
struct ProcessorEpisode {
  sim::Time from = 0;
  sim::Time until = 0;
  std::int64_t slowdown_milli = 1000;
  sim::Ratio errors{0, 1};
};

struct ProcessorConfig {
  sim::LatencyModel processing_time =
      sim::LatencyModel::log_normal(150 * sim::kMillisecond, 0.4, 2 * sim::kSecond);
  sim::Ratio decline{0, 1};
  // Charges that fail unavailable (a 5xx downstream) after their processing
  // time, charging nothing and releasing their key, all through the run.
  sim::Ratio errors{0, 1};
  std::vector<ProcessorEpisode> episodes;  // in order, not overlapping
  sim::Duration key_retention = 24 * 3600 * sim::kSecond;  // Stripe keeps keys at least 24 hours
  // The processor's own bookkeeping after the processing time (a calibration
  // sets it from the live ledger's cost; zero, and skipped, otherwise).
  sim::LatencyModel ledger_time;
  // With a calibration measured under load: the time when another operation
  // is in service on the machine (MachineLoad).
  std::optional<sim::LatencyModel> ledger_time_loaded;
};

// Stripe's answers to a reused key, word for word.
inline constexpr const char* kKeyMismatch =
    "Keys for idempotent requests can only be used with the same parameters they were first used with";
inline constexpr const char* kKeyInProgress = "There is currently another in-progress request using this Idempotent Key";

// The parameters a reused key must repeat, as text (its fingerprint).
std::string charge_parameters(const ports::ChargeRequest& request);
std::string refund_parameters(const ports::RefundRequest& request);
// "ch_12" -> 12; 0 when it is not a charge id.
std::uint32_t charge_number(const std::string& id);

// One movement of money. Charges are numbered ch_1, ch_2... and refunds
// re_1, re_2... in the order they happened.
struct LedgerEntry {
  enum class Kind : std::uint8_t { kCharge, kRefund } kind = Kind::kCharge;
  std::uint32_t number = 0;  // ch_<number> or re_<number>
  std::uint32_t charge = 0;  // refunds: the number of the charge refunded
  std::int64_t amount = 0;
  sim::Time at = 0;
  std::string intent;

  std::string id() const { return (kind == Kind::kCharge ? "ch_" : "re_") + std::to_string(number); }
};

// What the processor decided for a charge it processed (a replay of a
// retained key decides nothing), in the order it began processing them:
// real mode makes the same decisions for the live charges of the same run.
// A refund by a charge's downstream key that found no charge under it.
struct RefundMiss {
  std::string intent;
  std::string key;
  sim::Time at = 0;
};

struct ChargeDecision {
  sim::Duration processing = 0;
  bool declined = false;
  bool unavailable = false;  // failed downstream: nothing charged, the key released
};

// The episode under way at `now`, if any.
const ProcessorEpisode* episode_at(const ProcessorConfig& config, sim::Time now);
// A charge's processing time and whether it fails unavailable, at `now`
// (the decline is drawn once processed). Draws nothing for what is
// certain, so a run without errors has the tape it always had.
ChargeDecision decide_charge(const ProcessorConfig& config, sim::Time now, sim::Tape& tape);

class PaymentProcessor {
 public:
  PaymentProcessor(sim::Simulator& sim, std::string name, ProcessorConfig config);
  ~PaymentProcessor();
  PaymentProcessor(const PaymentProcessor&) = delete;
  PaymentProcessor& operator=(const PaymentProcessor&) = delete;

  sim::Node& node() { return node_; }

  sim::Task<ports::Result<ports::Charge>> charge(ports::ChargeRequest request);
  sim::Task<ports::Result<ports::Refund>> refund(ports::RefundRequest request);
  // The charge under a downstream key; it takes the ledger's time only (a
  // read, no processing).
  sim::Task<ports::Result<ports::ChargeLookup>> find_charge(std::string idempotency_key);

  // Ground truth: successful charges and refunds, in the order they happened.
  const std::vector<LedgerEntry>& ledger() const { return ledger_; }
  std::int64_t charges_for(const std::string& intent) const;   // count
  std::int64_t charged_amount(const std::string& intent) const;
  std::int64_t refunded_amount(const std::string& intent) const;
  // Declined charges per intent: a definitive outcome that moved no money.
  const std::map<std::string, std::int64_t>& declines() const { return declines_; }
  // Refunds by key that found nothing, in order.
  const std::vector<RefundMiss>& refund_misses() const { return refund_misses_; }
  // The decisions of the charges processed, and the processing times of the
  // refunds, each in the order they began.
  const std::vector<ChargeDecision>& charge_decisions() const { return charge_decisions_; }
  const std::vector<sim::Duration>& refund_times() const { return refund_times_; }
  // Its node, the ledger, the retained keys, declines and counters.
  void write_state(sim::StateWriter& out) const;

  // The world's servers share one MachineLoad; alone, a server has its own.
  void share_machine_load(MachineLoad& load) { load_ = &load; }

 private:
  sim::Duration ledger_time() {
    return load_->serve(sim_.now(), config_.ledger_time, config_.ledger_time_loaded, sim_.tape());
  }
  MachineLoad own_load_;
  MachineLoad* load_ = &own_load_;
  // What a retained idempotency key answers with, kept small: a sweep
  // holds one per charge.
  struct KeyRecord {
    std::uint64_t fingerprint = 0;  // stable hash of the first request's parameters
    sim::Time created_at = 0;
    bool in_progress = true;
    bool succeeded = false;         // a charge: succeeded, or declined
    ports::Status status = ports::Status::kOk;  // the first response's status
    std::uint32_t number = 0;       // ch_<number> / re_<number> of an ok response
    bool charge = false;            // the key of a charge (not of a refund)
  };
  ports::ChargeLookup lookup(const std::string& key);
  ports::Result<ports::Charge> replay_charge(const KeyRecord& record) const;
  ports::Result<ports::Refund> replay_refund(const std::string& key, const KeyRecord& record) const;
  // The key's record if it is still retained, dropping it once expired.
  KeyRecord* retained(const std::string& key);
  void trace(const std::string& kind, const std::string& detail);

  sim::Simulator& sim_;
  ProcessorConfig config_;
  sim::Node node_;
  std::vector<LedgerEntry> ledger_;
  std::map<std::string, KeyRecord> keys_;
  std::map<std::string, std::string> key_errors_;  // the message of a failed first response (rare)
  std::map<std::string, std::int64_t> declines_;
  std::vector<RefundMiss> refund_misses_;
  std::vector<ChargeDecision> charge_decisions_;
  std::vector<sim::Duration> refund_times_;
  std::vector<std::int64_t> refundable_;  // by charge number - 1: amount left to refund
  // By charge number - 1: its entry in ledger_ (kNoEntry: declined), so
  // that a refund finds its intent without reading the whole ledger.
  static constexpr std::uint32_t kNoEntry = UINT32_MAX;
  std::vector<std::uint32_t> charge_entry_;
  std::uint32_t next_charge_ = 1;         // declined charges take a number too
  std::uint32_t next_refund_ = 1;
};

}  // namespace idemlab::models::processor
