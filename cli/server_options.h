// The live servers' URLs, as real-mode subcommands take them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "realmode/servers.h"

namespace idemlab::cli {

struct ServerFlags {
  std::string redis, pg, amqp, infra;
  std::string connect_timeout = "5s";
  std::string lease_ttl = "60s";
};

void add_server_options(CLI::App& command, ServerFlags& flags);
// Flags, else the environment, else scripts/infra's ports; a malformed URL
// is a UsageError naming where it came from.
realmode::Servers resolve_servers(const ServerFlags& flags);

}  // namespace idemlab::cli
