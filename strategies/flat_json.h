// Flat JSON objects (string and integer members only) without building a
// DOM: the request bodies, records and responses the strategies read and
// write on every request. A profile of a full world put a third of its time
// in nlohmann's parser and serialiser there.
//
// The writer's output is byte for byte what nlohmann's dump() gives for the
// same object (its keys sorted, as nlohmann's std::map has them), so that
// fingerprints, stored records and trace hashes do not depend on which one
// wrote them. The reader is a fast path only: it answers for the plain
// shapes the strategies write, and says "not mine" (nullopt) for anything
// else (nesting, floats, \u escapes, non-ASCII, duplicate keys), which the
// caller then hands to nlohmann, so that every input means what it meant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace idemlab::strategies {

class FlatJsonWriter {
 public:
  FlatJsonWriter() { out_.reserve(96); }

  // Members must come in strictly increasing key order (nlohmann's order).
  FlatJsonWriter& member(std::string_view key, std::string_view value);
  FlatJsonWriter& member(std::string_view key, std::int64_t value);
  FlatJsonWriter& member(std::string_view key, const char* value) { return member(key, std::string_view(value)); }
  FlatJsonWriter& member(std::string_view key, int value) { return member(key, std::int64_t{value}); }

  std::string finish();  // the text; the writer is spent

 private:
  void open(std::string_view key);

  std::string out_ = "{";
  std::string last_key_;
  bool first_ = true;
};

// A JSON string literal as nlohmann's dump() writes it (quotes included).
void append_json_string(std::string& out, std::string_view text);

using FlatValue = std::variant<std::string, std::int64_t>;
struct FlatMember {
  std::string key;
  FlatValue value;
};
using FlatObject = std::vector<FlatMember>;  // in document order, keys distinct

// The object, if `text` is a flat object this fast path reads exactly as
// nlohmann would; nullopt if it is anything else (valid JSON or not).
std::optional<FlatObject> parse_flat_json(std::string_view text);

// The member named `key`, or nullptr.
const FlatValue* find_member(const FlatObject& object, std::string_view key);

}  // namespace idemlab::strategies
