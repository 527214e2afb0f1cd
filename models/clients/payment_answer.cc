#include "models/clients/payment_answer.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/processor/processor.h"
#include "sim/hash.h"
#include "strategies/flat_json.h"

namespace idemlab::models::clients {
namespace {

PaymentState state_of(std::string_view text) {
  if (text == "succeeded") return PaymentState::kSucceeded;
  if (text == "failed") return PaymentState::kFailed;
  if (text == "processing") return PaymentState::kProcessing;
  return PaymentState::kOther;
}

std::uint32_t id_hash_of(std::string_view id) {
  // 0 means "no id": an id whose hash is 0 is moved off it.
  const auto hash = static_cast<std::uint32_t>(sim::fnv1a(id));
  return hash == 0 ? 1 : hash;
}

// Fills `out` from one member; the same for either parser.
void take_string(PaymentAnswer& out, std::string_view key, std::string_view value) {
  if (key == "id") out.id_hash = id_hash_of(value);
  if (key == "status") out.state = state_of(value);
  if (key == "charge") out.charge = processor::charge_number(std::string(value));
}

}  // namespace

const char* payment_state_name(PaymentState state) {
  switch (state) {
    case PaymentState::kMissing: return "no status";
    case PaymentState::kSucceeded: return "succeeded";
    case PaymentState::kFailed: return "failed";
    case PaymentState::kProcessing: return "processing";
    case PaymentState::kOther: return "another status";
  }
  return "?";
}

PaymentAnswer describe_payment(std::string_view body) {
  PaymentAnswer out;
  if (const std::optional<strategies::FlatObject> flat = strategies::parse_flat_json(body)) {
    for (const strategies::FlatMember& m : *flat) {
      if (const auto* text = std::get_if<std::string>(&m.value)) {
        take_string(out, m.key, *text);
      } else if (m.key == "amount") {
        out.has_amount = true;
        out.amount = std::get<std::int64_t>(m.value);
      }
    }
    return out;
  }
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string()) {
      take_string(out, key, value.get_ref<const std::string&>());
    } else if (key == "amount" && value.is_number_integer()) {
      out.has_amount = true;
      out.amount = value.get<std::int64_t>();
    } else if (key == "amount" && value.is_number()) {
      // 100.0 is the amount 100; 100.5 is no amount of minor units.
      // Read as -1, which no intent pays, when it is not one.
      const double number = value.get<double>();
      const bool whole = std::isfinite(number) && std::fabs(number) < 9e18 && std::floor(number) == number;
      out.has_amount = true;
      out.amount = whole ? static_cast<std::int64_t>(number) : -1;
    }
  }
  return out;
}

}  // namespace idemlab::models::clients
