// A simulated Redis: one primary running commands one at a time (each
// atomic), an optional asynchronously replicated replica, persistence and
// failover. The primary lives on a sim::Node, so calls to it are refused
// while it is down and in-flight commands die with it.
//
// What survives a crash of the primary (decided by `persistence`):
//   kNone      nothing: it restarts empty, and a replica that resyncs from it
//              is emptied too (the classic "empty master wipes its replica")
//   kEverySec  the append-only file as of the last whole second: writes made
//              since the last fsync (at each second boundary) are lost
//   kAlways    every acknowledged write
// Failover promotes the replica behind the same address (Sentinel plus a
// client that follows it, in zero time): writes that had not reached the
// replica, `replication_lag` behind the primary, are gone.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/state_writer.h"
#include "models/machine_load.h"
#include "models/redis/store.h"
#include "sim/latency.h"
#include "sim/node.h"
#include "sim/resource.h"
#include "sim/simulator.h"
#include "strategies/ports/kv.h"
#include "strategies/ports/result.h"

namespace idemlab::models::redis {

enum class Persistence : std::uint8_t { kNone, kEverySec, kAlways };

struct RedisConfig {
  std::int64_t maxmemory_bytes = 0;  // 0: unlimited
  EvictionPolicy eviction = EvictionPolicy::kNoEviction;
  Persistence persistence = Persistence::kEverySec;
  bool replica = false;
  sim::Duration replication_lag = 1 * sim::kMillisecond;
  sim::LatencyModel command_time = sim::LatencyModel::constant(5 * sim::kMicrosecond);
  // With a calibration measured under load: the time when another operation
  // is in service on the machine (MachineLoad).
  std::optional<sim::LatencyModel> command_time_loaded;
  std::size_t pending_commands_max = 10000;  // client output buffers, in effect
};

class RedisServer {
 public:
  RedisServer(sim::Simulator& sim, std::string name, RedisConfig config);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  sim::Node& node() { return node_; }
  const RedisConfig& config() const { return config_; }

  // The commands of the Kv port, run on the server's node.
  sim::Task<ports::Result<std::optional<std::string>>> get(std::string key);
  sim::Task<ports::Result<bool>> set(std::string key, std::string value, ports::SetOptions options);
  sim::Task<ports::Result<std::optional<std::string>>> set_get(std::string key, std::string value,
                                                              ports::SetOptions options);
  sim::Task<ports::Result<bool>> del(std::string key);
  sim::Task<ports::Result<bool>> expire(std::string key, sim::Duration ttl);
  sim::Task<ports::Result<sim::Duration>> ttl(std::string key);
  sim::Task<ports::Result<bool>> compare_and_delete(std::string key, std::string expected);
  sim::Task<ports::Result<bool>> compare_and_set(std::string key, std::string expected, std::string value,
                                                 sim::Duration ttl);

  // Faults. crash(): the primary goes down; what it keeps is decided now, by
  // the persistence setting. start(): it comes back (and a replica resyncs).
  void crash();
  void start();
  void restart() {
    crash();
    start();
  }
  // Promotes the replica. REQUIRES: config().replica.
  void failover();

  // Ground truth for checks and tests (not through the network).
  const Store& primary() const { return primary_; }
  // Its node, the command slot, both stores, the unsynced writes and the
  // replication stream.
  void write_state(sim::StateWriter& out) const;
  // The replica as of now (catches up on the replication stream first).
  const Store& replica();

  // The world's servers share one MachineLoad; alone, a server has its own.
  void share_machine_load(MachineLoad& load) { load_ = &load; }

 private:
  MachineLoad own_load_;
  MachineLoad* load_ = &own_load_;
  // Waits for the single command slot and the command's service time; the
  // command body then runs with nothing in between: it is atomic.
  sim::Task<bool> turn();
  // SET's body, once it has the slot: the condition, the TTL (KEEPTTL keeps
  // the key's), the write.
  ports::Result<bool> apply_set(const char* command, const std::string& key, std::string value,
                                const ports::SetOptions& options);
  // Applies a write: logs what it changed for a crash to undo (everysec)
  // and streams it, evictions included, to the replica.
  bool write(const KvOp& op);
  void fsync_until(sim::Time now);
  void catch_up_replica(sim::Time now);
  static void rebuild(Store& target, const Store& source, sim::Time now);
  void trace(const char* command, const std::string& detail);

  sim::Simulator& sim_;
  RedisConfig config_;
  sim::Node node_;
  sim::Resource slot_;  // Redis runs one command at a time
  Store primary_;
  // everysec: the prior state of what was written since the last fsync, so
  // that a crash can take those writes back. Bounded by a second of writes
  // (trimmed at each write), not by the size of the keyspace.
  std::vector<std::pair<sim::Time, Store::Before>> unsynced_;
  Store replica_;
  std::deque<std::pair<sim::Time, KvOp>> replication_;  // sent, not yet applied
};

}  // namespace idemlab::models::redis
