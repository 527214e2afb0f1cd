#include "models/clients/intent.h"

#include <cstdio>

namespace idemlab::models::clients {

Uuid draw_uuid(sim::Tape& tape) {
  Uuid uuid{};
  for (int half = 0; half < 2; ++half) {
    const std::uint64_t bits = tape.draw(UINT64_MAX, sim::Choice::kWorkload);
    for (int i = 0; i < 8; ++i) uuid[static_cast<std::size_t>(half * 8 + i)] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  }
  uuid[6] = static_cast<std::uint8_t>((uuid[6] & 0x0f) | 0x40);  // version 4
  uuid[8] = static_cast<std::uint8_t>((uuid[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return uuid;
}

std::string uuid_text(const Uuid& uuid) {
  std::string text;
  text.reserve(36);
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[uuid[i] >> 4];
    text += kHex[uuid[i] & 0x0f];
  }
  return text;
}

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
