#include "cli/server_options.h"

#include "cli/commands.h"
#include "sim/strict_json.h"
#include "sim/time.h"

namespace idemlab::cli {

void add_server_options(CLI::App& command, ServerFlags& flags) {
  command.add_option("--redis", flags.redis, "redis://[:password@]host:port/db (else $IDEMLAB_REDIS, else scripts/infra's)");
  command.add_option("--pg", flags.pg,
                     "postgresql://user[:password]@host:port/database (else $IDEMLAB_PG, else scripts/infra's)");
  command.add_option("--amqp", flags.amqp, "amqp://user:password@host:port/vhost (else $IDEMLAB_AMQP, else scripts/infra's)");
  command.add_option("--infra", flags.infra,
                     "The scripts/infra that started the servers, for scenarios that restart or fail them over "
                     "(else $IDEMLAB_INFRA)");
  command.add_option("--connect-timeout", flags.connect_timeout,
                     "How long each server may take to connect and answer its handshake, checked before any work "
                     "(whole seconds, 1s to 600s)")
      ->capture_default_str();
  command.add_option("--lease-ttl", flags.lease_ttl,
                     "How long after a run's last renewal its lease lapses, so that a later run or `idemlab clean "
                     "--real` removes what it left (whole seconds, 1s to 24h)")
      ->capture_default_str();
}

realmode::Servers resolve_servers(const ServerFlags& flags) {
  try {
    const std::optional<sim::Duration> timeout = sim::parse_duration(flags.connect_timeout);
    if (!timeout || *timeout % sim::kSecond != 0 || *timeout < sim::kSecond || *timeout > 600 * sim::kSecond) {
      throw UsageError("--connect-timeout: must be whole seconds from 1s to 600s, not " +
                       sim::shown(flags.connect_timeout, 40));
    }
    const std::optional<sim::Duration> ttl = sim::parse_duration(flags.lease_ttl);
    if (!ttl || *ttl % sim::kSecond != 0 || *ttl < sim::kSecond || *ttl > 24 * 3600 * sim::kSecond) {
      throw UsageError("--lease-ttl: must be whole seconds from 1s to 24h, not " + sim::shown(flags.lease_ttl, 40));
    }
    realmode::Servers servers = realmode::servers_from(flags.redis, flags.pg, flags.amqp, flags.infra,
                                                       static_cast<int>(*timeout / sim::kSecond));
    servers.lease_ttl_s = static_cast<int>(*ttl / sim::kSecond);
    return servers;
  } catch (const realmode::BadServerUrl& e) {
    throw UsageError(e.what());
  }
}

}  // namespace idemlab::cli
