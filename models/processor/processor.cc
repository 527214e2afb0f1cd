#include "models/processor/processor.h"

#include "sim/state_writer.h"
#include <algorithm>
#include <cassert>

#include "sim/hash.h"

namespace idemlab::models::processor {

using ports::Result;
using ports::Status;

namespace {

std::uint64_t charge_fingerprint(const ports::ChargeRequest& r) { return sim::fnv1a(charge_parameters(r)); }
std::uint64_t refund_fingerprint(const ports::RefundRequest& r) { return sim::fnv1a(refund_parameters(r)); }

}  // namespace

std::string charge_parameters(const ports::ChargeRequest& r) {
  return "charge|" + r.intent + "|" + std::to_string(r.amount) + "|" + r.currency + "|" + r.customer;
}

std::string refund_parameters(const ports::RefundRequest& r) {
  if (r.charge_key) return "refund|key:" + *r.charge_key + "|" + std::to_string(r.amount);
  return "refund|" + r.charge_id + "|" + std::to_string(r.amount);
}

// "ch_12" -> 12; 0 when it is not a charge id.
std::uint32_t charge_number(const std::string& id) {
  if (id.size() < 4 || id.compare(0, 3, "ch_") != 0) return 0;
  std::uint64_t n = 0;
  for (std::size_t i = 3; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9' || n > UINT32_MAX / 10) return 0;
    n = n * 10 + static_cast<std::uint64_t>(id[i] - '0');
  }
  return n > UINT32_MAX ? 0 : static_cast<std::uint32_t>(n);
}

PaymentProcessor::PaymentProcessor(sim::Simulator& sim, std::string name, ProcessorConfig config)
    : sim_(sim), config_(std::move(config)), node_(sim, std::move(name)) {
  node_.start();
}

PaymentProcessor::~PaymentProcessor() {
  if (node_.up()) node_.crash();
}

void PaymentProcessor::trace(const std::string& kind, const std::string& detail) {
  if (sim_.trace().enabled()) sim_.record(node_.name(), kind, detail);
}

PaymentProcessor::KeyRecord* PaymentProcessor::retained(const std::string& key) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return nullptr;
  if (!it->second.in_progress && it->second.created_at + config_.key_retention <= sim_.now()) {
    key_errors_.erase(key);
    keys_.erase(it);  // past retention: the key is forgotten and will charge again
    return nullptr;
  }
  return &it->second;
}

Result<ports::Charge> PaymentProcessor::replay_charge(const KeyRecord& record) const {
  assert(record.status == Status::kOk);  // charges answer ok (succeeded or declined)
  ports::Charge charge;
  charge.charge_id = "ch_" + std::to_string(record.number);
  charge.succeeded = record.succeeded;
  if (!record.succeeded) charge.decline_reason = "card_declined";
  charge.replayed = true;
  return Result<ports::Charge>::ok(std::move(charge));
}

Result<ports::Refund> PaymentProcessor::replay_refund(const std::string& key, const KeyRecord& record) const {
  if (record.status != Status::kOk) return Result<ports::Refund>::failure(record.status, key_errors_.at(key));
  return Result<ports::Refund>::ok(ports::Refund{"re_" + std::to_string(record.number), true});
}

