// Where the live tests find the private servers of scripts/infra: the URL in
// an environment variable (scripts/test exports them). Absent or malformed,
// the test fails: live tests are never skipped.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "realmode/endpoint.h"

namespace idemlab::realmode {

inline Endpoint live_endpoint(const char* variable, const char* scheme) {
  const char* url = std::getenv(variable);
  INFO(variable << " is not set: start the servers with scripts/infra up and export scripts/infra env");
  REQUIRE(url != nullptr);
  std::string error;
  const std::optional<Endpoint> endpoint = parse_endpoint(url, scheme, error);
  INFO(variable << ": " << error);
  REQUIRE(endpoint.has_value());
  return *endpoint;
}

}  // namespace idemlab::realmode
