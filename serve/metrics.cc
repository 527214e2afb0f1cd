#include "serve/metrics.h"

#include <cstdio>

namespace idemlab::serve {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

void Metrics::answered(const std::string& strategy, const std::string& method, int status, bool replayed,
                       double seconds) {
  const std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{strategy, method, status}];
  if (replayed) ++replays_[strategy];
  Latency& l = latency_[strategy];
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++l.buckets[i];
  ++l.count;
  l.sum += seconds;
}

void Metrics::unanswered(const std::string& strategy, const std::string& why) {
  const std::lock_guard<std::mutex> lock(mutex_);
  ++unanswered_[{strategy, why}];
}

void Metrics::fault_armed(const std::string& strategy, const std::string& fault) {
  const std::lock_guard<std::mutex> lock(mutex_);
  ++faults_[{strategy, fault}];
}

void Metrics::in_flight(int delta) {
  const std::lock_guard<std::mutex> lock(mutex_);
  in_flight_ += delta;
}

std::string Metrics::text(const std::vector<std::pair<std::string, bool>>& up) {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  header(out, "idemlab_http_requests_total", "counter", "Requests answered, by strategy, method and status.");
  for (const auto& [key, n] : requests_) {
    const auto& [strategy, method, status] = key;
    out += "idemlab_http_requests_total{strategy=\"" + strategy + "\",method=\"" + method + "\",status=\"" +
           std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  header(out, "idemlab_replays_total", "counter", "Answers replayed from a stored response (Idempotency-Replayed).");
  for (const auto& [strategy, n] : replays_) {
    out += "idemlab_replays_total{strategy=\"" + strategy + "\"} " + std::to_string(n) + "\n";
  }
  header(out, "idemlab_http_request_duration_seconds", "histogram", "Time from the request read to its answer.");
  for (const auto& [strategy, l] : latency_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += l.buckets[i];
      out += "idemlab_http_request_duration_seconds_bucket{strategy=\"" + strategy + "\",le=\"" +
             number(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "idemlab_http_request_duration_seconds_bucket{strategy=\"" + strategy + "\",le=\"+Inf\"} " +
           std::to_string(l.count) + "\n";
    out += "idemlab_http_request_duration_seconds_sum{strategy=\"" + strategy + "\"} " + number(l.sum) + "\n";
    out += "idemlab_http_request_duration_seconds_count{strategy=\"" + strategy + "\"} " + std::to_string(l.count) +
           "\n";
  }
  header(out, "idemlab_connections_unanswered_total", "counter",
         "Connections closed without an answer: the API crashed (crash) or the reply was lost (drop_reply).");
  for (const auto& [key, n] : unanswered_) {
    out += "idemlab_connections_unanswered_total{strategy=\"" + key.first + "\",reason=\"" + key.second + "\"} " +
           std::to_string(n) + "\n";
  }
  header(out, "idemlab_faults_armed_total", "counter", "Faults armed through POST /admin/faults.");
  for (const auto& [key, n] : faults_) {
    out += "idemlab_faults_armed_total{strategy=\"" + key.first + "\",fault=\"" + key.second + "\"} " +
           std::to_string(n) + "\n";
  }
  header(out, "idemlab_requests_in_flight", "gauge", "Requests read and not yet answered.");
  out += "idemlab_requests_in_flight " + std::to_string(in_flight_) + "\n";
  header(out, "idemlab_api_up", "gauge", "1 while the strategy's API node is up, 0 while it is crashed.");
  for (const auto& [strategy, is_up] : up) {
    out += "idemlab_api_up{strategy=\"" + strategy + "\"} " + std::string(is_up ? "1" : "0") + "\n";
  }
  return out;
}

}  // namespace idemlab::serve
