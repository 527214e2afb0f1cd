// What a scenario says about its world: the simulator's options, the links,
// each backend's model parameters, the service, the backends' timeouts, the
// clients. Both worlds read it (the simulated one builds its models from it;
// real mode takes the timeouts and the clients, and follows the processor's
// parameters).
#pragma once

#include "models/clients/client.h"
#include "models/postgres/engine.h"
#include "models/processor/processor.h"
#include "models/rabbitmq/broker.h"
#include "models/redis/server.h"
#include "models/service/service_node.h"
#include "sim/network.h"
#include "sim/simulator.h"

namespace idemlab::models {

struct WorldConfig {
  sim::SimulatorOptions simulator;
  sim::LinkConfig network;  // every link, unless changed through net().link()
  redis::RedisConfig redis;
  postgres::PgConfig postgres;
  rabbitmq::BrokerConfig rabbitmq;
  processor::ProcessorConfig processor;
  service::ServiceConfig service;
  // How long a service waits for each backend before it counts as a timeout.
  sim::Duration redis_timeout = 1 * sim::kSecond;
  sim::Duration postgres_timeout = 5 * sim::kSecond;
  sim::Duration rabbitmq_timeout = 5 * sim::kSecond;
  sim::Duration processor_timeout = 10 * sim::kSecond;
  int clients = 1;
  clients::ClientConfig client;
  // The port history the checker reads (models/port_history.h). `idemlab
  // serve`, which judges nothing and runs for as long as it is up, keeps
  // none, so that its memory does not grow with the requests served.
  bool record_ports = true;
};

}  // namespace idemlab::models
