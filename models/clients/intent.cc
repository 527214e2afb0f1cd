#include "models/clients/intent.h"

namespace idemlab::models::clients {

std::optional<std::string> Intent::key_text() const {
  if (!has_key) return std::nullopt;
  return uuid_text(key);
}

std::string Intent::body(const std::string& client_name, bool reordered) const {
  const std::string description = "order " + std::to_string(order());
  if (reordered) {
    return "{\"description\": \"" + description + "\", \"customer_id\": \"cus_" + client_name +
           "\", \"currency\": \"eur\", \"amount\": " + std::to_string(amount) + ".0}";
  }
  std::string body = "{\"amount\":" + std::to_string(amount);
  body += ",\"currency\":\"eur\",\"customer_id\":\"cus_";
  body += client_name;
  body += "\",\"description\":\"" + description;
  body += "\"}";
  return body;
}

}  // namespace idemlab::models::clients
