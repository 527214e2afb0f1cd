// A payment intent as the clients make it, stored compactly: the text a
// client sends (its id, its Idempotency-Key, its JSON body) is rendered from
// these few fields when needed, so that a world keeps a few dozen bytes per
// intent however many it pays.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "sim/tape.h"
#include "sim/uuid.h"

namespace idemlab::models::clients {

using sim::draw_uuid;
using sim::Uuid;
using sim::uuid_text;

// The one field in which an intent differs from the previous one, whose key
// it reuses (key_reused_with_one_field_changed).
enum class ChangedField : std::uint8_t { kNone, kAmount, kCurrency, kDescription };

// 40 bytes. The client's name lives in the History, which renders texts.
struct Intent {
  std::uint16_t client = 0;  // index of the client's name in History::clients()
  bool has_key = false;      // whether the client sends an Idempotency-Key
  // The order this intent buys is that of the intent this many numbers back:
  // a second genuine purchase of the same thing, with the same body.
  std::uint8_t order_back = 0;
  ChangedField changed = ChangedField::kNone;  // the currency is usd, the description edited
  std::uint32_t number = 0;  // the client's n-th intent, from 1
  std::int64_t amount = 0;   // cents
  Uuid key{};                // the Idempotency-Key, if has_key

  std::string id(const std::string& client_name) const { return client_name + "/pi_" + std::to_string(number); }
  std::optional<Uuid> key_uuid() const { return has_key ? std::optional<Uuid>(key) : std::nullopt; }
  std::optional<std::string> key_text() const;
  std::uint32_t order() const { return number - order_back; }
  std::string currency() const { return changed == ChangedField::kCurrency ? "usd" : "eur"; }
  std::string description() const;
  // {"amount":1234,"currency":"eur","customer_id":"cus_client-1","description":"order 7"}; with
  // `reordered`, the same object serialised by another library: keys in
  // reverse order, spaces, the amount written 1234.0.
  std::string body(const std::string& client_name, bool reordered = false) const;
};
static_assert(sizeof(Intent) == 40);

}  // namespace idemlab::models::clients
