#include "models/clients/intent.h"


namespace idemlab::models::clients {

std::optional<std::string> Intent::key_text() const {
  if (!has_key) return std::nullopt;
  return uuid_text(key);
}

std::string Intent::body(const std::string& client_name) const {
  std::string body = "{\"amount\":" + std::to_string(amount);
  body += ",\"currency\":\"eur\",\"customer_id\":\"cus_";
  body += client_name;
  body += "\",\"description\":\"order " + std::to_string(number);
  body += "\"}";
  return body;
}

}  // namespace idemlab::models::clients
