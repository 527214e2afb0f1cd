// Reading JSON that people and programs wrote, strictly, and quoting what they
// wrote back to them safely.
//
// Every JSON text idemlab reads (scenario scripts, calibration files, tapes)
// goes through parse_strict_json, which refuses what nlohmann's parser
// accepts silently or cannot bound: a key given twice in one object (the
// last one would win), nesting deeper than kJsonDepthMax (the script format
// needs 6 levels), and texts over kJsonBytesMax. A NUL byte or anything after
// the value is an error, as in any JSON parser. A UTF-8 byte-order mark at
// the very start is accepted and ignored (editors on Windows write one);
// anywhere else it is an error.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace idemlab::sim {

inline constexpr std::size_t kJsonDepthMax = 64;
inline constexpr std::size_t kJsonBytesMax = 64u << 20;  // 64 MiB

// A text that is not strict JSON. The message starts with the JSON path of
// the problem ("$.faults[2].at: key given twice") or, for a syntax error,
// with "not JSON: line L, column C: ...".
class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// REQUIRES: nothing. Throws JsonError.
nlohmann::json parse_strict_json(std::string_view text);

// `value` as an error message may show it: in double quotes, control
// characters and the quote escaped (\n, \u001b...), and cut to about
// `max_chars` characters with "..." and the full length when longer, so that
// neither a 10 MB value nor an ANSI escape sequence reaches the terminal.
std::string shown(std::string_view value, std::size_t max_chars = 80);

// A member's path: "$.a" + "b" -> "$.a.b"; a key that is not a plain name
// is shown in brackets, quoted as by shown(): $.a["x y"].
std::string member_path(const std::string& path, std::string_view key);

// Any message made safe for one terminal line: control characters escaped,
// cut to `max_chars`. The command line passes every error through it.
std::string one_safe_line(std::string_view message, std::size_t max_chars = 2000);

}  // namespace idemlab::sim
