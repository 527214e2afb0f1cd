// The strategies' flat JSON must mean exactly what nlohmann means: the writer
// gives nlohmann's bytes, and the reader either gives nlohmann's members or
// declines. Checked on the shapes the strategies write and on texts built
// from the characters that tell parsers apart.
#include "strategies/flat_json.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/prng.h"
#include "strategies/payment_request.h"

namespace idemlab::strategies {
namespace {

using nlohmann::json;

// Strings over the characters that need escaping, and some that do not.
std::string random_text(sim::Prng& prng) {
  static const std::string kAlphabet = std::string("aZ09 _-/{}:,\"\\\b\f\n\r\t\x01\x1f\x7f") + "\xc3\xa9";
  std::string out;
  const std::uint64_t n = prng.below(8);
  for (std::uint64_t i = 0; i < n; ++i) out += kAlphabet[prng.below(kAlphabet.size())];
  return out;
}

// A JSON text near the flat shape: sometimes exactly it, sometimes one step
// off (a float, a nested value, a duplicate key, stray bytes, whitespace).
std::string random_document(sim::Prng& prng) {
  static const char* const kKeys[] = {"amount", "currency", "fp", "state", "amount", "x"};
  static const char* const kValues[] = {"0", "7", "-3", "1.5", "1e2", "01", "null", "true", "[1]", "{\"a\":1}",
                                        "\"\\u00e9\"", "\"\\q\"", "123456789012345678", "1234567890123456789"};
  std::string text = prng.below(10) == 0 ? " {" : "{";
  const std::uint64_t members = prng.below(5);
  for (std::uint64_t i = 0; i < members; ++i) {
    if (i > 0) text += prng.below(10) == 0 ? " , " : ",";
    // One draw a statement: the order of draws is the same on every compiler.
    text += json(std::string(kKeys[prng.below(6)])).dump();
    text += prng.below(10) == 0 ? " :\n" : ":";
    if (prng.below(2) == 0) {
      text += kValues[prng.below(std::size(kValues))];
    } else {
      text += json(random_text(prng)).dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  text += "}";
  if (prng.below(12) == 0) text += "x";
  if (prng.below(12) == 0) text.pop_back();
  return text;
}

TEST_CASE("flat JSON: the writer gives nlohmann's bytes for every string", "[flat_json]") {
  sim::Prng prng(11);
  for (int i = 0; i < 5000; ++i) {
    const std::string a = random_text(prng);
    const std::string b = random_text(prng);
    const std::int64_t n = static_cast<std::int64_t>(prng.below(1'000'000'000'000)) - 500'000'000'000;
    std::string ours;
    std::string theirs;
    try {
      theirs = json{{"a", a}, {"b", n}, {"c", b}}.dump();
    } catch (const json::type_error&) {
      // Invalid UTF-8: nlohmann refuses to write it, and so must we.
      CHECK_THROWS_AS(FlatJsonWriter().member("a", a).member("b", n).member("c", b).finish(), json::type_error);
      continue;
    }
    ours = FlatJsonWriter().member("a", a).member("b", n).member("c", b).finish();
    REQUIRE(ours == theirs);
  }
}

TEST_CASE("flat JSON: the reader agrees with nlohmann or declines", "[flat_json]") {
  sim::Prng prng(12);
  int read = 0;
  int declined = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random_document(prng);
    const std::optional<FlatObject> ours = parse_flat_json(text);
    if (!ours) {
      ++declined;
      continue;
    }
    ++read;
    INFO(text);
    const json theirs = json::parse(text, nullptr, /*allow_exceptions=*/false);
    REQUIRE(theirs.is_object());
    REQUIRE(theirs.size() == ours->size());
    for (const FlatMember& m : *ours) {
      REQUIRE(theirs.contains(m.key));
      if (const auto* s = std::get_if<std::string>(&m.value)) {
        REQUIRE(theirs[m.key] == *s);
      } else {
        REQUIRE(theirs[m.key].is_number_integer());
        REQUIRE(theirs[m.key].get<std::int64_t>() == std::get<std::int64_t>(m.value));
      }
    }
  }
  // Both ways are exercised.
  CHECK(read > 2000);
  CHECK(declined > 2000);
}

TEST_CASE("flat JSON: what it declines is what only nlohmann may judge", "[flat_json]") {
  CHECK_FALSE(parse_flat_json("{\"a\":1.5}"));
  CHECK_FALSE(parse_flat_json("{\"a\":-1}"));
  CHECK_FALSE(parse_flat_json("{\"a\":01}"));
  CHECK_FALSE(parse_flat_json("{\"a\":1,\"a\":2}"));  // nlohmann keeps the last
  CHECK_FALSE(parse_flat_json("{\"a\":\"\\u0041\"}"));
  CHECK_FALSE(parse_flat_json("{\"a\":\"\xc3\xa9\"}"));
  CHECK_FALSE(parse_flat_json("{\"a\":null}"));
  CHECK_FALSE(parse_flat_json("{\"a\":1} x"));
  CHECK_FALSE(parse_flat_json("[1]"));
  CHECK_FALSE(parse_flat_json("{\"a\":1234567890123456789}"));
  const auto plain = parse_flat_json(" {\"b\" : \"x\\\"y\\n\" , \"a\":0 }\n");
  REQUIRE(plain);
  REQUIRE(plain->size() == 2);
  CHECK(std::get<std::string>(*find_member(*plain, "b")) == "x\"y\n");
  CHECK(std::get<std::int64_t>(*find_member(*plain, "a")) == 0);
}

TEST_CASE("payment bodies: the fast path and nlohmann's give one answer", "[flat_json]") {
  // Same payment whether the body takes the fast path or not.
  const Parsed fast = parse_payment(R"({"amount":100,"currency":"EUR","customer_id":"c1"})");
  const Parsed slow = parse_payment(R"({"amount":1e2,"currency":"EUR","customer_id":"c\u0031"})");
  REQUIRE(fast.request);
  REQUIRE(slow.request);
  CHECK(fingerprint(*fast.request) == fingerprint(*slow.request));
  CHECK(canonical_body(*fast.request) == R"({"amount":100,"currency":"EUR","customer_id":"c1"})");
  // The first unknown field in sorted order, as nlohmann iterates.
  CHECK(parse_payment(R"({"zz":1,"amount":100,"bb":2})").error == "unknown field bb");
  CHECK(parse_payment(R"({"zz":1.5,"amount":100,"bb":2})").error == "unknown field bb");
  CHECK(parse_payment(R"({"amount":"100","currency":"EUR","customer_id":"c1"})").error == "amount must be a number");
  CHECK(parse_payment(R"({"amount":100,"currency":"EURO","customer_id":"c1"})").error ==
        "currency must be a 3-letter code");
  CHECK(parse_payment(R"({"amount":100,"currency":"EUR","customer_id":""})").error ==
        "customer_id must be a non-empty string");
  CHECK(parse_payment(R"({"amount":100,"currency":"EUR","customer_id":"c","description":7})").error ==
        "description must be a string");
  CHECK(parse_payment(R"({"amount":0,"currency":"EUR","customer_id":"c"})").error ==
        "amount must be a positive whole number of minor units");
  // A duplicated key: nlohmann keeps the last, on either path.
  const Parsed twice = parse_payment(R"({"amount":1,"amount":2,"currency":"EUR","customer_id":"c"})");
  REQUIRE(twice.request);
  CHECK(twice.request->amount == 2);
}

}  // namespace
}  // namespace idemlab::strategies
