// Processor port: the external payment processor, the side effect every
// invariant is about. A charge moves money; the processor's ledger is the
// ground truth of how many times an intent was charged.
//
// An optional downstream idempotency key makes the processor answer a
// repeated request with the first response, as Stripe's API does, for as
// long as it retains the key; reusing a key with other parameters is an
// error, and a key whose first request is still running gets kConflict.
//
// A charge's downstream key also names it afterwards, as processors allow
// (Stripe lists a charge by its key's request, Adyen by its merchant
// reference): find_charge looks it up, and a refund may name the charge by
// that key instead of its id. A refund by a key under which no charge was
// made fails with kNoChargeUnderKey: it refunded nothing, and a charge
// still on its way under that key may land after it, which is why a
// compensation that found nothing is not done.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/task.h"
#include "strategies/ports/result.h"

namespace idemlab::ports {

struct ChargeRequest {
  std::string intent;  // the payment intent being paid (for the ledger)
  std::int64_t amount = 0;
  std::string currency = "eur";
  std::string customer;
  std::optional<std::string> idempotency_key;
};

struct Charge {
  std::string charge_id;
  bool succeeded = true;  // false: declined (a definitive, business outcome)
  std::string decline_reason;
  bool replayed = false;  // answered from the idempotency key's first response
};

struct RefundRequest {
  std::string charge_id;
  // Instead of charge_id: the charge made under this downstream key.
  std::optional<std::string> charge_key;
  std::string intent;  // the intent being refunded, for the processor's record of a refund that found nothing
  std::int64_t amount = 0;
  std::optional<std::string> idempotency_key;
};

struct Refund {
  std::string refund_id;
  bool replayed = false;
};

// What the processor holds under a charge's downstream key.
struct ChargeLookup {
  enum class State : std::uint8_t {
    kNotFound,    // no charge requested under it (yet), or no longer retained
    kInProgress,  // the first request under it is being processed
    kCharged,     // charge_id succeeded
    kDeclined,    // charge_id was declined
  };
  State state = State::kNotFound;
  std::string charge_id;
};

// The message of a refund by a key under which no charge was made.
inline constexpr const char* kNoChargeUnderKey = "No charge was made under this idempotency key";

class Processor {
 public:
  virtual ~Processor() = default;
  virtual sim::Task<Result<Charge>> charge(ChargeRequest request) = 0;
  // kError when the refund would exceed what the charge has left, or
  // (kNoChargeUnderKey) when its charge_key names no successful charge.
  virtual sim::Task<Result<Refund>> refund(RefundRequest request) = 0;
  virtual sim::Task<Result<ChargeLookup>> find_charge(std::string idempotency_key) = 0;
};

}  // namespace idemlab::ports
