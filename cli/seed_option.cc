#include "cli/seed_option.h"

#include <cassert>
#include <charconv>

#include "cli/commands.h"
#include "sim/strict_json.h"

namespace idemlab::cli {

CLI::Option* add_seed_option(CLI::App& app, const std::string& name, std::uint64_t& seed, const std::string& help) {
  const CLI::Validator decimal(
      [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const bool digits = !text.empty() && text.size() <= 20 &&
                            text.find_first_not_of("0123456789") == std::string::npos;
        const auto parsed = std::from_chars(text.data(), end, value);
        if (!digits || parsed.ec != std::errc() || parsed.ptr != end) {
          return "a seed is a decimal integer from 0 to 18446744073709551615, not " + sim::shown(text, 40);
        }
        return {};
      },
      "SEED");
  return app.add_option(name, seed, help)->check(decimal)->capture_default_str();
}

void check_seed_range(std::uint64_t first, std::uint64_t count, const std::string& first_option,
                      const std::string& count_option) {
  assert(count >= 1);
  if (count - 1 > UINT64_MAX - first) {
    throw UsageError(first_option + " " + std::to_string(first) + " with " + count_option + " " + std::to_string(count) +
                     " runs past the last seed (18446744073709551615)");
  }
}

}  // namespace idemlab::cli
