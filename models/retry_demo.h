// A first world for the kernel: clients that retry payments over a lossy
// network against an API node with no idempotency, which crashes once. It is
// the demonstration behind `idemlab demo` and the world the determinism tests
// replay. It shows the problem the project is about: a dropped reply makes a
// client retry an operation that already happened, and the payment is charged
// twice. (The real models and strategies replace it in later issues.)
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/simulator.h"
#include "sim/tape.h"
#include "sim/time.h"

namespace idemlab::models {

struct RetryDemoConfig {
  int clients = 3;
  int payments_per_client = 2;
  sim::Duration request_timeout = 200 * sim::kMillisecond;
  int attempts_max = 4;
  sim::Duration backoff_base = 50 * sim::kMillisecond;  // doubled per retry, full jitter
  sim::Duration think_mean = 100 * sim::kMillisecond;
  int api_workers = 2;
  sim::Ratio drop_request{1, 10};
  sim::Ratio drop_reply{1, 10};
  sim::Ratio duplicate{0, 1};
  // The API crashes once at crash_at and comes back after down_for.
  bool crash_api = true;
  sim::Time crash_at = 300 * sim::kMillisecond;
  sim::Duration down_for = 200 * sim::kMillisecond;
  sim::SimulatorOptions simulator;
};

struct RetryDemoResult {
  sim::RunResult run{};
  std::uint64_t trace_hash = 0;
  std::string timeline;
  std::string json_lines;
  int intents = 0;
  int charged_once = 0;
  int charged_more_than_once = 0;
  int never_charged = 0;
  int client_successes = 0;
  int client_gave_up = 0;
  std::map<std::string, int> charges;  // intent -> times charged
};

// Runs the demo world to quiescence with the given tape.
RetryDemoResult run_retry_demo(const RetryDemoConfig& config, sim::Tape& tape);

}  // namespace idemlab::models
