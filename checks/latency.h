// What the clients waited: each attempt's latency, from its invoke to its
// answer (ok or fail) or to the client's timeout (unknown), read from the
// history. The cost side of a strategy, in simulation and on the live
// servers alike.
#pragma once

#include <vector>

#include "models/clients/history.h"
#include "sim/time.h"

namespace idemlab::checks {

// Every attempt that ended, in the order they ended.
std::vector<sim::Duration> attempt_latencies(const models::clients::History& history);

// The q-quantile (0 < q <= 1) by nearest rank; 0 for no samples.
sim::Duration percentile(std::vector<sim::Duration> samples, double q);

}  // namespace idemlab::checks
