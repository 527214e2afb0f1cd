#include "strategies/payment_request.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/hash.h"
#include "sim/trace.h"

namespace idemlab::strategies {

using nlohmann::json;

Parsed parse_payment(const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error&) {
    return Parsed{std::nullopt, "body is not JSON"};
  }
  if (!j.is_object()) return Parsed{std::nullopt, "body must be a JSON object"};
  for (const auto& [field, value] : j.items()) {
    if (field != "amount" && field != "currency" && field != "customer_id" && field != "description") {
      return Parsed{std::nullopt, "unknown field " + field};
    }
  }
  PaymentRequest r;
  const auto amount = j.find("amount");
  if (amount == j.end() || !amount->is_number()) return Parsed{std::nullopt, "amount must be a number"};
  // 100, 100.0 and 1e2 are the same amount; 100.5 minor units is not one.
  const double value = amount->get<double>();
  if (!(value > 0) || value > 1e15 || std::floor(value) != value) {
    return Parsed{std::nullopt, "amount must be a positive whole number of minor units"};
  }
  r.amount = static_cast<std::int64_t>(value);
  const auto currency = j.find("currency");
  if (currency == j.end() || !currency->is_string() || currency->get<std::string>().size() != 3) {
    return Parsed{std::nullopt, "currency must be a 3-letter code"};
  }
  r.currency = currency->get<std::string>();
  const auto customer = j.find("customer_id");
  if (customer == j.end() || !customer->is_string() || customer->get<std::string>().empty()) {
    return Parsed{std::nullopt, "customer_id must be a non-empty string"};
  }
  r.customer_id = customer->get<std::string>();
  const auto description = j.find("description");
  if (description != j.end()) {
    if (!description->is_string()) return Parsed{std::nullopt, "description must be a string"};
    r.description = description->get<std::string>();
  }
  return Parsed{std::move(r), {}};
}

std::string canonical_body(const PaymentRequest& r) {
  json j = json::object();  // nlohmann's object is a std::map: keys come out sorted
  j["amount"] = r.amount;
  j["currency"] = r.currency;
  j["customer_id"] = r.customer_id;
  if (!r.description.empty()) j["description"] = r.description;
  return j.dump();
}

std::string fingerprint(const PaymentRequest& r) { return sim::hash_hex(sim::fnv1a(canonical_body(r))); }

std::variant<KeyedPayment, api::Response> keyed_payment(const api::Request& request) {
  if (!request.idempotency_key || request.idempotency_key->empty()) {
    return error_response(400, "the Idempotency-Key header is required");
  }
  Parsed parsed = parse_payment(request.body);
  if (!parsed.request) return error_response(400, parsed.error);
  const std::string fp = fingerprint(*parsed.request);
  return KeyedPayment{*request.idempotency_key, std::move(*parsed.request), fp};
}

ports::ChargeRequest charge_request(const PaymentRequest& r, const std::string& origin,
                                    std::optional<std::string> downstream_key) {
  ports::ChargeRequest charge;
  charge.intent = origin;
  charge.amount = r.amount;
  charge.currency = r.currency;
  charge.customer = r.customer_id;
  charge.idempotency_key = std::move(downstream_key);
  return charge;
}

api::Response created(const std::string& payment_id, const PaymentRequest& r, const ports::Charge& charge) {
  json j = json::object();
  j["id"] = payment_id;
  j["status"] = "succeeded";
  j["amount"] = r.amount;
  j["currency"] = r.currency;
  j["charge"] = charge.charge_id;
  return api::Response{201, j.dump(), false};
}

api::Response declined(const std::string& payment_id, const ports::Charge& charge) {
  json j = json::object();
  j["id"] = payment_id;
  j["status"] = "failed";
  j["error"] = charge.decline_reason;
  j["charge"] = charge.charge_id;
  return api::Response{402, j.dump(), false};
}

api::Response accepted(const std::string& payment_id) {
  json j = json::object();
  j["id"] = payment_id;
  j["status"] = "processing";
  return api::Response{202, j.dump(), false};
}

api::Response error_response(int status, const std::string& message) {
  json j = json::object();
  j["error"] = message;
  return api::Response{status, j.dump(), false};
}

std::string payment_id_for(const std::string& downstream_key) {
  return "pay_" + sim::hash_hex(sim::fnv1a(downstream_key));
}

api::Response replay(int status, const std::string& body) { return api::Response{status, body, true}; }

}  // namespace idemlab::strategies
