#include "scenarios/load.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "scenarios/scenario_json.h"
#include "sim/strict_json.h"

namespace idemlab::scenarios {
namespace {

using models::clients::Backoff;

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& problem) {
  throw LoadError("--param " + name + "=" + sim::shown(value, 40) + ": " + problem);
}

sim::Duration duration_value(const std::string& name, const std::string& value) {
  const std::optional<sim::Duration> d = sim::parse_duration(value);
  if (!d || *d > kScriptDurationMax) bad(name, value, "not a duration such as 500ms, 2s or 24h");
  return *d;
}

std::int64_t integer_value(const std::string& name, const std::string& value, std::int64_t low, std::int64_t high) {
  const bool digits = !value.empty() && value.size() <= 12 && value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoll(value) < low || std::stoll(value) > high) {
    bad(name, value, "not a whole number from " + std::to_string(low) + " to " + std::to_string(high));
  }
  return std::stoll(value);
}

// 250 -> "0.25".
std::string milli_text(std::int64_t milli) {
  std::string frac = std::to_string(1000 + milli % 1000).substr(1);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return std::to_string(milli / 1000) + (frac.empty() ? "" : "." + frac);
}

// "0.25" -> 250 thousandths: a decimal with at most three places, exactly.
std::int64_t milli_value(const std::string& name, const std::string& value, std::int64_t low, std::int64_t high) {
  const std::size_t dot = value.find('.');
  const std::string whole = value.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : value.substr(dot + 1);
  const auto digits = [](const std::string& t) { return t.find_first_not_of("0123456789") == std::string::npos; };
  if (whole.empty() || whole.size() > 9 || !digits(whole) || frac.size() > 3 || !digits(frac) ||
      (dot != std::string::npos && frac.empty())) {
    bad(name, value, "not a decimal number with at most three places (0.25, 1.5, 2)");
  }
  std::int64_t milli = std::stoll(whole) * 1000;
  std::string padded = frac;
  padded.resize(3, '0');
  milli += std::stoll(padded);
  if (milli < low || milli > high) bad(name, value, "must be from " + milli_text(low) + " to " + milli_text(high));
  return milli;
}

// "full_jitter+budget+breaker": a backoff, then what is added to it. The
// preset is the whole policy: a budget or breaker the script had is kept
// only when named, with the script's settings (or the defaults).
void apply_retry(Scenario& s, const std::string& value) {
  models::clients::ClientConfig& c = s.world.client;
  models::clients::RetryPolicy& p = c.retry;
  const std::int64_t script_budget = p.budget_tokens_max;
  const models::clients::BreakerConfig script_breaker = c.breaker;
  const std::vector<std::string> parts = split_list(value, '+');
  const std::string& backoff = parts.front();
  p.budget_tokens_max = 0;
  c.breaker = {};
  if (backoff == "none") {
    p.backoff = Backoff::kNone;
  } else if (backoff == "immediate") {
    p.backoff = Backoff::kFixed;
    p.base = 0;
  } else if (backoff == "fixed") {
    p.backoff = Backoff::kFixed;
  } else if (backoff == "exponential") {
    p.backoff = Backoff::kExponential;
  } else if (backoff == "full_jitter") {
    p.backoff = Backoff::kFullJitter;
  } else if (backoff == "equal_jitter") {
    p.backoff = Backoff::kEqualJitter;
  } else if (backoff == "decorrelated_jitter") {
    p.backoff = Backoff::kDecorrelatedJitter;
  } else {
    bad("retry", value,
        "unknown backoff " + sim::shown(backoff, 30) +
            " (none, immediate, fixed, exponential, full_jitter, equal_jitter, decorrelated_jitter; then +budget, +breaker)");
  }
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i] == "budget") {
      p.budget_tokens_max = script_budget > 0 ? script_budget : 10;  // gRPC's default maxTokens
    } else if (parts[i] == "breaker") {
      c.breaker = script_breaker.failures_to_open > 0 ? script_breaker : models::clients::BreakerConfig{5, 5 * sim::kSecond, 1};
    } else {
      bad("retry", value, "unknown addition " + sim::shown(parts[i], 30) + " (+budget, +breaker)");
    }
  }
}

