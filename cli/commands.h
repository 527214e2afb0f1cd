// The registry of subcommands: each registers its options on the CLI11 app
// and leaves a callback that runs once parsing has succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/tape.h"

namespace idemlab::cli {

inline constexpr const char* kVersion = "idemlab 0.1.0";

// The exit code of a run that ended without a verdict: its setup failed,
// its workload never started, or it did not converge within run_limit
// (and broke no safety invariant, which exits 1).
inline constexpr int kExitNoVerdict = 4;

// Bad input discovered after parsing (a malformed file, an impossible
// value): reported in one line with exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Commands {
  std::function<int()> selected;
  // How idemlab was invoked, each argument shell-quoted where it needs to
  // be: what a results file records as the command that made it.
  std::string command_line;
  int run() const { return selected ? selected() : 2; }
};

void register_calibrate(CLI::App& app, Commands& commands);
void register_clean(CLI::App& app, Commands& commands);
void register_demo(CLI::App& app, Commands& commands);
void register_explore(CLI::App& app, Commands& commands);
void register_invariants(CLI::App& app, Commands& commands);
void register_load(CLI::App& app, Commands& commands);
void register_merge(CLI::App& app, Commands& commands);
void register_plot(CLI::App& app, Commands& commands);
void register_rediscover(CLI::App& app, Commands& commands);
void register_replay(CLI::App& app, Commands& commands);
void register_run(CLI::App& app, Commands& commands);
void register_serve(CLI::App& app, Commands& commands);
void register_shrink(CLI::App& app, Commands& commands);
void register_sweep(CLI::App& app, Commands& commands);
void register_validate(CLI::App& app, Commands& commands);

// "1/10" -> Ratio{1, 10}; "0" and "1" are accepted too. Throws UsageError
// naming the option.
sim::Ratio parse_ratio(const std::string& text, const std::string& option);

}  // namespace idemlab::cli
