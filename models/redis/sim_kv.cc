#include "models/redis/sim_kv.h"

#include "models/net/port_call.h"

namespace idemlab::models::redis {

using ports::Result;
using sim::Task;

// Each method names its command and handler before the co_await: g++ 12 may
// destroy class-type temporaries in a co_await expression twice.

Task<Result<std::optional<std::string>>> SimKv::get(std::string key) {
  std::function<Task<Result<std::optional<std::string>>>()> command = [server = &server_, key] { return server->get(key); };
  std::string op = call_name(client_, "redis GET ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<bool>> SimKv::set(std::string key, std::string value, ports::SetOptions options) {
  std::function<Task<Result<bool>>()> command = [server = &server_, key, value, options] { return server->set(key, value, options); };
  std::string op = call_name(client_, "redis SET ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<std::optional<std::string>>> SimKv::set_get(std::string key, std::string value, ports::SetOptions options) {
  std::function<Task<Result<std::optional<std::string>>>()> command = [server = &server_, key, value, options] {
    return server->set_get(key, value, options);
  };
  std::string op = call_name(client_, "redis SET GET ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<bool>> SimKv::del(std::string key) {
  std::function<Task<Result<bool>>()> command = [server = &server_, key] { return server->del(key); };
  std::string op = call_name(client_, "redis DEL ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<bool>> SimKv::expire(std::string key, sim::Duration ttl) {
  std::function<Task<Result<bool>>()> command = [server = &server_, key, ttl] { return server->expire(key, ttl); };
  std::string op = call_name(client_, "redis PEXPIRE ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<sim::Duration>> SimKv::ttl(std::string key) {
  std::function<Task<Result<sim::Duration>>()> command = [server = &server_, key] { return server->ttl(key); };
  std::string op = call_name(client_, "redis PTTL ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<bool>> SimKv::compare_and_delete(std::string key, std::string expected) {
  std::function<Task<Result<bool>>()> command = [server = &server_, key, expected] { return server->compare_and_delete(key, expected); };
  std::string op = call_name(client_, "redis EVALSHA release ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

Task<Result<bool>> SimKv::compare_and_set(std::string key, std::string expected, std::string value, sim::Duration ttl) {
  std::function<Task<Result<bool>>()> command = [server = &server_, key, expected, value, ttl] {
    return server->compare_and_set(key, expected, value, ttl);
  };
  std::string op = call_name(client_, "redis EVALSHA reclaim ", key);
  co_return co_await call_port(net_, client_, server_.node(), std::move(op), timeout_, std::move(command));
}

}  // namespace idemlab::models::redis