void apply(Scenario& s, const std::string& name, const std::string& value) {
  models::WorldConfig& w = s.world;
  models::clients::ClientConfig& c = w.client;
  if (name == "load") {
    if (!c.arrivals.open_loop()) {
      bad(name, value, "the script has no $.workload.arrivals to scale (an open-loop load; or use rate=)");
    }
    c.arrivals = c.arrivals.scaled(milli_value(name, value, 1, 1000000), 1000);
  } else if (name == "rate") {
    c.arrivals = models::clients::ArrivalProfile({{0, milli_value(name, value, 1, 1000000000)}});
  } else if (name == "retry") {
    apply_retry(s, value);
  } else if (name == "attempts") {
    c.retry.attempts_max = static_cast<int>(integer_value(name, value, 1, 1000));
  } else if (name == "timeout") {
    c.request_timeout = duration_value(name, value);
    if (c.request_timeout <= 0) bad(name, value, "must be positive");
  } else if (name == "give_up") {
    c.give_up_after = duration_value(name, value);
  } else if (name == "resend_after") {
    c.resend_after = duration_value(name, value);
  } else if (name == "ttl") {
    s.options.key_ttl = duration_value(name, value);
    if (s.options.key_ttl <= 0) bad(name, value, "must be positive");
  } else if (name == "lock_ttl") {
    s.options.lock_ttl = duration_value(name, value);
    if (s.options.lock_ttl <= 0) bad(name, value, "must be positive");
  } else if (name == "copies") {
    c.copies = static_cast<int>(integer_value(name, value, 1, 100));
  } else if (name == "clients") {
    w.clients = static_cast<int>(integer_value(name, value, 1, 10000));
  } else if (name == "intents") {
    c.intents = static_cast<int>(integer_value(name, value, 1, 100000));
  } else if (name == "workers") {
    w.service.workers = static_cast<std::size_t>(integer_value(name, value, 1, 10000));
  } else if (name == "queue") {
    w.service.queue_max = static_cast<std::size_t>(integer_value(name, value, 0, 1000000));
  } else if (name == "queue_timeout") {
    w.service.queue_timeout = duration_value(name, value);
    if (w.service.queue_timeout <= 0) bad(name, value, "must be positive");
  } else if (name == "shed") {
    if (value != "429" && value != "503") bad(name, value, "must be 429 or 503");
    w.service.shed_status = value == "429" ? 429 : 503;
  } else {
    assert(false && "parse_load_parameter lets known names only");
  }
  const std::uint64_t payments = static_cast<std::uint64_t>(w.clients) * static_cast<std::uint64_t>(c.intents);
  if (payments > kPaymentsMax) {
    bad(name, value, "makes " + std::to_string(payments) + " payments (clients x intents); a world holds at most " +
                         std::to_string(kPaymentsMax));
  }
}

}  // namespace

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    const std::size_t at = text.find(separator, from);
    parts.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return parts;
    from = at + 1;
  }
}

const std::vector<std::pair<std::string, std::string>>& load_parameter_help() {
  static const std::vector<std::pair<std::string, std::string>> help = {
      {"load", "a multiple of the script's arrival rates (0.25, 1, 2)"},
      {"rate", "a constant arrival rate, intents a second"},
      {"retry", "none, immediate, fixed, exponential, full_jitter, equal_jitter or decorrelated_jitter, then +budget, +breaker"},
      {"attempts", "attempts an intent at most, the first included"},
      {"timeout", "the client's request timeout"},
      {"give_up", "no attempt starts this long after an intent's first"},
      {"resend_after", "a client that gave up sends again this much later (0: never)"},
      {"ttl", "how long a completed key's answer is kept (strategy_options.key_ttl)"},
      {"lock_ttl", "how long an in-progress claim holds (strategy_options.lock_ttl)"},
      {"copies", "senders of every intent at once, same key and body"},
      {"clients", "client processes sharing the arrivals"},
      {"intents", "intents each client pays"},
      {"workers", "the service's workers"},
      {"queue", "requests waiting for a worker beyond those, at most"},
      {"queue_timeout", "a request waiting longer is shed"},
      {"shed", "what a shed request is answered: 429 or 503"},
  };
  return help;
}

