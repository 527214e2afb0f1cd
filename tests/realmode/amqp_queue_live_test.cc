// The Queue port against the live RabbitMQ that scripts/infra starts (its URL
// in IDEMLAB_AMQP; scripts/test sets it). Without it these tests fail. The
// broker's delivery rules themselves are the contract tests' (live world);
// these cover what is real mode's own: names, clean-up, crashes, errors.
#include <catch2/catch.hpp>

#include "realmode/amqp_queue.h"
#include "tests/realmode/live_servers.h"

namespace idemlab::realmode {
namespace {

using ports::Status;

Endpoint live_amqp() { return live_endpoint("IDEMLAB_AMQP", "amqp"); }

struct LiveQueue : LiveLoop {
  std::string prefix = "idemlab.test." + run_id + ".";
  RealQueue queue{loop, live_amqp(), prefix, 5 * sim::kSecond};

  ~LiveQueue() { queue.delete_everything(); }
};

ports::Message message(std::string id, std::string body) {
  ports::Message m;
  m.id = std::move(id);
  m.headers["intent"] = "pi_1";
  m.body = std::move(body);
  return m;
}

TEST_CASE("live RabbitMQ: a confirmed message comes back with its id, headers and body") {
  LiveQueue w;
  std::vector<ports::Delivery> got;
  std::vector<Status> statuses;
  auto body = [](ports::Queue& queue, std::vector<ports::Delivery>& out, std::vector<Status>& s) -> sim::Task<void> {
    ports::QueueOptions durable;
    s.push_back((co_await queue.declare("payments", durable)).status());
    s.push_back((co_await queue.publish("payments", message("m-1", "{\"amount\":1234}"))).status());
    auto subscribed = co_await queue.consume("payments", 10);
    s.push_back(subscribed.status());
    if (!subscribed.is_ok()) co_return;
    std::unique_ptr<ports::Consumer> consumer = std::move(subscribed).value();
    auto first = co_await consumer->next(5 * sim::kSecond);
    s.push_back(first.status());
    if (!first.is_ok()) co_return;
    out.push_back(first.value());
    s.push_back((co_await consumer->ack(first.value().tag)).status());
    s.push_back((co_await consumer->next(200 * sim::kMillisecond)).status());
  };
  w.run(body(w.queue, got, statuses));
  CHECK(statuses == std::vector<Status>{Status::kOk, Status::kOk, Status::kOk, Status::kOk, Status::kOk, Status::kTimeout});
  REQUIRE(got.size() == 1);
  CHECK(got[0].message.id == "m-1");
  CHECK(got[0].message.headers == std::map<std::string, std::string>{{"intent", "pi_1"}});
  CHECK(got[0].message.body == "{\"amount\":1234}");
  CHECK(got[0].message.persistent);
  CHECK_FALSE(got[0].redelivered);
  CHECK(got[0].delivery_count == 1);
}

TEST_CASE("live RabbitMQ: a severed consumer's unacked delivery comes back redelivered") {
  LiveQueue w;
  std::vector<ports::Delivery> got;
  auto body = [](RealQueue& queue, std::vector<ports::Delivery>& out) -> sim::Task<void> {
    ports::QueueOptions durable;
    auto declared = co_await queue.declare("work", durable);
    auto published = co_await queue.publish("work", message("m-1", "x"));
    (void)declared, (void)published;
    auto first_consumer = co_await queue.consume("work", 1);
    std::unique_ptr<ports::Consumer> crashed = std::move(first_consumer).value();
    auto taken = co_await crashed->next(5 * sim::kSecond);
    if (taken.is_ok()) out.push_back(taken.value());
    queue.sever_consumers();  // the consuming process dies holding the delivery
    auto after = co_await crashed->next(1 * sim::kSecond);
    CHECK(after.status() == Status::kClosed);
    crashed.reset();
    auto second_consumer = co_await queue.consume("work", 1);
    std::unique_ptr<ports::Consumer> survivor = std::move(second_consumer).value();
    auto again = co_await survivor->next(5 * sim::kSecond);
    if (again.is_ok()) out.push_back(again.value());
  };
  w.run(body(w.queue, got));
  REQUIRE(got.size() == 2);
  CHECK(got[1].message.id == "m-1");
  CHECK_FALSE(got[0].redelivered);
  CHECK(got[1].redelivered);
  CHECK(got[1].delivery_count == 2);
}

TEST_CASE("live RabbitMQ: clean-up deletes the run's queues and no other") {
  LiveQueue w;
  const std::string outsider = "idemlab.outsider." + w.run_id;
  AmqpConnection other(live_amqp(), 5 * sim::kSecond);
  other.connect(false);
  REQUIRE(other.declare(outsider, ports::QueueOptions{}).status == Status::kOk);
  auto body = [](ports::Queue& queue) -> sim::Task<void> {
    ports::QueueOptions durable;
    auto a = co_await queue.declare("a", durable);
    auto b = co_await queue.declare("b", durable);
    (void)a, (void)b;
  };
  w.run(body(w.queue));
  w.queue.delete_everything();
  // Subscribing to a deleted queue is refused (404), to the outsider not.
  CHECK(other.subscribe(w.prefix + "a", 1).status == Status::kError);
  other.connect(false);
  CHECK(other.subscribe(outsider, 1).status == Status::kOk);
  other.close();
  other.connect(false);
  CHECK(other.remove(outsider).status == Status::kOk);
  other.close();
}

TEST_CASE("an unreachable RabbitMQ is named with its URL, without the password") {
  std::string error;
  const auto endpoint = parse_endpoint("amqp://guest:s3cret@127.0.0.1:1/", "amqp", error);
  REQUIRE(endpoint.has_value());
  AmqpConnection connection(*endpoint, 1 * sim::kSecond);
  try {
    connection.connect(true);
    FAIL("connected to port 1");
  } catch (const Unreachable& e) {
    const std::string what = e.what();
    CHECK(what.rfind("RabbitMQ at amqp://guest:***@127.0.0.1:1/: ", 0) == 0);
    CHECK(what.find("s3cret") == std::string::npos);
  }
}

}  // namespace
}  // namespace idemlab::realmode
