#include "models/calibration.h"

#include <algorithm>
#include <stdexcept>

namespace idemlab::models {
namespace {

class Samples {
 public:
  Samples(const std::map<std::string, sim::LatencyModel>& operations, std::string origin,
          std::string where = "$.operations")
      : operations_(operations), origin_(std::move(origin)), where_(std::move(where)) {}

  const std::vector<sim::Duration>& of(const std::string& name) const {
    const auto it = operations_.find(name);
    if (it == operations_.end()) throw std::runtime_error(origin_ + ": " + where_ + "." + name + ": missing");
    const std::vector<sim::Duration>* samples = it->second.samples();
    if (samples == nullptr) {
      throw std::runtime_error(origin_ + ": " + where_ + "." + name + ": needs samples_ns to calibrate a world");
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
  std::string where_;
};

// The servers' service times from one set of samples, each less the median
// round trip of the samples measured alone (the link's share).
struct ServiceTimes {
  ServiceTimes(const Samples& samples, sim::Duration rtt)
      : redis(samples.service_time({"redis.set_nx", "redis.get", "redis.compare_and_delete"}, rtt)),
        statement(samples.service_time({"pg.begin", "pg.insert", "pg.insert_on_conflict", "pg.select_for_update"}, rtt)),
        commit(samples.service_time({"pg.commit"}, rtt)),
        publish(samples.service_time({"amqp.publish_confirm"}, rtt)),
        ledger(samples.service_time({"processor.charge"}, rtt)) {}
  sim::LatencyModel redis, statement, commit, publish, ledger;
};

}  // namespace

const std::vector<std::string>& calibrated_operations() {
  static const std::vector<std::string> names{
      "loopback.rtt",   "redis.set_nx",          "redis.get",           "redis.compare_and_delete",
      "pg.begin",       "pg.insert",             "pg.insert_on_conflict", "pg.select_for_update",
      "pg.commit",      "amqp.publish_confirm",  "processor.charge"};
  return names;
}

void apply_calibration(const Calibration& calibration, const std::string& origin, WorldConfig& config) {
  const Samples alone(calibration.operations, origin);
  const std::vector<sim::Duration>& rtts = alone.of("loopback.rtt");  // sorted
  const sim::Duration rtt = rtts[rtts.size() / 2];
  std::vector<sim::Duration> one_way;
  for (const sim::Duration d : rtts) one_way.push_back(d / 2);
  config.network.latency = sim::LatencyModel::empirical(std::move(one_way));
  const ServiceTimes idle(alone, rtt);
  config.redis.command_time = idle.redis;
  config.postgres.statement_time = idle.statement;
  config.postgres.commit_time = idle.commit;
  config.rabbitmq.publish_time = idle.publish;
  config.rabbitmq.fsync_delay = 0;
  config.processor.ledger_time = idle.ledger;
  if (calibration.under_load.empty()) return;
  const ServiceTimes loaded(Samples(calibration.under_load, origin, "$.operations_under_load"), rtt);
  config.redis.command_time_loaded = loaded.redis;
  config.postgres.statement_time_loaded = loaded.statement;
  config.postgres.commit_time_loaded = loaded.commit;
  config.rabbitmq.publish_time_loaded = loaded.publish;
  config.processor.ledger_time_loaded = loaded.ledger;
}

}  // namespace idemlab::models
