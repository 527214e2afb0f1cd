#include "sim/strict_json.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include <nlohmann/json.hpp>

namespace idemlab::sim {
namespace {

using nlohmann::json;

// Appends `text` with every byte that could act on a terminal escaped: C0
// controls, DEL, C1 controls (U+0080..U+009F, among them CSI) and bytes that
// are not UTF-8. Stops once `out` holds `max_chars` more characters; returns
// whether all of `text` fitted.
bool append_escaped(std::string& out, std::string_view text, std::size_t max_chars, bool escape_quote) {
  static const char kHex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  std::size_t i = 0;
  while (i < text.size()) {
    if (out.size() - start >= max_chars) return false;
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (byte == '\n') {
        out += "\\n";
      } else if (byte == '\t') {
        out += "\\t";
      } else if (byte == '\r') {
        out += "\\r";
      } else if (byte < 0x20 || byte == 0x7f) {
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
      } else if (escape_quote && (byte == '"' || byte == '\\')) {
        out += '\\';
        out += static_cast<char>(byte);
      } else {
        out += static_cast<char>(byte);
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, then continuation bytes.
    const std::size_t length = byte >= 0xf0 && byte < 0xf5 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 0;
    bool valid = length != 0 && byte < 0xf5 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    const bool c1_control = valid && length == 2 && byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
    if (!valid || c1_control) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return true;
}

bool plain_name(std::string_view key) {
  if (key.empty() || key.size() > 80) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '$' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Builds the document from nlohmann's SAX events, knowing at each event the
// path it is at, so that a duplicate key, a depth or a syntax error names it.
class StrictBuilder {
 public:
  bool null() { return put(json(nullptr)); }
  bool boolean(bool value) { return put(json(value)); }
  bool number_integer(json::number_integer_t value) { return put(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return put(json(value)); }
  bool number_float(json::number_float_t value, const json::string_t&) { return put(json(value)); }
  bool string(json::string_t& value) { return put(json(std::move(value))); }
  bool binary(json::binary_t& value) { return put(json(json::binary_t(std::move(value)))); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& key) {
    Frame& top = stack_.back();
    assert(top.value->is_object());
    const bool twice = top.value->contains(key);
    top.key = std::move(key);
    top.keyed = true;
    if (twice) return fail(path() + ": key given twice in one object (each key may appear once)");
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    const std::size_t at = what.find("at line ");
    if (at != std::string::npos) what = what.substr(at + 3);
    return fail(path() + ": not JSON: " + one_safe_line(what, 300));
  }

  json take() { return std::move(root_); }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    json* value;
    std::string key;       // objects: the member being read
    bool keyed = false;    // objects: a key has been read
    std::size_t next = 0;  // arrays: the index of the element being read
  };

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  std::string path() const {
    std::string p = "$";
    for (const Frame& frame : stack_) {
      if (frame.value->is_object()) {
        if (frame.keyed) p = member_path(p, frame.key);
      } else {
        p += '[';
        p += std::to_string(frame.next);
        p += ']';
      }
    }
    return p;
  }

  // Places a finished value where the parser is: the root, the current
  // object's member, or the current array's next element.
  json* place(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& top = stack_.back();
    if (top.value->is_object()) {
      json& slot = (*top.value)[top.key];
      slot = std::move(value);
      return &slot;
    }
    top.value->push_back(std::move(value));
    return &top.value->back();
  }

  bool put(json value) {
    place(std::move(value));
    if (!stack_.empty() && stack_.back().value->is_array()) ++stack_.back().next;
    return true;
  }

  bool open(json empty) {
    if (stack_.size() >= kJsonDepthMax) {
      return fail(path() + ": nested deeper than " + std::to_string(kJsonDepthMax) + " levels");
    }
    json* made = place(std::move(empty));
    stack_.push_back(Frame{made, {}, false, 0});
    return true;
  }

  bool close() {
    assert(!stack_.empty());
    stack_.pop_back();
    if (!stack_.empty() && stack_.back().value->is_array()) ++stack_.back().next;
    return true;
  }

  json root_;
  std::vector<Frame> stack_;
  std::string error_;
};

}  // namespace

nlohmann::json parse_strict_json(std::string_view text) {
  if (text.size() > kJsonBytesMax) {
    throw JsonError("$: the text is " + std::to_string(text.size()) + " bytes, more than the " +
                    std::to_string(kJsonBytesMax >> 20) + " MiB idemlab reads");
  }
  // nlohmann's lexer takes a NUL byte for the end of the input, which would
  // let whatever follows it pass unread.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const std::string_view before = text.substr(0, nul);
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column = nul - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    throw JsonError("$: not JSON: line " + std::to_string(line) + ", column " + std::to_string(column) +
                    ": a NUL byte (JSON text holds none, not even in strings)");
  }
  StrictBuilder builder;
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, /*strict=*/true);
  if (!ok) {
    assert(!builder.error().empty());
    throw JsonError(builder.error());
  }
  return builder.take();
}

std::string shown(std::string_view value, std::size_t max_chars) {
  std::string out = "\"";
  const bool whole = append_escaped(out, value, max_chars, /*escape_quote=*/true);
  out += '"';
  if (!whole) out += "... (" + std::to_string(value.size()) + " bytes)";
  return out;
}

std::string member_path(const std::string& path, std::string_view key) {
  if (plain_name(key)) return path + "." + std::string(key);
  return path + "[" + shown(key, 40) + "]";
}

std::string one_safe_line(std::string_view message, std::size_t max_chars) {
  std::string out;
  if (!append_escaped(out, message, max_chars, /*escape_quote=*/false)) {
    out += "... (" + std::to_string(message.size()) + " bytes)";
  }
  return out;
}

}  // namespace idemlab::sim
