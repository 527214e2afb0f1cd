#include "strategies/flat_json.h"

#include <cassert>
#include <nlohmann/json.hpp>

namespace idemlab::strategies {
namespace {

bool plain_ascii(std::string_view text) {
  for (const unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The two-character escapes nlohmann writes, one table for both ways.
struct Escape {
  char byte;
  char letter;
};
constexpr Escape kEscapes[] = {{'"', '"'}, {'\\', '\\'}, {'\b', 'b'}, {'\f', 'f'}, {'\n', 'n'}, {'\r', 'r'}, {'\t', 't'}};

const Escape* escape_of_byte(char byte) {
  for (const Escape& e : kEscapes) {
    if (e.byte == byte) return &e;
  }
  return nullptr;
}

const Escape* escape_of_letter(char letter) {
  for (const Escape& e : kEscapes) {
    if (e.letter == letter) return &e;
  }
  return nullptr;
}

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// A byte a string literal holds as itself.
bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// A cursor over the text; every reader returns false for "not mine".
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool peek(char c) {
    skip_space();
    return at_ < text_.size() && text_[at_] == c;
  }
  bool at_end() {
    skip_space();
    return at_ == text_.size();
  }

  bool string(std::string& out) {
    if (!take('"')) return false;
    while (at_ < text_.size()) {
      // The plain bytes up to the next quote, escape or byte to judge.
      const std::size_t run = at_;
      while (at_ < text_.size() && plain(static_cast<unsigned char>(text_[at_]))) ++at_;
      out.append(text_.data() + run, at_ - run);
      if (at_ == text_.size()) return false;
      const unsigned char c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c != '\\') return false;  // a control byte or UTF-8: nlohmann's to judge
      if (at_ >= text_.size()) return false;
      const char letter = text_[at_++];
      if (letter == '/') {
        out += '/';  // read, never written
        continue;
      }
      const Escape* e = escape_of_letter(letter);
      if (e == nullptr) return false;  // \u and invalid escapes
      out += e->byte;
    }
    return false;
  }

  // Non-negative integers of up to 18 digits, without fraction or exponent.
  bool integer(std::int64_t& out) {
    skip_space();
    const std::size_t start = at_;
    while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    const std::size_t digits = at_ - start;
    if (digits == 0 || digits > 18) return false;
    if (digits > 1 && text_[start] == '0') return false;  // a leading zero is an error
    if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E')) return false;
    std::int64_t value = 0;
    for (std::size_t i = start; i < at_; ++i) value = value * 10 + (text_[i] - '0');
    out = value;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  if (!plain_ascii(text)) {
    // nlohmann validates UTF-8 (and throws on invalid bytes): its own dump.
    out += nlohmann::json(std::string(text)).dump();
    return;
  }
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet appended
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c)) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (const Escape* e = escape_of_byte(static_cast<char>(c))) {
      const char escaped[] = {'\\', e->letter};
      out.append(escaped, sizeof escaped);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, sizeof escaped);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void FlatJsonWriter::open(std::string_view key) {
  assert((first_ || key > std::string_view(last_key_)) && "members in nlohmann's (sorted) key order");
  if (!first_) out_ += ',';
  first_ = false;
  last_key_.assign(key);
  append_json_string(out_, key);
  out_ += ':';
}

FlatJsonWriter& FlatJsonWriter::member(std::string_view key, std::string_view value) {
  open(key);
  append_json_string(out_, value);
  return *this;
}

FlatJsonWriter& FlatJsonWriter::member(std::string_view key, std::int64_t value) {
  open(key);
  out_ += std::to_string(value);
  return *this;
}

std::string FlatJsonWriter::finish() {
  out_ += '}';
  return std::move(out_);
}

std::optional<FlatObject> parse_flat_json(std::string_view text) {
  Reader in(text);
  if (!in.take('{')) return std::nullopt;
  FlatObject object;
  object.reserve(6);  // the strategies' objects have up to five members
  if (in.take('}')) return in.at_end() ? std::optional<FlatObject>(std::move(object)) : std::nullopt;
  while (true) {
    FlatMember member;
    if (!in.string(member.key) || !in.take(':')) return std::nullopt;
    if (in.peek('"')) {
      std::string value;
      if (!in.string(value)) return std::nullopt;
      member.value = std::move(value);
    } else {
      std::int64_t value = 0;
      if (!in.integer(value)) return std::nullopt;
      member.value = value;
    }
    // nlohmann keeps the last of a duplicated key: rare, so not ours.
    if (find_member(object, member.key) != nullptr) return std::nullopt;
    object.push_back(std::move(member));
    if (in.take(',')) continue;
    if (in.take('}')) break;
    return std::nullopt;
  }
  if (!in.at_end()) return std::nullopt;
  return object;
}

const FlatValue* find_member(const FlatObject& object, std::string_view key) {
  for (const FlatMember& m : object) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

}  // namespace idemlab::strategies
