// idemlab: which idempotency strategy survives which retries and faults, and
// at what cost. Subcommands register themselves in their own files; this one
// parses, dispatches and maps failures to exit codes:
//   0 success, 1 the run found what it looks for (or a check failed),
//   2 bad usage or bad input, 3 an unreachable service (real mode).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "cli/commands.h"
#include "cli/files.h"
#include "realmode/endpoint.h"
#include "realmode/foreign_data.h"
#include "realmode/infra_control.h"
#include "realmode/interrupt.h"
#include "realmode/real_run.h"
#include "serve/served_strategy.h"
#include "scenarios/scenario_json.h"
#include "sim/strict_json.h"

int main(int argc, char** argv) {
  CLI::App app{"idemlab: which idempotency strategy survives which retries and faults, and at what cost"};
  app.name("idemlab");
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_version_flag("--version", std::string(idemlab::cli::kVersion));

  idemlab::cli::Commands commands;
  commands.command_line = idemlab::cli::shell_command(argc, argv);
  idemlab::cli::register_sweep(app, commands);
  idemlab::cli::register_run(app, commands);
  idemlab::cli::register_explore(app, commands);
  idemlab::cli::register_load(app, commands);
  idemlab::cli::register_merge(app, commands);
  idemlab::cli::register_plot(app, commands);
  idemlab::cli::register_rediscover(app, commands);
  idemlab::cli::register_shrink(app, commands);
  idemlab::cli::register_replay(app, commands);
  idemlab::cli::register_validate(app, commands);
  idemlab::cli::register_serve(app, commands);
  idemlab::cli::register_calibrate(app, commands);
  idemlab::cli::register_clean(app, commands);
  idemlab::cli::register_demo(app, commands);
  idemlab::cli::register_invariants(app, commands);

  // CLI11 reports a mistyped subcommand as a missing one; name it instead.
  const auto known = [&app](const char* name) {
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->check_name(name)) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::fprintf(stderr, "idemlab: error: unknown subcommand %s (try --help)\n", idemlab::sim::shown(argv[1]).c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    for (char& c : message) {
      if (c == '\n') c = ' ';
    }
    std::fprintf(stderr, "idemlab: error: %s (try --help)\n", idemlab::sim::one_safe_line(message).c_str());
    return 2;
  }
  // Expected failures, one line each: bad input exits 2, a server that does
  // not answer (or refuses the run) 3.
  const auto fail = [](const std::exception& e, int code) {
    std::fprintf(stderr, "idemlab: error: %s\n", idemlab::sim::one_safe_line(e.what()).c_str());
    return code;
  };
  try {
    return commands.run();
  } catch (const idemlab::cli::UsageError& e) {
    return fail(e, 2);
  } catch (const idemlab::scenarios::ScenarioError& e) {
    return fail(e, 2);
  } catch (const idemlab::realmode::ForeignData& e) {
    return fail(e, 2);
  } catch (const idemlab::realmode::Unreachable& e) {
    return fail(e, 3);
  } catch (const idemlab::realmode::RealRunError& e) {
    return fail(e, 3);
  } catch (const idemlab::realmode::InfraFailed& e) {
    return fail(e, 3);
  } catch (const idemlab::realmode::Interrupted& e) {
    return fail(e, 130);
  } catch (const std::bad_alloc& e) {
    std::fprintf(stderr, "idemlab: error: out of memory (%s): the world is too large for this machine\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Every expected failure has its own type above; this is a bug, but
    // one reported in a line rather than by std::terminate.
    std::fprintf(stderr, "idemlab: internal error: %s\n", idemlab::sim::one_safe_line(e.what()).c_str());
    return 70;
  }
}
