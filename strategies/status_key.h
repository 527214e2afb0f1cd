// A status key in Redis, as the tutorials write it: GET the key (processing:
// 409; a result: replay); write "processing"; charge; store the result (kept
// key_ttl, 24 h by default). GET then write is not atomic, so concurrent
// requests both charge; there is no downstream key. Two textbook variants
// differ in how they write the claim (setex_processing_del_on_error.cc,
// get_then_set_claim.cc).
#pragma once

#include <memory>

#include "strategies/strategy.h"

namespace idemlab::strategies {

enum class StatusClaim : std::uint8_t {
  kExpiringWithDelOnError,  // SETEX processing 60; DEL the key on an error
  kPlainSetForever,         // SET processing, no expiry; nothing on an error
};

std::unique_ptr<Strategy> make_status_key(const StrategyOptions& options, StatusClaim claim);

}  // namespace idemlab::strategies
