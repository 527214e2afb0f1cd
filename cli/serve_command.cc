// `idemlab serve --strategy NAME|all --port P`: the strategies as live
// payments APIs over HTTP on 127.0.0.1 (serve/http_api.h lists the routes),
// each running its code on the live Redis, PostgreSQL and RabbitMQ, with the
// processor's ledger live, under a run id of its own. SIGTERM or Ctrl-C stops
// it cleanly: it stops accepting, answers every request already read, lets
// the strategies' workers finish what was accepted (--drain), then removes
// what its runs made. A second signal ends it at once (the lease then lets
// `idemlab clean --real` remove the leftovers). Exit codes: 0 stopped
// cleanly, 2 bad usage or a port that cannot be bound, 3 a server that does
// not answer or a strategy whose setup fails.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/seed_option.h"
#include "cli/server_options.h"
#include "cli/strategy_choice.h"
#include "serve/http_api.h"
#include "sim/strict_json.h"
#include "sim/time.h"

namespace idemlab::cli {
namespace {

struct ServeFlags {
  std::vector<std::string> strategies;
  int port = 8080;
  std::size_t workers = serve::ServeOptions{}.workers;
  std::size_t queue = 1024;
  std::size_t http_threads = 128;
  std::size_t body_max = 64 * 1024;
  std::string read_timeout = "5s";
  std::string drain = "10s";
  std::string processing = "150ms";
  std::string key_ttl = "24h";
  std::string lock_ttl = "30s";
  std::uint64_t seed = 1;
  std::string ledger;  // written at stop, before the runs' data goes
  ServerFlags servers;
};

sim::Duration duration_flag(const std::string& flag, const std::string& text, sim::Duration low, sim::Duration high) {
  const std::optional<sim::Duration> d = sim::parse_duration(text);
  if (!d || *d < low || *d > high) {
    throw UsageError(flag + ": must be a duration from " + sim::duration_text(low) + " to " + sim::duration_text(high) +
                     ", not " + sim::shown(text, 40));
  }
  return *d;
}

// Signals are taken by a thread of their own (sigwait), not by a handler,
// so that stopping the HTTP server, which needs locks, happens outside one.
class SignalWatch {
 public:
  SignalWatch() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    // Before any thread starts: they inherit the mask.
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a client gone mid-answer is an error return, not a kill
    thread_ = std::thread([this] { watch(); });
  }
  ~SignalWatch() {
    finished_ = true;
    thread_.join();
  }
  bool requested() const { return requested_.load(); }
  // Called again and again once a signal came, until finished: a stop
  // asked for before the server listens takes effect once it does.
  void on_stop(std::function<void()> stop) {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = std::move(stop);
  }

 private:
  void watch() {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!finished_) {
      const int got = sigtimedwait(&set_, nullptr, &tick);
      if (got > 0) {
        if (requested_) {
          std::fputs("idemlab serve: second signal: stopping at once\n", stderr);
          std::_Exit(130);
        }
        requested_ = true;
        std::fputs("idemlab serve: stopping: answering the requests in flight\n", stderr);
      }
      if (requested_) {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (stop_) stop_();
      }
    }
  }

  sigset_t set_;
  std::atomic<bool> requested_{false};
  std::atomic<bool> finished_{false};
  std::mutex mutex_;
  std::function<void()> stop_;
  std::thread thread_;
};

// Every strategy's ledger as it stands, as JSON: what was charged, for
// whoever checks afterwards that no request answered 2xx was lost.
void write_ledger(const std::string& path, std::vector<std::unique_ptr<serve::ServedStrategy>>& served) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : served) {
    for (const serve::LedgerLine& l : s->ledger()) {
      out.push_back({{"strategy", s->name()}, {"id", l.id}, {"intent", l.intent}, {"amount", l.amount}});
    }
  }
  write_file_atomically(path, out.dump(1) + "\n");
}

