#include "strategies/payment_request.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/hash.h"
#include "sim/trace.h"
#include "strategies/flat_json.h"

namespace idemlab::strategies {

using nlohmann::json;

namespace {

// One member of a body, whichever parser read it.
struct Field {
  enum class Kind { kAbsent, kString, kNumber, kOther };
  Kind kind = Kind::kAbsent;
  std::string text;   // kString
  double number = 0;  // kNumber
};

// The four members a payment may have, and the first other key in sorted
// order (what nlohmann's items() would meet first).
struct BodyFields {
  Field amount, currency, customer_id, description;
  std::optional<std::string> unknown;
};

Field* slot(BodyFields& fields, std::string_view key) {
  if (key == "amount") return &fields.amount;
  if (key == "currency") return &fields.currency;
  if (key == "customer_id") return &fields.customer_id;
  if (key == "description") return &fields.description;
  return nullptr;
}

void note_unknown(BodyFields& fields, const std::string& key) {
  if (!fields.unknown || key < *fields.unknown) fields.unknown = key;
}

BodyFields fields_of(const FlatObject& object) {
  BodyFields fields;
  for (const FlatMember& m : object) {
    Field* field = slot(fields, m.key);
    if (field == nullptr) {
      note_unknown(fields, m.key);
    } else if (const auto* text = std::get_if<std::string>(&m.value)) {
      *field = Field{Field::Kind::kString, *text, 0};
    } else {
      *field = Field{Field::Kind::kNumber, {}, static_cast<double>(std::get<std::int64_t>(m.value))};
    }
  }
  return fields;
}

BodyFields fields_of(const json& j) {
  BodyFields fields;
  for (const auto& [key, value] : j.items()) {
    Field* field = slot(fields, key);
    if (field == nullptr) {
      note_unknown(fields, key);
    } else if (value.is_string()) {
      *field = Field{Field::Kind::kString, value.get<std::string>(), 0};
    } else if (value.is_number()) {
      *field = Field{Field::Kind::kNumber, {}, value.get<double>()};
    } else {
      *field = Field{Field::Kind::kOther, {}, 0};
    }
  }
  return fields;
}

Parsed validate(BodyFields fields) {
  if (fields.unknown) return Parsed{std::nullopt, "unknown field " + *fields.unknown};
  PaymentRequest r;
  if (fields.amount.kind != Field::Kind::kNumber) return Parsed{std::nullopt, "amount must be a number"};
  // 100, 100.0 and 1e2 are the same amount; 100.5 minor units is not one.
  const double value = fields.amount.number;
  if (!(value > 0) || value > 1e15 || std::floor(value) != value) {
    return Parsed{std::nullopt, "amount must be a positive whole number of minor units"};
  }
  r.amount = static_cast<std::int64_t>(value);
  if (fields.currency.kind != Field::Kind::kString || fields.currency.text.size() != 3) {
    return Parsed{std::nullopt, "currency must be a 3-letter code"};
  }
  r.currency = std::move(fields.currency.text);
  if (fields.customer_id.kind != Field::Kind::kString || fields.customer_id.text.empty()) {
    return Parsed{std::nullopt, "customer_id must be a non-empty string"};
  }
  r.customer_id = std::move(fields.customer_id.text);
  if (fields.description.kind != Field::Kind::kAbsent) {
    if (fields.description.kind != Field::Kind::kString) return Parsed{std::nullopt, "description must be a string"};
    r.description = std::move(fields.description.text);
  }
  return Parsed{std::move(r), {}};
}

}  // namespace

Parsed parse_payment(const std::string& body) {
  if (std::optional<FlatObject> flat = parse_flat_json(body)) return validate(fields_of(*flat));
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error&) {
    return Parsed{std::nullopt, "body is not JSON"};
  }
  if (!j.is_object()) return Parsed{std::nullopt, "body must be a JSON object"};
  return validate(fields_of(j));
}

std::string canonical_body(const PaymentRequest& r) {
  // nlohmann's dump of the object, keys sorted.
  FlatJsonWriter out;
  out.member("amount", r.amount).member("currency", r.currency).member("customer_id", r.customer_id);
  if (!r.description.empty()) out.member("description", r.description);
  return out.finish();
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

std::variant<std::string, api::Response> lookup_key(const api::Request& request) {
  if (!request.idempotency_key || request.idempotency_key->empty()) {
    return error_response(400, "the Idempotency-Key header is required");
  }
  return *request.idempotency_key;
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
  FlatJsonWriter out;
  out.member("amount", r.amount).member("charge", charge.charge_id).member("currency", r.currency);
  out.member("id", payment_id).member("status", "succeeded");
  return api::Response{201, out.finish(), false};
}

api::Response declined(const std::string& payment_id, const ports::Charge& charge) {
  FlatJsonWriter out;
  out.member("charge", charge.charge_id).member("error", charge.decline_reason);
  out.member("id", payment_id).member("status", "failed");
  return api::Response{402, out.finish(), false};
}

api::Response accepted(const std::string& payment_id) {
  return api::Response{202, FlatJsonWriter().member("id", payment_id).member("status", "processing").finish(), false};
}

api::Response error_response(int status, const std::string& message) {
  return api::Response{status, FlatJsonWriter().member("error", message).finish(), false};
}

std::string payment_id_for(const std::string& downstream_key) {
  return "pay_" + sim::hash_hex(sim::fnv1a(downstream_key));
}

api::Response replay(int status, const std::string& body) { return api::Response{status, body, true}; }

}  // namespace idemlab::strategies
