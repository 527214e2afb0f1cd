// A run's id: the name of everything the run creates on the live servers
// (Redis key prefix, PostgreSQL schema, queue names), unique across
// concurrent runs on one machine and across machines sharing a server.
#pragma once

#include <string>

namespace idemlab::realmode {

// Lower-case letters and digits only, so that it is a valid part of a Redis
// key, an unquoted PostgreSQL identifier and a queue name: "r<pid>x<random>".
std::string new_run_id();

}  // namespace idemlab::realmode
