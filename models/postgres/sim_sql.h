// The Sql port in the simulator: statements cross the network to an Engine.
// A SimTx is one connection with one transaction on it. When it is destroyed
// unfinished (the strategy dropped it, or its process crashed) or a statement
// timed out (the connection is in an unknown state, so the client closes it),
// the server learns of the lost connection one link latency later and rolls
// back.
#pragma once

#include <memory>

#include "models/postgres/engine.h"
#include "sim/network.h"
#include "strategies/ports/sql.h"

namespace idemlab::models::postgres {

class SimSql final : public ports::Sql {
 public:
  SimSql(sim::Network& net, sim::Node& client, Engine& engine, sim::Duration timeout)
      : net_(net), client_(client), engine_(engine), timeout_(timeout) {}

  sim::Task<ports::Result<ports::Unit>> ensure_schema(ports::Schema schema) override;
  sim::Task<ports::Result<std::unique_ptr<ports::Tx>>> begin(ports::Isolation isolation) override;

 private:
  sim::Network& net_;
  sim::Node& client_;
  Engine& engine_;
  sim::Duration timeout_;
};

class SimTx final : public ports::Tx {
 public:
  SimTx(sim::Network& net, sim::Node& client, Engine& engine, sim::Duration timeout, SessionId session)
      : net_(net), client_(client), engine_(engine), timeout_(timeout), session_(session) {}
  ~SimTx() override;

  sim::Task<ports::Result<ports::Row>> insert(std::string table, ports::Row row) override;
  sim::Task<ports::Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                                         ports::OnConflict on_conflict) override;
  sim::Task<ports::Result<std::vector<ports::Row>>> query(std::string table, ports::Query query) override;
  sim::Task<ports::Result<std::vector<ports::Row>>> update(std::string table, ports::Where where,
                                                           ports::Assignments set) override;
  sim::Task<ports::Result<std::int64_t>> remove(std::string table, ports::Where where) override;
  sim::Task<ports::Result<std::int64_t>> nextval(std::string sequence) override;
  sim::Task<ports::Result<ports::Unit>> commit() override;
  sim::Task<ports::Result<ports::Unit>> rollback() override;

 private:
  template <class T>
  sim::Task<ports::Result<T>> send(std::string what, std::function<sim::Task<ports::Result<T>>()> statement);
  void close_connection();

  sim::Network& net_;
  sim::Node& client_;
  Engine& engine_;
  sim::Duration timeout_;
  SessionId session_;
  bool finished_ = false;  // committed, rolled back, or connection closed
};

}  // namespace idemlab::models::postgres
