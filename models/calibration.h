// A calibration file (`idemlab calibrate --real`) applied to a world: the
// live servers' measured latencies become the models' service times, so that
// the simulation predicts what the real stack costs.
//
// The file holds each operation's latency as the service measured it, one
// loopback round trip included. Service times are those samples less the
// median round trip; the links between the service and its backends take
// half of each measured round trip one way:
//   loopback.rtt                     -> network latency (rtt / 2, one way)
//   redis.set_nx, redis.get,
//   redis.compare_and_delete         -> redis command_time (pooled)
//   pg.begin, pg.insert,
//   pg.insert_on_conflict,
//   pg.select_for_update             -> postgres statement_time (pooled)
//   pg.commit                        -> postgres commit_time
//   amqp.publish_confirm             -> rabbitmq publish_time (the confirm
//                                       comes after it: fsync_delay 0)
//   processor.charge (no processing
//   time)                            -> processor ledger_time
// Operations measured under load ($.operations_under_load, optional) give
// the same servers' loaded service times (less the same round trip), which
// they take when another operation is in service on the machine
// (MachineLoad).
// amqp.deliver_ack is written for reference: a delivery costs the model one
// link latency. Client links keep the scenario's latency.
#pragma once

#include <map>
#include <string>

#include "models/world.h"
#include "models/calibration_file.h"

namespace idemlab::models {

// The operations `apply_calibration` needs, each with samples_ns, in
// $.operations and, when it is there, in $.operations_under_load.
const std::vector<std::string>& calibrated_operations();

// Throws std::runtime_error naming `origin` and the operation when one is
// missing or holds no samples.
void apply_calibration(const Calibration& calibration, const std::string& origin, WorldConfig& config);

}  // namespace idemlab::models
