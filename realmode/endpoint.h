// Where a live server is: a URL such as redis://127.0.0.1:36379/0,
// postgresql://idemlab@127.0.0.1:35432/idemlab or amqp://guest:guest@127.0.0.1:35672/.
// Its text for messages never shows the password.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace idemlab::realmode {

struct Endpoint {
  std::string scheme;  // "redis", "postgresql" (or "postgres"), "amqp"
  std::string user;
  std::string password;
  std::string host;
  int port = 0;
  std::string path;  // Redis: database number; PostgreSQL: database; AMQP: vhost (default "/")
  // PostgreSQL: the application_name its connections carry (a run's, so
  // that pg_stat_activity tells the run's sessions apart). Not in URLs.
  std::string application;
  // How long connecting and the protocol's handshake may take (TCP connect,
  // then PING, the PostgreSQL startup or the AMQP login): a port that
  // accepts and never answers is unreachable after it. Not in URLs.
  int connect_timeout_s = 5;

  // The URL with the password replaced by "***": for messages and logs.
  std::string redacted() const;
};

// Parses `url` for `scheme` (the default port and path come from it). On
// failure returns nullopt and sets `error` to what is wrong, without the
// password.
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string_view scheme, std::string& error);

// A server that cannot be reached or refuses us: what() is one line naming
// the service and its redacted URL. The command line exits 3 on it.
class Unreachable : public std::exception {
 public:
  Unreachable(std::string service, const Endpoint& where, std::string why)
      : message_(service + " at " + where.redacted() + ": " + why) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

}  // namespace idemlab::realmode
