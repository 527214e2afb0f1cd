#include "models/processor/processor.h"

#include <cassert>

namespace idemlab::models::processor {

using ports::Result;
using ports::Status;

namespace {

std::string charge_fingerprint(const ports::ChargeRequest& r) {
  return "charge|" + r.intent + "|" + std::to_string(r.amount) + "|" + r.currency + "|" + r.customer;
}

std::string refund_fingerprint(const ports::RefundRequest& r) {
  return "refund|" + r.charge_id + "|" + std::to_string(r.amount);
}

constexpr const char* kKeyMismatch = "Keys for idempotent requests can only be used with the same parameters they were first used with";
constexpr const char* kKeyInProgress = "There is currently another in-progress request using this Idempotent Key";

}  // namespace

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
    keys_.erase(it);  // past retention: the key is forgotten and will charge again
    return nullptr;
  }
  return &it->second;
}

sim::Task<Result<ports::Charge>> PaymentProcessor::charge(ports::ChargeRequest request) {
  const std::string fingerprint = charge_fingerprint(request);
  if (request.idempotency_key) {
    if (KeyRecord* record = retained(*request.idempotency_key)) {
      if (record->fingerprint != fingerprint) co_return Result<ports::Charge>::failure(Status::kError, kKeyMismatch);
      if (record->in_progress) co_return Result<ports::Charge>::failure(Status::kConflict, kKeyInProgress);
      trace("replay", "charge " + request.intent + " key " + *request.idempotency_key);
      Result<ports::Charge> replay = record->charge_response;
      if (replay.is_ok()) {
        ports::Charge replayed = replay.value();
        replayed.replayed = true;
        co_return Result<ports::Charge>::ok(std::move(replayed));
      }
      co_return replay;
    }
    keys_[*request.idempotency_key] = KeyRecord{fingerprint, sim_.now(), true, Result<ports::Charge>::failure(Status::kError),
                                                 Result<ports::Refund>::failure(Status::kError)};
  }
  co_await sim_.sleep(config_.processing_time.sample(sim_.tape()));

  ports::Charge charge;
  charge.charge_id = "ch_" + std::to_string(next_id_++);
  if (chance(sim_.tape(), config_.decline, sim::Choice::kWorkload)) {
    charge.succeeded = false;
    charge.decline_reason = "card_declined";
    trace("decline", request.intent + " " + charge.charge_id);
  } else {
    ledger_.push_back(LedgerEntry{LedgerEntry::Kind::kCharge, charge.charge_id, request.intent, {}, request.amount,
                                  sim_.now(), request.idempotency_key});
    refundable_[charge.charge_id] = request.amount;
    const std::int64_t count = charges_for(request.intent);
    trace("charge", request.intent + " " + std::to_string(request.amount) + " " + request.currency + " " +
                        charge.charge_id + (count > 1 ? " (charge number " + std::to_string(count) + " of this intent)" : ""));
  }
  Result<ports::Charge> response = Result<ports::Charge>::ok(charge);
  if (request.idempotency_key) {
    KeyRecord& record = keys_.at(*request.idempotency_key);
    record.in_progress = false;
    record.created_at = sim_.now();
    record.charge_response = response;
  }
  co_return response;
}

sim::Task<Result<ports::Refund>> PaymentProcessor::refund(ports::RefundRequest request) {
  const std::string fingerprint = refund_fingerprint(request);
  if (request.idempotency_key) {
    if (KeyRecord* record = retained(*request.idempotency_key)) {
      if (record->fingerprint != fingerprint) co_return Result<ports::Refund>::failure(Status::kError, kKeyMismatch);
      if (record->in_progress) co_return Result<ports::Refund>::failure(Status::kConflict, kKeyInProgress);
      Result<ports::Refund> replay = record->refund_response;
      if (replay.is_ok()) {
        ports::Refund replayed = replay.value();
        replayed.replayed = true;
        co_return Result<ports::Refund>::ok(std::move(replayed));
      }
      co_return replay;
    }
    keys_[*request.idempotency_key] = KeyRecord{fingerprint, sim_.now(), true, Result<ports::Charge>::failure(Status::kError),
                                                 Result<ports::Refund>::failure(Status::kError)};
  }
  co_await sim_.sleep(config_.processing_time.sample(sim_.tape()));

  Result<ports::Refund> response = Result<ports::Refund>::failure(Status::kError);
  auto left = refundable_.find(request.charge_id);
  if (left == refundable_.end()) {
    response = Result<ports::Refund>::failure(Status::kError, "No such charge: " + request.charge_id);
  } else if (request.amount <= 0 || request.amount > left->second) {
    response = Result<ports::Refund>::failure(Status::kError, "Refund amount exceeds what " + request.charge_id + " has left");
  } else {
    left->second -= request.amount;
    std::string intent;
    for (const LedgerEntry& entry : ledger_) {
      if (entry.id == request.charge_id) intent = entry.intent;
    }
    ports::Refund refund{"re_" + std::to_string(next_id_++), false};
    ledger_.push_back(LedgerEntry{LedgerEntry::Kind::kRefund, refund.refund_id, intent, request.charge_id,
                                  request.amount, sim_.now(), request.idempotency_key});
    trace("refund", intent + " " + std::to_string(request.amount) + " of " + request.charge_id);
    response = Result<ports::Refund>::ok(refund);
  }
  if (request.idempotency_key) {
    KeyRecord& record = keys_.at(*request.idempotency_key);
    record.in_progress = false;
    record.created_at = sim_.now();
    record.refund_response = response;
  }
  co_return response;
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

}  // namespace idemlab::models::processor
