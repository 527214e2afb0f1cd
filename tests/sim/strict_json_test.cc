#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "sim/strict_json.h"
#include "sim/text_file.h"

namespace idemlab::sim {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_strict_json(text);
  } catch (const JsonError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST_CASE("strict JSON: a key given twice is an error naming its path") {
  CHECK(error_of(R"({"a": 1, "a": 2})") == "$.a: key given twice in one object (each key may appear once)");
  CHECK(error_of(R"({"faults": [{"at": "x"}, {"at": "y", "at": "z"}]})") ==
        "$.faults[1].at: key given twice in one object (each key may appear once)");
  // The same key in two objects is fine.
  CHECK(parse_strict_json(R"([{"a": 1}, {"a": 2}])").size() == 2);
}

TEST_CASE("strict JSON: the document is the one nlohmann would build") {
  const std::string text = R"({"b": [1, -2, 3.5, "x", null, true, {"c": []}], "a": {"d": {}}})";
  CHECK(parse_strict_json(text) == nlohmann::json::parse(text));
  CHECK(parse_strict_json("7") == 7);
}

TEST_CASE("strict JSON: nesting is bounded, and the error names where") {
  std::string deep(kJsonDepthMax, '[');
  deep += std::string(kJsonDepthMax, ']');
  CHECK(parse_strict_json(deep).is_array());
  const std::string deeper = "{\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  const std::string message = error_of(deeper);
  CHECK(message.rfind("$.x[0][0]", 0) == 0);
  CHECK(message.find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("strict JSON: a NUL byte and trailing garbage are errors") {
  CHECK(error_of(std::string_view("{\"a\": 1}\0{\"b\": 2}", 17)) ==
        "$: not JSON: line 1, column 9: a NUL byte (JSON text holds none, not even in strings)");
  CHECK(error_of(std::string_view("{\"a\": \"x\0y\"}", 12)).find("column 9: a NUL byte") != std::string::npos);
  CHECK(error_of("{\"a\": 1}\n  x").find("$: not JSON: line 2, column 3") == 0);
  CHECK(error_of("{\"a\": [1, 2,]}").find("$.a[2]: not JSON:") == 0);
  CHECK(error_of("").find("$: not JSON:") == 0);
}

TEST_CASE("strict JSON: a byte-order mark is accepted at the start only") {
  CHECK(parse_strict_json("\xef\xbb\xbf{\"a\": 1}") == nlohmann::json{{"a", 1}});
  CHECK(error_of("{\"a\": \xef\xbb\xbf 1}").find("$.a: not JSON:") == 0);
  CHECK(error_of("\xef\xbb\xbf\xef\xbb\xbf{}").find("$: not JSON:") == 0);
}

TEST_CASE("strict JSON: a text over the size bound is refused before parsing") {
  const std::string huge(kJsonBytesMax + 1, ' ');
  CHECK(error_of(huge).find("more than the 64 MiB idemlab reads") != std::string::npos);
}

TEST_CASE("shown quotes at most about 80 characters and escapes what acts on a terminal") {
  CHECK(shown("plain") == "\"plain\"");
  CHECK(shown("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(shown("\x1b[31mred\x1b[0m") == "\"\\u001b[31mred\\u001b[0m\"");
  CHECK(shown("tab\there\nnew") == "\"tab\\there\\nnew\"");
  CHECK(shown("\xc2\x9b" "2J") == "\"\\xc2\\x9b2J\"");  // C1 CSI, a terminal escape on its own
  CHECK(shown("\xff\xfe") == "\"\\xff\\xfe\"");          // not UTF-8
  CHECK(shown("caf\xc3\xa9") == "\"caf\xc3\xa9\"");      // UTF-8 stays as it is
  const std::string big(10 << 20, 'a');
  const std::string s = shown(big);
  CHECK(s.size() < 120);
  CHECK(s == "\"" + std::string(80, 'a') + "\"... (10485760 bytes)");
}

TEST_CASE("member paths show odd keys quoted, and lines are made safe") {
  CHECK(member_path("$", "redis") == "$.redis");
  CHECK(member_path("$.operations", "pg.commit") == "$.operations.pg.commit");
  CHECK(member_path("$", "a b") == "$[\"a b\"]");
  CHECK(member_path("$", "\x1b]0;title\x07") == "$[\"\\u001b]0;title\\u0007\"]");
  CHECK(one_safe_line("one\ntwo\x1b") == "one\\ntwo\\u001b");
  CHECK(one_safe_line(std::string(5000, 'x')).size() < 2100);
}

TEST_CASE("reading a file says why it cannot") {
  std::string text;
  CHECK(read_text_file("/nonexistent/x.json", text) == std::optional<std::string>("No such file or directory"));
  char dir[] = "/tmp/idemlab-text-file-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  CHECK(read_text_file(dir, text) == std::optional<std::string>("Is a directory"));
  const std::string file = std::string(dir) + "/x.json";
  std::ofstream(file) << "{}";
  CHECK_FALSE(read_text_file(file, text).has_value());
  CHECK(text == "{}");
  CHECK(read_text_file(file, text, 1) == std::optional<std::string>("larger than 1 bytes"));
  if (geteuid() != 0) {  // root reads whatever the mode says
    chmod(file.c_str(), 0);
    CHECK(read_text_file(file, text) == std::optional<std::string>("Permission denied"));
  }
  std::remove(file.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace idemlab::sim
