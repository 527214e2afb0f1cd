#include <charconv>

#include "cli/commands.h"

namespace idemlab::cli {
namespace {

bool parse_u64(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

sim::Ratio parse_ratio(const std::string& text, const std::string& option) {
  const std::string_view view(text);
  const std::size_t slash = view.find('/');
  sim::Ratio ratio;
  bool ok;
  if (slash == std::string_view::npos) {
    ok = parse_u64(view, ratio.numerator) && ratio.numerator <= 1;
    ratio.denominator = 1;
  } else {
    ok = parse_u64(view.substr(0, slash), ratio.numerator) &&
         parse_u64(view.substr(slash + 1), ratio.denominator) && ratio.denominator > 0 &&
         ratio.numerator <= ratio.denominator;
  }
  if (!ok) throw UsageError(option + ": \"" + text + "\" is not a probability: write N/D with N <= D, or 0, or 1");
  return ratio;
}

}  // namespace idemlab::cli
