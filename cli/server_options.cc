#include "cli/server_options.h"

#include "cli/commands.h"

namespace idemlab::cli {

void add_server_options(CLI::App& command, ServerFlags& flags) {
  command.add_option("--redis", flags.redis, "redis://[:password@]host:port/db (else $IDEMLAB_REDIS, else scripts/infra's)");
  command.add_option("--pg", flags.pg,
                     "postgresql://user[:password]@host:port/database (else $IDEMLAB_PG, else scripts/infra's)");
  command.add_option("--amqp", flags.amqp, "amqp://user:password@host:port/vhost (else $IDEMLAB_AMQP, else scripts/infra's)");
  command.add_option("--infra", flags.infra,
                     "The scripts/infra that started the servers, for scenarios that restart or fail them over "
                     "(else $IDEMLAB_INFRA)");
}

realmode::Servers resolve_servers(const ServerFlags& flags) {
  try {
    return realmode::servers_from(flags.redis, flags.pg, flags.amqp, flags.infra);
  } catch (const realmode::BadServerUrl& e) {
    throw UsageError(e.what());
  }
}

}  // namespace idemlab::cli
