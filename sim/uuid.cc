#include "sim/uuid.h"

namespace idemlab::sim {

Uuid draw_uuid(Tape& tape) {
  Uuid uuid{};
  for (int half = 0; half < 2; ++half) {
    const std::uint64_t bits = tape.draw(UINT64_MAX, Choice::kWorkload);
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

}  // namespace idemlab::sim
