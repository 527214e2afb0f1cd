// The calibration file `idemlab calibrate --real` writes and the simulation
// reads: per operation, its latency measured on the live servers.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "sim/latency.h"

namespace idemlab::models {

// A calibration file that cannot be read or is malformed.
class CalibrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A calibration: each operation's latency measured one call at a time, and,
// optionally, measured with other calls in flight on the same machine.
struct Calibration {
  std::map<std::string, sim::LatencyModel> operations;
  std::map<std::string, sim::LatencyModel> under_load;  // empty: not measured
};

// A calibration file, as `idemlab calibrate` writes it:
//   {"format": "idemlab-calibration/1",
//    "operations": {"redis.set_nx": {"samples_ns": [41000, 43500, ...]},
//                   "loopback.rtt": {"constant_ns": 30000},
//                   "pg.commit": {"log_normal": {"median_ns": 90000, "sigma": 0.4,
//                                                 "cap_ns": 5000000}}},
//    "operations_under_load": {...the same operations, optional...}}
// Throws CalibrationError naming the file and the JSON path of the problem.
Calibration load_calibration(const std::string& path);
Calibration parse_calibration(const std::string& text, const std::string& origin);

}  // namespace idemlab::models
