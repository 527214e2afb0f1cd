// UUID v4 values drawn from the decision tape: idempotency keys, lock owner
// tokens, payment ids. 16 bytes; text only when needed.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "sim/tape.h"

namespace idemlab::sim {

using Uuid = std::array<std::uint8_t, 16>;

// 122 tape bits (Choice::kWorkload), version and variant bits set.
Uuid draw_uuid(Tape& tape);
std::string uuid_text(const Uuid& uuid);  // 8-4-4-4-12 lowercase hex

}  // namespace idemlab::sim
