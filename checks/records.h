// The port history's writes, arranged per record (a Redis key, a row) for the
// history invariants, and the rule they share for ordering two operations:
// two that overlapped in time may have reached the server either way round,
// so one certainly followed another only when it went out after the other's
// answer (one never answered is certainly before nothing).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "models/port_history.h"

namespace idemlab::checks {

// Whether `later` certainly reached the server after `earlier` took effect.
inline bool certainly_after(const models::PortOp& later, const models::PortOp& earlier) {
  return later.issued >= earlier.answered;
}

// Walks a record's timeline: whether the operation at hand certainly
// followed the one that set what the record holds, and that one certainly
// followed its own predecessor (otherwise either may be what it holds).
class RecordOrder {
 public:
  bool certain(const models::PortOp& op) const { return last_ != nullptr && !ambiguous_ && certainly_after(op, *last_); }
  void advance(const models::PortOp& op) {
    ambiguous_ = last_ != nullptr && !certainly_after(op, *last_);
    last_ = &op;
  }

 private:
  const models::PortOp* last_ = nullptr;
  bool ambiguous_ = false;
};

// A record's writes, deletes, expiries and reads that found it gone, made
// or perhaps made, in the order they went out. A row's timeline also holds each delete of its table's rows by
// another predicate (kTableUnknown) made after the row was first written:
// what the row held is then no longer known.
using RecordTimeline = std::vector<const models::PortOp*>;

struct Records {
  std::map<std::string, RecordTimeline> keys;  // by Redis key
  std::map<std::string, RecordTimeline> rows;  // by "table(key values)"
};

Records records_of(const models::PortHistory& history);

}  // namespace idemlab::checks