LoadParameter parse_load_parameter(const std::string& text) {
  const std::size_t eq = text.find('=');
  LoadParameter p;
  p.name = text.substr(0, eq);
  const auto& help = load_parameter_help();
  const bool known = std::any_of(help.begin(), help.end(), [&](const auto& h) { return h.first == p.name; });
  if (eq == std::string::npos || !known) {
    std::string names;
    for (const auto& h : help) names += (names.empty() ? "" : ", ") + h.first;
    if (eq == std::string::npos) throw LoadError("--param " + sim::shown(text, 60) + ": not NAME=V1,V2,... (names: " + names + ")");
    throw LoadError("--param: unknown parameter " + sim::shown(p.name, 40) + " (known: " + names + ")");
  }
  const std::string list = text.substr(eq + 1);
  if (list.empty()) throw LoadError("--param " + p.name + "=: no values (an empty grid)");
  for (std::string& value : split_list(list, ',')) {
    if (value.empty()) throw LoadError("--param " + sim::shown(text, 60) + ": an empty value");
    if (std::find(p.values.begin(), p.values.end(), value) != p.values.end()) {
      throw LoadError("--param " + sim::shown(text, 60) + ": " + sim::shown(value, 40) + " listed twice");
    }
    p.values.push_back(std::move(value));
  }
  return p;
}

std::vector<LoadPoint> load_grid(const std::vector<LoadParameter>& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (parameters[i].name == parameters[j].name) throw LoadError("--param " + parameters[i].name + " given twice");
    }
    if (parameters[i].values.empty()) throw LoadError("--param " + parameters[i].name + ": no values (an empty grid)");
  }
  std::uint64_t points = 1;
  for (const LoadParameter& p : parameters) {
    points *= p.values.size();
    if (points > kLoadPointsMax) {
      throw LoadError("--param: the grid has more than " + std::to_string(kLoadPointsMax) +
                      " points (the product of the values' counts); split it into several runs");
    }
  }
  std::vector<LoadPoint> grid(1);
  for (const LoadParameter& p : parameters) {
    std::vector<LoadPoint> next;
    for (const LoadPoint& point : grid) {
      for (const std::string& value : p.values) {
        LoadPoint extended = point;
        extended.emplace_back(p.name, value);
        next.push_back(std::move(extended));
      }
    }
    grid = std::move(next);
  }
  return grid;
}

std::string point_label(const LoadPoint& point) {
  std::string out;
  for (const auto& [name, value] : point) out += (out.empty() ? "" : " ") + name + "=" + value;
  return out.empty() ? "-" : out;
}

Scenario at_point(const Scenario& base, const LoadPoint& point) {
  Scenario s = base;
  for (const auto& [name, value] : point) apply(s, name, value);
  return s;
}

double LoadResult::success_rate() const {
  return intents == 0 ? 0 : static_cast<double>(succeeded) / static_cast<double>(intents);
}

double LoadResult::offered_per_s() const {
  return window <= 0 ? 0 : static_cast<double>(intents) * 1e9 / static_cast<double>(window);
}

double LoadResult::goodput_per_s() const {
  return window <= 0 ? 0 : static_cast<double>(succeeded) * 1e9 / static_cast<double>(window);
}

double LoadResult::attempts_per_intent() const {
  return intents == 0 ? 0 : static_cast<double>(attempts) / static_cast<double>(intents);
}

