#include "models/calibration.h"

#include <algorithm>
#include <stdexcept>

namespace idemlab::models {
namespace {

class Samples {
 public:
  Samples(const std::map<std::string, sim::LatencyModel>& operations, std::string origin)
      : operations_(operations), origin_(std::move(origin)) {}

  const std::vector<sim::Duration>& of(const std::string& name) const {
    const auto it = operations_.find(name);
    if (it == operations_.end()) throw std::runtime_error(origin_ + ": $.operations." + name + ": missing");
    const std::vector<sim::Duration>* samples = it->second.samples();
    if (samples == nullptr) {
      throw std::runtime_error(origin_ + ": $.operations." + name + ": needs samples_ns to calibrate a world");
    }
    return *samples;
  }

  // The operations' samples together, each less `rtt` (at least 0).
  sim::LatencyModel service_time(const std::vector<std::string>& names, sim::Duration rtt) const {
    std::vector<sim::Duration> pooled;
    for (const std::string& name : names) {
      for (const sim::Duration d : of(name)) pooled.push_back(std::max<sim::Duration>(0, d - rtt));
    }
    return sim::LatencyModel::empirical(std::move(pooled));
  }

 private:
  const std::map<std::string, sim::LatencyModel>& operations_;
  std::string origin_;
};

}  // namespace

const std::vector<std::string>& calibrated_operations() {
  static const std::vector<std::string> names{
      "loopback.rtt",   "redis.set_nx",          "redis.get",           "redis.compare_and_delete",
      "pg.begin",       "pg.insert",             "pg.insert_on_conflict", "pg.select_for_update",
      "pg.commit",      "amqp.publish_confirm",  "processor.charge"};
  return names;
}

void apply_calibration(const std::map<std::string, sim::LatencyModel>& operations, const std::string& origin,
                       WorldConfig& config) {
  const Samples samples(operations, origin);
  const std::vector<sim::Duration>& rtts = samples.of("loopback.rtt");  // sorted
  const sim::Duration rtt = rtts[rtts.size() / 2];
  std::vector<sim::Duration> one_way;
  for (const sim::Duration d : rtts) one_way.push_back(d / 2);
  config.network.latency = sim::LatencyModel::empirical(std::move(one_way));
  config.redis.command_time = samples.service_time({"redis.set_nx", "redis.get", "redis.compare_and_delete"}, rtt);
  config.postgres.statement_time =
      samples.service_time({"pg.begin", "pg.insert", "pg.insert_on_conflict", "pg.select_for_update"}, rtt);
  config.postgres.commit_time = samples.service_time({"pg.commit"}, rtt);
  config.rabbitmq.publish_time = samples.service_time({"amqp.publish_confirm"}, rtt);
  config.rabbitmq.fsync_delay = 0;
  config.processor.ledger_time = samples.service_time({"processor.charge"}, rtt);
}

}  // namespace idemlab::models
