// What the queue strategies share: their setup; and for the consumers of
// dedup_queue and outbox, the subscription
// loop (resubscribing when the channel closes or the broker restarts), giving
// a delivery back for another try, and the apply-once step (the message id
// inserted in a table in the transaction of the effect).
#pragma once

#include <functional>
#include <string>

#include "sim/task.h"
#include "sim/time.h"
#include "strategies/ports/ports.h"
#include "strategies/ports/sql.h"

namespace idemlab::strategies {

// Setup of a strategy that uses a queue: its tables, then its durable queue.
sim::Task<ports::Result<ports::Unit>> setup_tables_and_queue(ports::Ports ports, ports::Schema schema,
                                                             std::string queue);

using DeliveryHandler = std::function<sim::Task<void>(ports::Consumer&, ports::Delivery)>;

// Hands every delivery of `queue` to `handle`, one at a time (prefetch 1),
// for ever.
sim::Task<void> consume_forever(ports::Ports ports, std::string queue, sim::Duration poll_interval,
                                DeliveryHandler handle);

// Nacks with requeue: the delivery comes back, redelivered.
sim::Task<void> retry_later(ports::Consumer& consumer, std::uint64_t tag);

// Commits `tx`, then acks: the delivery is done only once its effect is
// durable. If the commit fails, the delivery comes back (retry_later).
sim::Task<void> commit_then_ack(ports::Tx& tx, ports::Consumer& consumer, std::uint64_t tag);

enum class FirstTime : std::uint8_t { kYes, kNo, kFailed };
// Inserts `id` into `table`.`column` (its primary key) in `tx`. kNo: the id
// was there, the message was applied before; the transaction is committed and
// the delivery acked, and the caller stops.
sim::Task<FirstTime> apply_once(ports::Tx& tx, ports::Consumer& consumer, const ports::Delivery& delivery,
                                std::string table, std::string column);

}  // namespace idemlab::strategies
