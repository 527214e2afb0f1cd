// A bare world for kernel tests: a tape, a simulator, and helpers to run a
// coroutine to the end.
#pragma once

#include <cstdint>

#include "sim/simulator.h"
#include "sim/tape.h"

namespace idemlab::sim::testing {

struct World {
  explicit World(std::uint64_t seed = 1, SimulatorOptions options = full_trace())
      : tape(seed, /*record=*/true), sim(tape, options) {}

  static SimulatorOptions full_trace() {
    SimulatorOptions options;
    options.trace = TraceLevel::kFull;
    return options;
  }

  RandomTape tape;
  Simulator sim;
};

}  // namespace idemlab::sim::testing
