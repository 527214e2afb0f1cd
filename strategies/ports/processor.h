// Processor port: the external payment processor, the side effect every
// invariant is about. A charge moves money; the processor's ledger is the
// ground truth of how many times an intent was charged.
//
// An optional downstream idempotency key makes the processor answer a
// repeated request with the first response, as Stripe's API does, for as
// long as it retains the key; reusing a key with other parameters is an
// error, and a key whose first request is still running gets kConflict.
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
  std::int64_t amount = 0;
  std::optional<std::string> idempotency_key;
};

struct Refund {
  std::string refund_id;
  bool replayed = false;
};

class Processor {
 public:
  virtual ~Processor() = default;
  virtual sim::Task<Result<Charge>> charge(ChargeRequest request) = 0;
  // kError when the refund would exceed what the charge has left.
  virtual sim::Task<Result<Refund>> refund(RefundRequest request) = 0;
};

}  // namespace idemlab::ports