int serve(const ServeFlags& f) {
  if (f.strategies.empty()) throw UsageError("--strategy: required: a strategy's name, or all");
  std::vector<const strategies::StrategyInfo*> chosen;
  for (const std::string& name : f.strategies) {
    if (name == "all") {
      for (const strategies::StrategyInfo& info : strategies::all_strategies()) chosen.push_back(&info);
    } else {
      chosen.push_back(&strategy_named(name));
    }
  }
  if (f.port < 0 || f.port > 65535) throw UsageError("--port: must be from 0 (any free port) to 65535");
  constexpr std::size_t kWorkersMax = serve::kSqlPool - serve::kSqlPoolForWorkers;
  if (f.workers < 1 || f.workers > kWorkersMax) {
    throw UsageError("--workers: must be from 1 to " + std::to_string(kWorkersMax) +
                     " (each holds a PostgreSQL transaction, from a pool of " + std::to_string(serve::kSqlPool) +
                     " shared with the background workers)");
  }
  if (f.queue > 1000000) throw UsageError("--queue: must be at most 1000000");
  if (f.http_threads < 1 || f.http_threads > 4096) throw UsageError("--http-threads: must be from 1 to 4096");
  if (f.body_max < 64 || f.body_max > 64 * 1024 * 1024) throw UsageError("--body-max: must be from 64 to 67108864 bytes");
  serve::ServeOptions options;
  options.workers = f.workers;
  options.queue = f.queue;
  options.seed = f.seed;
  options.processing_median = duration_flag("--processing", f.processing, 0, 60 * sim::kSecond);
  options.strategy.key_ttl = duration_flag("--key-ttl", f.key_ttl, sim::kSecond, 365LL * 24 * 3600 * sim::kSecond);
  options.strategy.lock_ttl = duration_flag("--lock-ttl", f.lock_ttl, sim::kMillisecond, 24 * 3600 * sim::kSecond);
  serve::HttpOptions http;
  http.port = f.port;
  http.threads = f.http_threads;
  http.body_max = f.body_max;
  http.read_timeout = duration_flag("--read-timeout", f.read_timeout, sim::kMillisecond, 600 * sim::kSecond);
  const sim::Duration drain = duration_flag("--drain", f.drain, 0, 3600 * sim::kSecond);
  if (!f.ledger.empty()) check_output("--ledger", f.ledger);
  const realmode::Servers servers = resolve_servers(f.servers);

  // Declared before the signal thread, so that it goes after it: the
  // thread calls api->stop() until it is joined, however serve() ends.
  std::unique_ptr<serve::HttpApi> api;
  SignalWatch signals;
  std::vector<std::unique_ptr<serve::ServedStrategy>> served;
  for (const strategies::StrategyInfo* info : chosen) {
    served.push_back(std::make_unique<serve::ServedStrategy>(*info, servers, options));
    if (signals.requested()) return 130;
  }
  try {
    api = std::make_unique<serve::HttpApi>(served, http);
  } catch (const serve::PortUnavailable& e) {
    throw UsageError(std::string("--port: ") + e.what());
  }
  signals.on_stop([&api] { api->stop(); });  // cleared below, once the server has stopped
  for (const auto& s : served) {
    std::printf("serving %s at http://127.0.0.1:%d/%s/payments (run %s)\n", s->name().c_str(), api->port(),
                s->name().c_str(), s->run_id().c_str());
  }
  if (served.size() == 1) std::printf("serving %s at http://127.0.0.1:%d/payments\n", served[0]->name().c_str(), api->port());
  std::printf("ready on port %d\n", api->port());
  std::fflush(stdout);
  api->serve();
  signals.on_stop({});
  bool drained = true;
  for (const auto& s : served) {
    if (!s->drain(drain)) {
      drained = false;
      std::fprintf(stderr, "idemlab serve: %s: work still in flight after --drain %s; removed with the run\n",
                   s->name().c_str(), sim::duration_text(drain).c_str());
    }
  }
  if (!f.ledger.empty()) write_ledger(f.ledger, served);
  served.clear();  // each removes what its run made
  std::printf("stopped%s; the runs' data removed\n", drained ? ", every accepted request finished" : "");
  return 0;
}

}  // namespace

void register_serve(CLI::App& app, Commands& commands) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve strategies as live payments APIs over HTTP on 127.0.0.1");
  cmd->add_option("--strategy", flags->strategies,
                  "A strategy to serve (repeatable), or all (each holds about 14 PostgreSQL connections)");
  cmd->add_option("--port", flags->port, "The TCP port on 127.0.0.1 (0: any free port, printed)")->capture_default_str();
  cmd->add_option("--workers", flags->workers, "Requests each strategy handles at once")->capture_default_str();
  cmd->add_option("--queue", flags->queue, "Requests waiting for a worker; more are shed with 503")->capture_default_str();
  cmd->add_option("--http-threads", flags->http_threads, "Connections served at once")->capture_default_str();
  cmd->add_option("--body-max", flags->body_max, "The largest request body, in bytes (413 above)")->capture_default_str();
  cmd->add_option("--read-timeout", flags->read_timeout, "How long a request's body may take to arrive (408 after)")
      ->capture_default_str();
  cmd->add_option("--drain", flags->drain, "On SIGTERM, how long accepted work may take to finish")->capture_default_str();
  cmd->add_option("--processing", flags->processing, "The processor's median charge time (log-normal)")
      ->capture_default_str();
  cmd->add_option("--key-ttl", flags->key_ttl, "How long a completed key's response is kept")->capture_default_str();
  cmd->add_option("--lock-ttl", flags->lock_ttl, "How long an in-progress claim holds")->capture_default_str();
  cmd->add_option("--ledger", flags->ledger, "At stop, write every strategy's ledger to this JSON file");
  add_seed_option(*cmd, "--seed", flags->seed, "The processor's draws (processing times, declines)");
  add_server_options(*cmd, flags->servers);
  cmd->callback([flags, &commands] { commands.selected = [flags] { return serve(*flags); }; });
}

}  // namespace idemlab::cli
