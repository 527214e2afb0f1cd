// What every strategy does with a request body and a response: parse and
// validate {amount, currency, customer_id, description?}; the canonical form
// for fingerprints (key order and number formatting do not matter); and the
// response bodies, so that every strategy answers alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "strategies/api.h"
#include "strategies/ports/processor.h"

namespace idemlab::strategies {

struct PaymentRequest {
  std::int64_t amount = 0;  // minor units
  std::string currency;
  std::string customer_id;
  std::string description;
};

// The parsed body, or the reason it is invalid (for a 400).
struct Parsed {
  std::optional<PaymentRequest> request;
  std::string error;
};
Parsed parse_payment(const std::string& body);

// The body in canonical form: sorted keys, integers without fraction or
// exponent, no whitespace. Equal payloads, equal canonical forms.
std::string canonical_body(const PaymentRequest& request);
// A stable hash of the canonical form, as 16 hex digits.
std::string fingerprint(const PaymentRequest& request);

// The opening of every handler that requires an Idempotency-Key: the key,
// the parsed body and its fingerprint, or the 400 to answer (the key missing,
// or the body invalid, checked in that order).
struct KeyedPayment {
  std::string key;
  PaymentRequest payment;
  std::string fingerprint;
};
std::variant<KeyedPayment, api::Response> keyed_payment(const api::Request& request);

// The opening of a lookup (GET /payments/{key}): the key, or the 400 to
// answer. A lookup carries no body and moves no money.
std::variant<std::string, api::Response> lookup_key(const api::Request& request);

// The charge a request asks for. `origin` is the request's trace context,
// forwarded as metadata so that the ledger can be attributed to intents; no
// strategy decides anything from it.
ports::ChargeRequest charge_request(const PaymentRequest& request, const std::string& origin,
                                    std::optional<std::string> downstream_key);

// The payment's id, derived from what identifies the payment (its downstream
// key), so that every request that completes one payment answers with the
// same id: a takeover of an abandoned claim, a redelivery, a retry after a
// lost record. A fresh id per request gives one charge two answers.
std::string payment_id_for(const std::string& downstream_key);

// Responses.
api::Response created(const std::string& payment_id, const PaymentRequest& request, const ports::Charge& charge);
api::Response declined(const std::string& payment_id, const ports::Charge& charge);
api::Response accepted(const std::string& payment_id);  // 202, asynchronous strategies
api::Response error_response(int status, const std::string& message);
api::Response replay(int status, const std::string& body);

}  // namespace idemlab::strategies