namespace {

sim::Duration nearest_rank(const std::vector<sim::Duration>& sorted, double q) {
  assert(q > 0 && q <= 1);
  if (sorted.empty()) return 0;
  assert(std::is_sorted(sorted.begin(), sorted.end()));
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

}  // namespace

sim::Duration LoadResult::latency(double q) const { return nearest_rank(latencies, q); }
sim::Duration LoadResult::completion(double q) const { return nearest_rank(completions, q); }
sim::Duration LoadResult::charge_delay(double q) const { return nearest_rank(charge_delays, q); }

double LoadResult::charged_rate() const {
  return intents == 0 ? 0 : static_cast<double>(charged) / static_cast<double>(intents);
}

void add_run(LoadResult& into, const Scenario& scenario, const RunReport& report) {
  ++into.runs;
  if (report.outcome != RunOutcome::kJudged) ++into.unjudged;
  into.attempts += report.attempts;
  into.shed += report.shed;
  into.short_circuited += report.short_circuited;
  into.charges += report.charges;
  into.storage.take_max(report.storage);
  for (const auto& [backend, calls] : report.backend_calls) into.backend_calls[backend] += calls;
  for (const checks::Violation& v : report.violations) {
    // Once per run and invariant.
    bool seen = false;
    for (const checks::Violation& before : report.violations) {
      if (&before == &v) break;
      seen = seen || before.invariant == v.invariant;
    }
    if (!seen) ++into.violated[v.invariant];
  }
  sim::Time first = sim::kTimeNever;
  sim::Time last = 0;
  const auto count_in = [&into](std::vector<std::uint64_t>& series, sim::Time at) {
    const auto b = static_cast<std::size_t>(at / into.bucket);
    if (b >= kTimelineBucketsMax) return;  // past the timeline's end
    if (series.size() <= b) series.resize(b + 1, 0);
    ++series[b];
  };
  for (const checks::IntentTiming& t : report.timings) {
    ++into.intents;
    if (t.arrived_at < 0) continue;  // never arrived (the arrivals' rate fell to zero)
    first = std::min(first, t.arrived_at);
    last = std::max(last, t.arrived_at);
    count_in(into.arrivals, t.arrived_at);
    into.completions.push_back(t.settled_at - t.arrived_at);
    if (t.charged_at >= 0) {
      ++into.charged;
      into.charge_delays.push_back(t.charged_at - t.arrived_at);
    }
    if (t.succeeded_at < 0) continue;
    ++into.succeeded;
    into.latencies.push_back(t.succeeded_at - t.arrived_at);
    count_in(into.successes, t.succeeded_at);
  }
  if (first < last) into.window += last - first;
  const auto& episodes = scenario.world.processor.episodes;
  if (!episodes.empty()) into.trigger = std::make_pair(episodes.front().from, episodes.back().until);
}

void merge_into(LoadResult& into, const LoadResult& other) {
  assert(into.strategy == other.strategy && into.point == other.point && into.bucket == other.bucket);
  into.runs += other.runs;
  into.unjudged += other.unjudged;
  into.intents += other.intents;
  into.succeeded += other.succeeded;
  into.charged += other.charged;
  into.attempts += other.attempts;
  into.shed += other.shed;
  into.short_circuited += other.short_circuited;
  into.charges += other.charges;
  into.window += other.window;
  into.latencies.insert(into.latencies.end(), other.latencies.begin(), other.latencies.end());
  into.completions.insert(into.completions.end(), other.completions.begin(), other.completions.end());
  into.charge_delays.insert(into.charge_delays.end(), other.charge_delays.begin(), other.charge_delays.end());
  for (const auto& [invariant, runs] : other.violated) into.violated[invariant] += runs;
  into.storage.take_max(other.storage);
  for (const auto& [backend, calls] : other.backend_calls) into.backend_calls[backend] += calls;
  const auto add_series = [](std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from) {
    if (to.size() < from.size()) to.resize(from.size(), 0);
    for (std::size_t b = 0; b < from.size(); ++b) to[b] += from[b];
  };
  add_series(into.arrivals, other.arrivals);
  add_series(into.successes, other.successes);
  if (!into.trigger) into.trigger = other.trigger;
}

void finish(LoadResult& result) {
  std::sort(result.latencies.begin(), result.latencies.end());
  std::sort(result.completions.begin(), result.completions.end());
  std::sort(result.charge_delays.begin(), result.charge_delays.end());
  result.successes.resize(std::max(result.successes.size(), result.arrivals.size()), 0);
  result.arrivals.resize(result.successes.size(), 0);
  if (result.trigger) {
    result.recovered_after = recovery_after(result.arrivals, result.successes, result.bucket, result.trigger->second);
  }
}

std::optional<sim::Duration> recovery_after(const std::vector<std::uint64_t>& arrivals,
                                            const std::vector<std::uint64_t>& successes, sim::Duration bucket,
                                            sim::Time trigger_end) {
  assert(arrivals.size() == successes.size() && bucket > 0);
  const auto healthy = [&](std::size_t b) { return arrivals[b] > 0 && successes[b] * 10 >= arrivals[b] * 9; };
  for (auto b = static_cast<std::size_t>(trigger_end / bucket); b + kRecoveryBuckets <= arrivals.size(); ++b) {
    std::size_t k = 0;
    while (k < kRecoveryBuckets && healthy(b + k)) ++k;
    if (k == kRecoveryBuckets) return std::max<sim::Duration>(0, static_cast<sim::Time>(b) * bucket - trigger_end);
  }
  return std::nullopt;
}

}  // namespace idemlab::scenarios
