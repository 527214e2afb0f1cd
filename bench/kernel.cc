// bench/kernel: how fast the simulation kernel runs, next to references
// measured in the same run on the same machine.
//
//   hold model      10,000 pending events; each event schedules one more after
//                   a random delay (the classic "hold" benchmark of event
//                   lists), through Simulator::schedule and the tape
//   bare heap       the same hold model on a bare std::priority_queue with
//                   the PRNG called directly: the ceiling
//   client retry    the coroutine model: 60 clients, a server with 8 slots and
//                   exponential service time of mean 1, patience 3 for a slot,
//                   then backoff 0.5 * 2^k * U(0.5, 1.5), at most 4 retries,
//                   exponential think time of mean 10 between payments
//   simpy           the same client-retry model in SimPy
//                   (bench/kernel_retry_simpy.py), when python3-simpy is there
//
// Prints one JSON object per line: {"bench","metric","value","unit"}. Each
// kernel figure is the best of --repeat runs. Targets: hold >= 40% of the bare
// heap; client retry >= 10x SimPy in payments per wall second.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "bench/bare_heap.h"
#include "sim/latency.h"
#include "sim/prng.h"
#include "sim/resource.h"
#include "sim/simulator.h"

namespace {

using namespace idemlab::sim;

void emit(const char* metric, double value, const char* unit) {
  std::printf("{\"bench\":\"kernel\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n", metric, value, unit);
  std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class F>
double best_of(int repeat, F&& measure) {
  double best = 0;
  for (int i = 0; i < repeat; ++i) best = std::max(best, measure());
  return best;
}

constexpr std::uint64_t kHoldPending = 10000;
constexpr std::uint64_t kHoldDelayMax = 1000;

// ---- bare heap -------------------------------------------------------------

double bare_heap_events_per_s(std::uint64_t events) {
  return idemlab::bench::bare_heap_events_per_s(events, kHoldPending, kHoldDelayMax);
}

// ---- kernel hold -----------------------------------------------------------

struct Hold {
  Simulator* sim;
  std::uint64_t remaining;

  static void fire(void* context, std::uint64_t) {
    auto* self = static_cast<Hold*>(context);
    if (self->remaining == 0) return;
    --self->remaining;
    const Time delay = 1 + static_cast<Time>(self->sim->tape().draw(kHoldDelayMax, Choice::kLatency));
    self->sim->schedule(self->sim->now() + delay, &Hold::fire, self);
  }
};

double hold_events_per_s(std::uint64_t events) {
  RandomTape tape(1);
  SimulatorOptions options;
  options.trace = TraceLevel::kOff;
  Simulator sim(tape, options);
  // Each pending event keeps rescheduling itself until the budget is spent;
  // the population stays at kHoldPending until the last events drain.
  Hold hold{&sim, events};
  for (std::uint64_t i = 0; i < kHoldPending; ++i) {
    sim.schedule(static_cast<Time>(tape.draw(kHoldDelayMax, Choice::kLatency)), &Hold::fire, &hold);
  }
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = sim.run();
  const double seconds = seconds_since(start);
  if (r.stop != RunStop::kQuiescent) std::abort();
  return static_cast<double>(r.events) / seconds;
}

// ---- client retry ----------------------------------------------------------

constexpr Duration kUnit = kMillisecond;  // the model's time unit
constexpr int kClients = 60;
constexpr std::size_t kSlots = 8;
constexpr int kRetriesMax = 4;

struct RetryWorld {
  explicit RetryWorld(std::uint64_t seed) : tape(seed), sim(tape, options()), server(sim, kSlots, kClients) {}
  ~RetryWorld() { sim.cancel_all(); }  // the clients wait on `server`

  static SimulatorOptions options() {
    SimulatorOptions o;
    o.trace = TraceLevel::kOff;
    return o;
  }

  RandomTape tape;
  Simulator sim;
  Resource server;
  LatencyModel service = LatencyModel::exponential(1 * kUnit);
  LatencyModel think = LatencyModel::exponential(10 * kUnit);
  std::uint64_t completed = 0;
  std::uint64_t gave_up = 0;
};

Task<void> client(RetryWorld& w) {
  for (;;) {
    co_await w.sim.sleep(w.think.sample(w.tape));
    for (int attempt = 0;; ++attempt) {
      if (co_await w.server.acquire(3 * kUnit)) {
        SlotGuard slot(w.server);
        co_await w.sim.sleep(w.service.sample(w.tape));
        ++w.completed;
        break;
      }
      if (attempt == kRetriesMax) {
        ++w.gave_up;
        break;
      }
      const double jitter = 0.5 + unit_interval(w.tape, Choice::kJitter);
      co_await w.sim.sleep(static_cast<Duration>(0.5 * static_cast<double>(kUnit << attempt) * jitter));
    }
  }
}

struct RetryFigures {
  double events_per_s = 0;
  double payments_per_s = 0;
  std::uint64_t payments = 0;
};

RetryFigures client_retry(Time until_units) {
  RetryWorld world(1);
  for (int i = 0; i < kClients; ++i) world.sim.spawn(client(world), nullptr, "client");
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = world.sim.run_until(until_units * kUnit);
  const double seconds = seconds_since(start);
  if (r.stop != RunStop::kTimeLimit) std::abort();
  return RetryFigures{static_cast<double>(r.events) / seconds, static_cast<double>(world.completed) / seconds,
                      world.completed};
}

// Runs the SimPy twin; returns its payments per second, or 0 if SimPy is not
// installed (the figure is then absent, not invented).
double simpy_payments_per_s(const std::string& script, int until_units) {
  if (std::system("/usr/bin/python3 -c 'import SimPy.Simulation' >/dev/null 2>&1") != 0) {
    std::fprintf(stderr, "bench/kernel: python3-simpy not installed; no SimPy comparison\n");
    return 0;
  }
  const std::string command = "/usr/bin/python3 " + script + " " + std::to_string(until_units);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return 0;
  char line[512];
  double rate = 0;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::fputs(line, stdout);
    if (std::strstr(line, "\"simpy_payments_per_s\"") != nullptr) {
      const char* value = std::strstr(line, "\"value\": ");
      if (value != nullptr) rate = std::strtod(value + 9, nullptr);
    }
  }
  if (pclose(pipe) != 0) return 0;
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/kernel: events per second of the simulation kernel"};
  std::uint64_t hold_events = 20'000'000;
  int retry_until = 400'000;
  int simpy_until = 20'000;
  int repeat = 3;
  std::string simpy_script = std::string(IDEMLAB_SOURCE_DIR) + "/bench/kernel_retry_simpy.py";
  bool no_simpy = false;
  app.add_option("--hold-events", hold_events, "Events per hold-model run")->capture_default_str();
  app.add_option("--retry-until", retry_until, "Simulated time units of the client-retry model")->capture_default_str();
  app.add_option("--simpy-until", simpy_until, "Simulated time units of the SimPy run")->capture_default_str();
  app.add_option("--repeat", repeat, "Runs per kernel figure; the best counts")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--simpy-script", simpy_script, "The SimPy twin of the client-retry model")->capture_default_str();
  app.add_flag("--no-simpy", no_simpy, "Skip the SimPy comparison");
  CLI11_PARSE(app, argc, argv);

  const double bare = best_of(repeat, [&] { return bare_heap_events_per_s(hold_events); });
  const double hold = best_of(repeat, [&] { return hold_events_per_s(hold_events); });
  emit("bare_heap_events_per_s", bare, "events/s");
  emit("hold_events_per_s", hold, "events/s");
  emit("hold_vs_bare_ratio", hold / bare, "ratio");

  RetryFigures retry;
  for (int i = 0; i < repeat; ++i) {
    const RetryFigures f = client_retry(retry_until);
    if (f.payments_per_s > retry.payments_per_s) retry = f;
  }
  emit("retry_events_per_s", retry.events_per_s, "events/s");
  emit("retry_payments_per_s", retry.payments_per_s, "payments/s");
  emit("retry_payments", static_cast<double>(retry.payments), "payments");
  // The model's own throughput: must match SimPy's simpy_payments / until.
  emit("retry_payments_per_time_unit", static_cast<double>(retry.payments) / retry_until, "payments/unit");

  if (!no_simpy) {
    const double simpy = simpy_payments_per_s(simpy_script, simpy_until);
    if (simpy > 0) emit("retry_vs_simpy_ratio", retry.payments_per_s / simpy, "ratio");
  }
  return 0;
}
