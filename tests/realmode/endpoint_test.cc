#include <catch2/catch.hpp>

#include "realmode/endpoint.h"

namespace idemlab::realmode {
namespace {

TEST_CASE("an endpoint URL gives host, port, user, password and path") {
  std::string error;
  const auto e = parse_endpoint("amqp://guest:s%40cret@127.0.0.1:35672/payments", "amqp", error);
  REQUIRE(e.has_value());
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 35672);
  CHECK(e->user == "guest");
  CHECK(e->password == "s@cret");
  CHECK(e->path == "payments");
}

TEST_CASE("missing parts take each service's defaults") {
  std::string error;
  CHECK(parse_endpoint("redis://localhost", "redis", error)->port == 6379);
  CHECK(parse_endpoint("redis://localhost", "redis", error)->path == "0");
  CHECK(parse_endpoint("postgres://db.internal/shop", "postgresql", error)->port == 5432);
  CHECK(parse_endpoint("amqp://localhost", "amqp", error)->path == "/");
}

TEST_CASE("a redacted endpoint never shows the password") {
  std::string error;
  const auto e = parse_endpoint("postgresql://shop:hunter2@127.0.0.1:35432/idemlab", "postgresql", error);
  REQUIRE(e.has_value());
  CHECK(e->redacted() == "postgresql://shop:***@127.0.0.1:35432/idemlab");
  const Unreachable unreachable("PostgreSQL", *e, "connection refused");
  CHECK(std::string(unreachable.what()) == "PostgreSQL at postgresql://shop:***@127.0.0.1:35432/idemlab: connection refused");
}

TEST_CASE("a malformed endpoint says what is wrong without the password") {
  std::string error;
  CHECK_FALSE(parse_endpoint("http://x", "redis", error).has_value());
  CHECK(error == "must start with redis://");
  CHECK_FALSE(parse_endpoint("redis://user:pw@host:99999", "redis", error).has_value());
  CHECK(error == "bad port \"99999\"");
  CHECK_FALSE(parse_endpoint("redis://user:p%zzw@host", "redis", error).has_value());
  CHECK(error.find("p%zzw") == std::string::npos);
  CHECK_FALSE(parse_endpoint("redis://:1", "redis", error).has_value());
  CHECK(error == "no host");
}

}  // namespace
}  // namespace idemlab::realmode
