// Seeds on the command line: decimal digits only, 0 to 2^64-1. CLI11 alone
// would take "-1" as 2^64-1, clamp a seed above 2^64-1 and read "" as 0.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace idemlab::cli {

CLI::Option* add_seed_option(CLI::App& app, const std::string& name, std::uint64_t& seed, const std::string& help);

// Throws UsageError unless first, first + 1, ..., first + count - 1 are all
// seeds (the range does not wrap past 2^64-1). REQUIRES: count >= 1.
void check_seed_range(std::uint64_t first, std::uint64_t count, const std::string& first_option,
                      const std::string& count_option);

}  // namespace idemlab::cli
