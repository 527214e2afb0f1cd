#include "strategies/queue_consumer.h"

namespace idemlab::strategies {

sim::Task<ports::Result<ports::Unit>> setup_tables_and_queue(ports::Ports ports, ports::Schema schema,
                                                             std::string queue) {
  auto tables = co_await ports.sql.ensure_schema(std::move(schema));
  if (!tables.is_ok()) co_return tables;
  ports::QueueOptions durable;
  co_return co_await ports.queue.declare(std::move(queue), std::move(durable));
}

sim::Task<void> consume_forever(ports::Ports ports, std::string queue, sim::Duration poll_interval,
                                DeliveryHandler handle) {
  for (;;) {
    auto subscribed = co_await ports.queue.consume(queue, 1);
    if (!subscribed.is_ok()) {
      co_await ports.clock.sleep(poll_interval);
      continue;
    }
    std::unique_ptr<ports::Consumer> consumer = std::move(subscribed).value();
    for (;;) {
      auto delivery = co_await consumer->next(poll_interval);
      if (delivery.status() == ports::Status::kTimeout) continue;
      if (!delivery.is_ok()) break;  // the channel closed: subscribe again
      sim::Task<void> handled = handle(*consumer, std::move(delivery).value());
      co_await std::move(handled);
    }
  }
}

sim::Task<void> retry_later(ports::Consumer& consumer, std::uint64_t tag) {
  auto nacked = co_await consumer.nack(tag, true);
  (void)nacked;
}

sim::Task<void> commit_then_ack(ports::Tx& tx, ports::Consumer& consumer, std::uint64_t tag) {
  auto committed = co_await tx.commit();
  if (!committed.is_ok()) co_return co_await retry_later(consumer, tag);
  auto acked = co_await consumer.ack(tag);
  (void)acked;
}

sim::Task<FirstTime> apply_once(ports::Tx& tx, ports::Consumer& consumer, const ports::Delivery& delivery,
                                std::string table, std::string column) {
  const ports::Row marker{{column, ports::Value(delivery.message.id)}};
  const ports::OnConflict first_only{{column}, ports::OnConflict::Action::kDoNothing, {}, {}};
  auto first = co_await tx.insert_on_conflict(table, marker, first_only);
  if (!first.is_ok()) co_return FirstTime::kFailed;
  if (first.value()) co_return FirstTime::kYes;
  auto committed = co_await tx.commit();
  (void)committed;
  auto acked = co_await consumer.ack(delivery.tag);
  (void)acked;
  co_return FirstTime::kNo;
}

}  // namespace idemlab::strategies
