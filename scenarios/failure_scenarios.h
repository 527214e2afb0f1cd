// The seven failure scenarios users know, as scenarios: client retry after a
// lost response, network timeout, duplicate webhook delivery, concurrent
// identical requests, partial failure (a crash between two writes), worker
// retry and message redelivery (these two concern the queue strategies).
#pragma once

#include <vector>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

std::vector<Scenario> failure_scenarios();

}  // namespace idemlab::scenarios
