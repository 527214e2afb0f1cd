#include "models/retry_demo.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace idemlab::models {
namespace {

RetryDemoConfig demo_config() {
  RetryDemoConfig config;
  config.clients = 4;
  config.payments_per_client = 5;
  config.drop_reply = sim::Ratio{1, 4};
  return config;
}

RetryDemoResult run_seed(std::uint64_t seed, RetryDemoConfig config = demo_config()) {
  sim::RandomTape tape(seed);
  return run_retry_demo(config, tape);
}

TEST_CASE("the same seed twice gives the same trace hash") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const RetryDemoResult a = run_seed(seed);
    const RetryDemoResult b = run_seed(seed);
    CHECK(a.trace_hash == b.trace_hash);
    CHECK(a.timeline == b.timeline);
    CHECK(a.run.events == b.run.events);
  }
}

TEST_CASE("different seeds give different trace hashes") {
  std::vector<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) hashes.push_back(run_seed(seed).trace_hash);
  std::sort(hashes.begin(), hashes.end());
  CHECK(std::adjacent_find(hashes.begin(), hashes.end()) == hashes.end());
}

TEST_CASE("a recorded tape replays the run exactly") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    sim::RandomTape recording(seed, /*record=*/true);
    const RetryDemoResult original = run_retry_demo(demo_config(), recording);
    REQUIRE_FALSE(recording.recorded().empty());
    sim::ReplayTape replay(recording.recorded());
    const RetryDemoResult replayed = run_retry_demo(demo_config(), replay);
    CHECK(replayed.trace_hash == original.trace_hash);
    CHECK(replayed.charges == original.charges);
    CHECK(replay.divergence().empty());
    CHECK(replay.position() == recording.recorded().size());
  }
}

TEST_CASE("a tape replayed from its JSON form reproduces the run") {
  sim::RandomTape recording(77, /*record=*/true);
  const RetryDemoResult original = run_retry_demo(demo_config(), recording);
  sim::ReplayTape replay(sim::tape_from_json(sim::tape_to_json(recording.recorded())));
  CHECK(run_retry_demo(demo_config(), replay).trace_hash == original.trace_hash);
}

TEST_CASE("runs are identical whatever thread runs them") {
  // A sweep runs whole worlds in parallel: nothing may leak between them.
  constexpr int kSeeds = 16;
  std::vector<std::uint64_t> serial(kSeeds), parallel(kSeeds);
  for (int i = 0; i < kSeeds; ++i) serial[i] = run_seed(static_cast<std::uint64_t>(i) + 100).trace_hash;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&parallel, t] {
      for (int i = t; i < kSeeds; i += 4) parallel[i] = run_seed(static_cast<std::uint64_t>(i) + 100).trace_hash;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(parallel == serial);
}

TEST_CASE("with no idempotency a dropped reply leads to a double charge") {
  // Every reply lost, no crash: the client retries each payment until it
  // gives up, and every attempt charged.
  RetryDemoConfig config = demo_config();
  config.drop_request = sim::Ratio{0, 1};
  config.drop_reply = sim::Ratio{1, 1};
  config.crash_api = false;
  const RetryDemoResult r = run_seed(1, config);
  CHECK(r.charged_more_than_once == r.intents);
  for (const auto& [intent, count] : r.charges) CHECK(count == config.attempts_max);
  CHECK(r.client_gave_up == r.intents);
  CHECK(r.run.stop == sim::RunStop::kQuiescent);
}

TEST_CASE("without faults every payment is charged once") {
  RetryDemoConfig config = demo_config();
  config.drop_request = sim::Ratio{0, 1};
  config.drop_reply = sim::Ratio{0, 1};
  config.crash_api = false;
  const RetryDemoResult r = run_seed(3, config);
  CHECK(r.charged_once == r.intents);
  CHECK(r.client_successes == r.intents);
}

}  // namespace
}  // namespace idemlab::models
