#include "realmode/servers.h"

#include <cstdlib>

namespace idemlab::realmode {
namespace {

Endpoint resolve(const std::string& flag_value, const char* flag, const char* variable, const char* fallback,
                 const char* scheme) {
  std::string url = flag_value, source = flag;
  if (url.empty()) {
    const char* from_env = std::getenv(variable);
    url = from_env != nullptr ? from_env : fallback;
    source = from_env != nullptr ? std::string("$") + variable : std::string("the default ") + fallback;
  }
  std::string error;
  const std::optional<Endpoint> endpoint = parse_endpoint(url, scheme, error);
  if (!endpoint) throw BadServerUrl(source + ": " + error);
  return *endpoint;
}

}  // namespace

Servers servers_from(const std::string& redis_flag, const std::string& pg_flag, const std::string& amqp_flag,
                     const std::string& infra_flag, int connect_timeout_s) {
  const char* infra_env = std::getenv("IDEMLAB_INFRA");
  Servers servers{
      resolve(redis_flag, "--redis", "IDEMLAB_REDIS", "redis://127.0.0.1:36379/0", "redis"),
      resolve(pg_flag, "--pg", "IDEMLAB_PG", "postgresql://idemlab@127.0.0.1:35432/idemlab", "postgresql"),
      resolve(amqp_flag, "--amqp", "IDEMLAB_AMQP", "amqp://guest:guest@127.0.0.1:35672/", "amqp"),
      !infra_flag.empty() ? infra_flag : infra_env != nullptr ? infra_env : "",
  };
  for (Endpoint* e : {&servers.redis, &servers.postgres, &servers.amqp}) e->connect_timeout_s = connect_timeout_s;
  return servers;
}

}  // namespace idemlab::realmode