sim::Task<Result<ports::Charge>> PaymentProcessor::charge(ports::ChargeRequest request) {
  const std::uint64_t fingerprint = charge_fingerprint(request);
  if (request.idempotency_key) {
    if (KeyRecord* record = retained(*request.idempotency_key)) {
      if (record->fingerprint != fingerprint) co_return Result<ports::Charge>::failure(Status::kError, kKeyMismatch);
      if (record->in_progress) co_return Result<ports::Charge>::failure(Status::kConflict, kKeyInProgress);
      trace("replay", "charge " + request.intent + " key " + *request.idempotency_key);
      co_return replay_charge(*record);
    }
    KeyRecord fresh;
    fresh.fingerprint = fingerprint;
    fresh.created_at = sim_.now();
    fresh.charge = true;
    keys_[*request.idempotency_key] = std::move(fresh);
  }
  const std::size_t decision = charge_decisions_.size();
  charge_decisions_.push_back(decide_charge(config_, sim_.now(), sim_.tape()));
  co_await sim_.sleep(charge_decisions_[decision].processing);
  if (!config_.ledger_time.is_zero()) co_await sim_.sleep(ledger_time());
  if (charge_decisions_[decision].unavailable) {
    // Failed downstream before any money moved: the key is not kept, so a
    // retry under it charges afresh.
    if (request.idempotency_key) keys_.erase(*request.idempotency_key);
    trace("unavailable", request.intent);
    co_return Result<ports::Charge>::failure(Status::kUnavailable, "the payment processor is unavailable");
  }

  const std::uint32_t number = next_charge_++;
  refundable_.push_back(0);
  charge_entry_.push_back(kNoEntry);
  ports::Charge charge;
  charge.charge_id = "ch_" + std::to_string(number);
  if (chance(sim_.tape(), config_.decline, sim::Choice::kWorkload)) {
    charge.succeeded = false;
    charge.decline_reason = "card_declined";
    charge_decisions_[decision].declined = true;
    ++declines_[request.intent];
    trace("decline", request.intent + " " + charge.charge_id);
  } else {
    charge_entry_.back() = static_cast<std::uint32_t>(ledger_.size());
    ledger_.push_back(LedgerEntry{LedgerEntry::Kind::kCharge, number, 0, request.amount, sim_.now(), request.intent});
    refundable_[number - 1] = request.amount;
    if (sim_.trace().enabled()) {  // counting reads the whole ledger: only for the trace
      const std::int64_t count = charges_for(request.intent);
      trace("charge", request.intent + " " + std::to_string(request.amount) + " " + request.currency + " " +
                          charge.charge_id + (count > 1 ? " (charge number " + std::to_string(count) + " of this intent)" : ""));
    }
  }
  if (request.idempotency_key) {
    KeyRecord& record = keys_.at(*request.idempotency_key);
    record.in_progress = false;
    record.created_at = sim_.now();
    record.succeeded = charge.succeeded;
    record.number = number;
  }
  co_return Result<ports::Charge>::ok(std::move(charge));
}

sim::Task<Result<ports::Refund>> PaymentProcessor::refund(ports::RefundRequest request) {
  const std::uint64_t fingerprint = refund_fingerprint(request);
  if (request.idempotency_key) {
    if (KeyRecord* record = retained(*request.idempotency_key)) {
      if (record->fingerprint != fingerprint) co_return Result<ports::Refund>::failure(Status::kError, kKeyMismatch);
      if (record->in_progress) co_return Result<ports::Refund>::failure(Status::kConflict, kKeyInProgress);
      co_return replay_refund(*request.idempotency_key, *record);
    }
    KeyRecord fresh;
    fresh.fingerprint = fingerprint;
    fresh.created_at = sim_.now();
    keys_[*request.idempotency_key] = std::move(fresh);
  }
  refund_times_.push_back(config_.processing_time.sample(sim_.tape()));
  co_await sim_.sleep(refund_times_.back());
  if (!config_.ledger_time.is_zero()) co_await sim_.sleep(ledger_time());

  Result<ports::Refund> response = Result<ports::Refund>::failure(Status::kError);
  std::string charge_id = request.charge_id;
  if (request.charge_key) {
    const ports::ChargeLookup found = lookup(*request.charge_key);
    charge_id = found.state == ports::ChargeLookup::State::kCharged ? found.charge_id : std::string();
  }
  const std::uint32_t charge = charge_number(charge_id);
  if (request.charge_key && charge == 0) {
    // Nothing to refund under the key yet: a charge still on its way may land after this.
    refund_misses_.push_back(RefundMiss{request.intent, *request.charge_key, sim_.now()});
    trace("refund found nothing", request.intent + " key " + *request.charge_key);
    response = Result<ports::Refund>::failure(Status::kError, ports::kNoChargeUnderKey);
  } else if (charge == 0 || charge > refundable_.size()) {
    response = Result<ports::Refund>::failure(Status::kError, "No such charge: " + request.charge_id);
  } else if (request.amount <= 0 || request.amount > refundable_[charge - 1]) {
    response = Result<ports::Refund>::failure(Status::kError, "Refund amount exceeds what " + charge_id + " has left");
  } else {
    refundable_[charge - 1] -= request.amount;
    assert(charge_entry_[charge - 1] != kNoEntry && "a refundable charge has its ledger entry");
    const std::string intent = ledger_[charge_entry_[charge - 1]].intent;
    const std::uint32_t number = next_refund_++;
    ledger_.push_back(LedgerEntry{LedgerEntry::Kind::kRefund, number, charge, request.amount, sim_.now(), intent});
    trace("refund", intent + " " + std::to_string(request.amount) + " of " + charge_id);
    response = Result<ports::Refund>::ok(ports::Refund{"re_" + std::to_string(number), false});
  }
  if (request.idempotency_key) {
    KeyRecord& record = keys_.at(*request.idempotency_key);
    record.in_progress = false;
    record.created_at = sim_.now();
    record.status = response.status();
    if (response.is_ok()) {
      record.number = next_refund_ - 1;
    } else {
      key_errors_[*request.idempotency_key] = response.message();
    }
  }
  co_return response;
}

