// The port history of a run: every write, delivery and effect the strategy
// made through its ports, each with the actor that made it (one request, one
// boot of a worker), when it went out and when it was answered. The checker's history invariants read it (a
// completed record never reopened, a key's claim never taken from its owner,
// a message's effect applied once); it is recorded by a decorator over the
// ports (models/recording_ports.h), the same in the simulator and in real
// mode, and knows no strategy's tables or keys.
//
// A write is recorded when it goes out, as perhaps made, and settled when
// its answer comes: made, not made (an NX not met), or still perhaps (a
// timeout, or its caller crashed waiting). So the history is in the order
// operations went out; two that overlapped in time may have reached the
// server in either order, which is why each keeps both times: an invariant
// judges the order of two operations only when one was answered before the
// other went out. What is known only from an answer (a delivery, a charge)
// is recorded when it comes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/state_writer.h"
#include "sim/time.h"
#include "strategies/ports/sql.h"

namespace idemlab::models {

// What a stored record says of the work it stands for, read from its own
// words: a JSON object's (or a row's) "state" or "status", or a bare string
// value. "in_progress", "processing", "pending", "running", "started" and
// "locked" mean work under way; "completed", "succeeded", "failed",
// "declined", "compensated", "done" and "finished" mean work over, as does a
// response kept in "response_status" or "response". Anything else is other.
enum class RecordState : std::uint8_t { kOther, kInProgress, kCompleted };
RecordState record_state_of_text(std::string_view value);
RecordState record_state_of_row(const ports::Row& row);
const char* record_state_name(RecordState state);

struct PortOp {
  enum class Kind : std::uint8_t {
    kKvWrite,          // set (written) or compare_and_set (replaced)
    kKvDelete,         // del or compare_and_delete that removed the key
    kKvExpire,         // expire that set a new time to live
    kKvAbsent,         // a get that found no value: whatever the key held is gone
    kRowWrite,         // a row inserted or overwritten, recorded at its commit
    kRowDelete,        // a row deleted by its key, at its commit
    kTableUnknown,     // rows deleted by another predicate: the table's rows are no longer known
    kPublish,          // a message published (subject: its id; queue)
    kConsume,          // the actor consumes from `queue`
    kDelivered,        // a delivery to the actor (subject: the message id; queue; tag)
    kSettled,          // the actor acked the delivery `tag`, or rejected it for good
    kMoneyMoved,       // a charge that moved money (not a replay, not a decline)
    kCommitChanged,    // a commit of a transaction that changed rows
  };
  Kind kind = Kind::kKvWrite;
  enum class Outcome : std::uint8_t {
    kMade,
    kPerhaps,  // timed out, or never answered: it may or may not have happened
    kNotMade,  // answered, and did nothing (a condition not met, no such key, an error)
  };
  Outcome outcome = Outcome::kMade;
  bool made() const { return outcome == Outcome::kMade; }
  // What a write or delete was conditional on.
  enum class Guard : std::uint8_t {
    kNone,       // nothing: SET (also XX, which checks presence, not value), DEL, UPDATE, DO UPDATE
    kIfAbsent,   // the key or row was absent: SET NX, INSERT, INSERT ... DO NOTHING
    kIfMatches,  // the key held what the caller expected: compare-and-set, compare-and-delete
  };
  Guard guard = Guard::kNone;
  RecordState state = RecordState::kOther;  // of the value or row written
  std::uint32_t actor = 0;
  sim::Time issued = 0;    // when the operation went out (a row's: its statement)
  sim::Time answered = 0;  // when its answer came back (a row's: its commit's); kTimeNever: it did not
  sim::Duration ttl = 0;   // Kv writes and expire: the time to live given, 0 for none
  std::uint64_t tag = 0;   // deliveries: the delivery tag
  std::string subject;     // the Kv key, "table(key values)", the message id
  std::string queue;       // publish, consume, deliveries
};

class PortHistory {
 public:
  // A new actor: `name` and its number among those of that name ("api
  // request 17", the seventeenth).
  // Cheap: one for every request; the name is written out only when asked.
  std::uint32_t new_actor(std::string_view name);
  std::string actor_name(std::uint32_t actor) const;

  // Its index, for settle().
  std::size_t add(PortOp op) {
    ops_.push_back(std::move(op));
    return ops_.size() - 1;
  }
  // The answer to the operation at `index`, which went out as perhaps made.
  void settle(std::size_t index, PortOp::Outcome outcome, sim::Time answered) {
    ops_[index].outcome = outcome;
    ops_[index].answered = answered;
  }
  const std::vector<PortOp>& ops() const { return ops_; }

  // Learns the tables' primary keys from the schema a strategy ensures, so
  // that rows are named by their keys.
  void learn_schema(const ports::Schema& schema);
  // "table(v1,v2)": the row's primary-key values, or all its columns for a
  // table whose schema was never seen.
  std::string row_subject(const std::string& table, const ports::Row& row) const;
  // Whether `where` names one row by its whole primary key.
  bool names_one_row(const std::string& table, const ports::Where& where) const;

  void write_state(sim::StateWriter& out) const;

 private:
  struct Actor {
    const std::string* name;  // a key of named_
    int number;
  };
  std::vector<Actor> actors_;
  std::map<std::string, int, std::less<>> named_;  // how many actors of each name so far
  std::vector<PortOp> ops_;
  std::map<std::string, std::vector<std::string>> primary_keys_;
};

}  // namespace idemlab::models
