// Small worlds for the schedule exploration tests.
#pragma once

#include "scenarios/scenario_json.h"

namespace idemlab::scenarios::testing {

// Two identical requests at once over constant latencies: every step of
// the two ties with the other's, so the order of ready events is a choice.
inline Scenario double_click_in_lockstep() {
  return parse_scenario(R"({
    "format": "idemlab-scenario/1",
    "name": "double_click_in_lockstep",
    "clients": 1,
    "workload": {"intents": 1, "double_click": "1"},
    "client": {"request_timeout": "2s", "retry": {"backoff": "fixed", "base": "1s", "attempts_max": 5}},
    "network": {"latency": {"constant": "1ms"}},
    "processor": {"processing_time": {"uniform": ["50ms", "250ms"]}},
    "run_limit": "600s"
  })", "double_click_in_lockstep");
}

}  // namespace idemlab::scenarios::testing
