// `idemlab clean --real`: removes what killed live runs left on the servers
// (their keys, schemas and queues), found by their lapsed leases; nothing
// of a run still alive, nothing idemlab did not make.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/server_options.h"
#include "realmode/lease.h"

namespace idemlab::cli {
namespace {

struct CleanOptions {
  bool real = false;
  ServerFlags servers;
};

int clean(const CleanOptions& o) {
  if (!o.real) throw UsageError("clean removes leftovers from the live servers: pass --real");
  const std::vector<std::string> removed = realmode::clean_abandoned(resolve_servers(o.servers));
  for (const std::string& line : removed) std::printf("removed %s\n", line.c_str());
  std::printf("%zu abandoned runs cleaned up\n", removed.size());
  return 0;
}

}  // namespace

void register_clean(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<CleanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "clean", "Remove what killed live runs left on the servers (runs whose lease lapsed), and nothing else");
  cmd->add_flag("--real", options->real, "On the live servers (required)");
  add_server_options(*cmd, options->servers);
  cmd->callback([options, &commands] { commands.selected = [options] { return clean(*options); }; });
}

}  // namespace idemlab::cli
