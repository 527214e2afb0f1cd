// What `idemlab serve` counts, in Prometheus's text exposition format
// (version 0.0.4): requests by strategy, method and status, latency as a
// histogram, replays, connections closed unanswered (a crash, a lost
// reply), faults armed, and whether each API is up. Thread-safe: the HTTP
// threads count, GET /metrics reads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace idemlab::serve {

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds (+Inf after).
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,    10};

  // One request answered with `status` (0: closed unanswered) after `seconds`.
  void answered(const std::string& strategy, const std::string& method, int status, bool replayed, double seconds);
  // A connection closed without an answer: "crash" or "drop_reply".
  void unanswered(const std::string& strategy, const std::string& why);
  void fault_armed(const std::string& strategy, const std::string& fault);
  void in_flight(int delta);

  // The exposition text; `up`: each strategy and whether its API node is up.
  std::string text(const std::vector<std::pair<std::string, bool>>& up);

 private:
  struct Latency {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // not cumulative; text() sums
    std::uint64_t count = 0;
    double sum = 0;
  };
  std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> replays_;
  std::map<std::string, Latency> latency_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> unanswered_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> faults_;
  int in_flight_ = 0;
};

}  // namespace idemlab::serve
