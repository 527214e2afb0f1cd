// What a process reads from the world, folded into its position when the
// simulator keeps positions (state hashing, sim/simulator.h): the result of
// every port call, every API response, every delivery. A coroutine's local
// state is a function of how it began and of what it read, so this is what
// makes equal positions mean equal processes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/hash.h"
#include "sim/simulator.h"
#include "sim/state_writer.h"
#include "strategies/api.h"
#include "strategies/ports/processor.h"
#include "strategies/ports/queue.h"
#include "strategies/ports/result.h"
#include "strategies/ports/sql.h"

namespace idemlab::models {

inline std::uint64_t value_hash(const std::string& s) { return sim::fnv1a(s); }
inline std::uint64_t value_hash(bool b) { return b ? 1 : 2; }
inline std::uint64_t value_hash(std::int64_t v) { return static_cast<std::uint64_t>(v); }
inline std::uint64_t value_hash(std::uint64_t v) { return v; }
inline std::uint64_t value_hash(int v) { return static_cast<std::uint64_t>(static_cast<std::int64_t>(v)); }
inline std::uint64_t value_hash(const ports::Unit&) { return 3; }
inline std::uint64_t value_hash(const ports::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return sim::mix_hash(1, static_cast<std::uint64_t>(*i));
  if (const auto* s = std::get_if<std::string>(&v)) return sim::mix_hash(2, sim::fnv1a(*s));
  return 0;  // NULL
}
inline std::uint64_t value_hash(const ports::Row& row) {
  std::uint64_t h = row.size();
  for (const auto& [column, value] : row) h = sim::mix_hash(sim::mix_hash(h, sim::fnv1a(column)), value_hash(value));
  return h;
}
inline std::uint64_t value_hash(const ports::Charge& c) {
  std::uint64_t h = sim::mix_hash(sim::fnv1a(c.charge_id), value_hash(c.succeeded));
  return sim::mix_hash(sim::mix_hash(h, sim::fnv1a(c.decline_reason)), value_hash(c.replayed));
}
inline std::uint64_t value_hash(const ports::Refund& r) {
  return sim::mix_hash(sim::fnv1a(r.refund_id), value_hash(r.replayed));
}
inline std::uint64_t value_hash(const ports::ChargeLookup& l) {
  return sim::mix_hash(static_cast<std::uint64_t>(l.state), sim::fnv1a(l.charge_id));
}
inline std::uint64_t value_hash(const ports::Delivery& d) {
  std::uint64_t h = sim::mix_hash(d.tag, sim::fnv1a(d.message.id));
  for (const auto& [name, value] : d.message.headers) h = sim::mix_hash(sim::mix_hash(h, sim::fnv1a(name)), sim::fnv1a(value));
  h = sim::mix_hash(h, sim::fnv1a(d.message.body));
  h = sim::mix_hash(h, value_hash(d.message.persistent));
  return sim::mix_hash(sim::mix_hash(h, value_hash(d.redelivered)), static_cast<std::uint64_t>(d.delivery_count));
}
inline std::uint64_t value_hash(const api::Response& r) {
  return sim::mix_hash(sim::mix_hash(static_cast<std::uint64_t>(r.status), sim::fnv1a(r.body)), value_hash(r.replayed));
}

template <class T>
std::uint64_t value_hash(const std::optional<T>& v);
template <class T>
std::uint64_t value_hash(const std::vector<T>& v);
template <class T>
std::uint64_t value_hash(const std::unique_ptr<T>& v);
template <class T>
std::uint64_t value_hash(const ports::Result<T>& r);

template <class T>
std::uint64_t value_hash(const std::optional<T>& v) {
  return v ? sim::mix_hash(1, value_hash(*v)) : 0;
}
template <class T>
std::uint64_t value_hash(const std::vector<T>& v) {
  std::uint64_t h = v.size();
  for (const T& item : v) h = sim::mix_hash(h, value_hash(item));
  return h;
}
// A transaction or a consumer handle: whether there is one. What it stands
// for (a session, a subscription) came as the value of an earlier call.
template <class T>
std::uint64_t value_hash(const std::unique_ptr<T>& v) {
  return v != nullptr ? 1 : 0;
}
template <class T>
std::uint64_t value_hash(const ports::Result<T>& r) {
  std::uint64_t h = sim::mix_hash(static_cast<std::uint64_t>(r.status()), sim::fnv1a(r.message()));
  return r.is_ok() ? sim::mix_hash(h, value_hash(r.value())) : h;
}

// Folds what the running process read into its position (when kept).
template <class T>
void observe(sim::Simulator& sim, const T& value) {
  if (sim.tracks_positions()) sim.observe(value_hash(value));
}

}  // namespace idemlab::models
