#include "realmode/run_id.h"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace idemlab::realmode {

std::string new_run_id() {
  // Real mode only: the simulated code never draws from the OS.
  std::random_device device;
  const unsigned long long random = (static_cast<unsigned long long>(device()) << 32) | device();
  char text[48];
  std::snprintf(text, sizeof text, "r%dx%016llx", static_cast<int>(getpid()), random);
  return text;
}

}  // namespace idemlab::realmode
