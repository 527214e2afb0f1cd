// What a successful answer says the payment is: its id, amount, status and
// the charge it names, read from the response body the client got. The
// checker compares these across every 2xx of one intent (one charge, one
// answer) and against the processor's ledger; the bodies themselves are only
// kept as hashes.
#pragma once

#include <cstdint>
#include <string_view>

namespace idemlab::models::clients {

enum class PaymentState : std::uint8_t {
  kMissing,     // no "status" string
  kSucceeded,   // "succeeded"
  kFailed,      // "failed"
  kProcessing,  // "processing": accepted, not final
  kOther,       // any other text
};
const char* payment_state_name(PaymentState state);

// 24 bytes.
struct PaymentAnswer {
  std::uint32_t event = 0;    // index into History::events()
  std::uint32_t id_hash = 0;  // low half of sim::fnv1a of "id"; 0: the body names no payment
  std::uint32_t charge = 0;   // N of the "charge" ch_N it names; 0: none
  PaymentState state = PaymentState::kMissing;
  bool has_amount = false;
  std::int64_t amount = 0;    // "amount", when has_amount
};
static_assert(sizeof(PaymentAnswer) == 24);

// The payment a response body describes; every field absent when the body
// is not a JSON object.
PaymentAnswer describe_payment(std::string_view body);

}  // namespace idemlab::models::clients