ports::ChargeLookup PaymentProcessor::lookup(const std::string& key) {
  ports::ChargeLookup out;
  const KeyRecord* record = retained(key);
  if (record == nullptr || !record->charge) return out;
  if (record->in_progress) {
    out.state = ports::ChargeLookup::State::kInProgress;
    return out;
  }
  out.state = record->succeeded ? ports::ChargeLookup::State::kCharged : ports::ChargeLookup::State::kDeclined;
  out.charge_id = "ch_" + std::to_string(record->number);
  return out;
}

sim::Task<Result<ports::ChargeLookup>> PaymentProcessor::find_charge(std::string idempotency_key) {
  if (!config_.ledger_time.is_zero()) co_await sim_.sleep(ledger_time());
  co_return Result<ports::ChargeLookup>::ok(lookup(idempotency_key));
}

const ProcessorEpisode* episode_at(const ProcessorConfig& config, sim::Time now) {
  for (const ProcessorEpisode& e : config.episodes) {
    if (e.from <= now && now < e.until) return &e;
  }
  return nullptr;
}

ChargeDecision decide_charge(const ProcessorConfig& config, sim::Time now, sim::Tape& tape) {
  ChargeDecision d;
  d.processing = config.processing_time.sample(tape);
  const ProcessorEpisode* episode = episode_at(config, now);
  if (episode != nullptr) {
    // Slowed down at most to a script's longest duration (400 days), so
    // that a 1000x slowdown of a long charge cannot overflow the clock.
    constexpr sim::Duration kLongest = 400 * 24 * 3600 * sim::kSecond;
    const std::int64_t milli = episode->slowdown_milli;
    d.processing = d.processing / 1000 > kLongest / milli
                       ? kLongest
                       : std::min(kLongest, d.processing / 1000 * milli + d.processing % 1000 * milli / 1000);
  }
  d.unavailable = chance(tape, config.errors, sim::Choice::kFault) ||
                  (episode != nullptr && chance(tape, episode->errors, sim::Choice::kFault));
  return d;
}

std::int64_t PaymentProcessor::charges_for(const std::string& intent) const {
  std::int64_t count = 0;
  for (const LedgerEntry& e : ledger_) count += (e.kind == LedgerEntry::Kind::kCharge && e.intent == intent) ? 1 : 0;
  return count;
}

std::int64_t PaymentProcessor::charged_amount(const std::string& intent) const {
  std::int64_t sum = 0;
  for (const LedgerEntry& e : ledger_) sum += (e.kind == LedgerEntry::Kind::kCharge && e.intent == intent) ? e.amount : 0;
  return sum;
}

std::int64_t PaymentProcessor::refunded_amount(const std::string& intent) const {
  std::int64_t sum = 0;
  for (const LedgerEntry& e : ledger_) sum += (e.kind == LedgerEntry::Kind::kRefund && e.intent == intent) ? e.amount : 0;
  return sum;
}

void PaymentProcessor::write_state(sim::StateWriter& out) const {
  out.tag("processor");
  node_.write_state(out);
  out.u64(ledger_.size());
  for (const LedgerEntry& e : ledger_) {
    out.u64(static_cast<std::uint64_t>(e.kind));
    out.u64(e.number);
    out.u64(e.charge);
    out.i64(e.amount);
    out.i64(e.at);
    out.str(e.intent);
  }
  out.u64(keys_.size());
  for (const auto& [key, r] : keys_) {
    out.str(key);
    out.u64(r.fingerprint);
    out.i64(r.created_at);
    out.flag(r.in_progress);
    out.flag(r.succeeded);
    out.u64(static_cast<std::uint64_t>(r.status));
    out.u64(r.number);
  }
  for (const auto& [key, message] : key_errors_) {
    out.str(key);
    out.str(message);
  }
  for (const auto& [key, n] : declines_) {
    out.str(key);
    out.i64(n);
  }
  out.u64(charge_decisions_.size());
  for (const ChargeDecision& d : charge_decisions_) {
    out.i64(d.processing);
    out.flag(d.declined);
  }
  for (sim::Duration t : refund_times_) out.i64(t);
  // Tagged, and only when there is one: worlds without keep their hashes.
  if (!refund_misses_.empty()) out.tag("refund-misses");
  for (const RefundMiss& m : refund_misses_) {
    out.str(m.intent);
    out.str(m.key);
    out.i64(m.at);
  }
  out.u64(refund_times_.size());
  for (std::int64_t left : refundable_) out.i64(left);
  out.u64(refundable_.size());
  out.u64(next_charge_);
  out.u64(next_refund_);
  load_->write_state(out);
}

}  // namespace idemlab::models::processor
