#include "models/clients/intent.h"

namespace idemlab::models::clients {

std::optional<std::string> Intent::key_text() const {
  if (!has_key) return std::nullopt;
  return uuid_text(key);
}

std::string Intent::description() const {
  std::string text = "order " + std::to_string(order());
  if (changed == ChangedField::kDescription) text += ", gift wrapped";
  return text;
}

std::string Intent::body(const std::string& client_name, bool reordered) const {
  const std::string description = this->description();
  if (reordered) {
    return "{\"description\": \"" + description + "\", \"customer_id\": \"cus_" + client_name +
           "\", \"currency\": \"" + currency() + "\", \"amount\": " + std::to_string(amount) + ".0}";
  }
  std::string body = "{\"amount\":" + std::to_string(amount);
  body += ",\"currency\":\"" + currency() + "\",\"customer_id\":\"cus_";
  body += client_name;
  body += "\",\"description\":\"" + description;
  body += "\"}";
  return body;
}

}  // namespace idemlab::models::clients
