// `idemlab calibrate --real`: the latency of each operation the strategies
// make, measured on the live servers through real mode's own ports (so the
// worker-thread hand-offs real runs pay are in every figure), and written in
// the calibration format the simulator reads (sim/latency.h,
// models/calibration.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "realmode/servers.h"
#include "sim/time.h"

namespace idemlab::realmode {

// Operation name ("redis.set_nx", "loopback.rtt"...) -> samples, in ns.
using Measurements = std::map<std::string, std::vector<sim::Duration>>;

// About `samples` of each operation, from `concurrency` streams at once (each
// one call after another, after a warm-up): with one stream, the figures of
// a machine doing nothing else; with more, those of a loaded one. Throws
// Unreachable (nothing made) or RealRunError.
Measurements measure_latencies(const Servers& servers, int samples, int concurrency);

// The calibration file: format, the machine it was measured on and how,
// every operation's samples measured alone and, unless `under_load` is
// empty, measured `concurrency` streams at once.
std::string calibration_json(const Measurements& alone, const Measurements& under_load, const std::string& machine,
                             int concurrency);

}  // namespace idemlab::realmode
