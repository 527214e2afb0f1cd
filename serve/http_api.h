// `idemlab serve`'s HTTP surface (cpp-httplib), on loopback only:
//   POST /payments, GET /payments/{key}    the strategy served (when one is); GET reads the outcome
//                                          of a payment answered 202, from the strategies that answer so
//                                          (405 from the others)
//   POST /NAME/payments, GET /NAME/payments/{key}  each strategy served, by name
//   GET  /                                 the demo page (serve/demo_page.h)
//   GET  /health                           200 while every API is up, else 503
//   GET  /metrics                          Prometheus text (serve/metrics.h)
//   POST /admin/faults                     arm a fault: {"fault": "crash_after_charge" | "drop_reply" |
//                                          "slow_processor", "strategy"?, "count"?, "for"?, "slowdown"?, "errors"?}
//   GET  /admin/ledger[?strategy=NAME]     the processor's ledger: [{"id", "intent", "amount"}]
// The answers httplib gives before a handler runs are the documented ones
// too: 400 for a request line or headers it cannot parse, 413 for a body
// over the limit, 414 for a URI over 8 KiB; a client that stops sending
// mid-request gets 408 once the read timeout passes (serve/http_api.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "serve/metrics.h"
#include "serve/served_strategy.h"

namespace httplib {
class Server;
}

namespace idemlab::serve {

struct HttpOptions {
  int port = 8080;                 // 0: any free port
  std::size_t threads = 128;       // connections served at once (each holds a thread while open)
  std::size_t body_max = 64 * 1024;
  sim::Duration read_timeout = 5 * sim::kSecond;      // a slower client gets 408
  sim::Duration answer_timeout = 60 * sim::kSecond;   // the strategy's answer; later, 504
  sim::Duration hold_dropped = 30 * sim::kSecond;     // a lost reply holds the connection at most this long
};

// The port could not be bound: in use, or not allowed.
class PortUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpApi {
 public:
  // Binds 127.0.0.1:options.port. Throws PortUnavailable.
  HttpApi(std::vector<std::unique_ptr<ServedStrategy>>& strategies, const HttpOptions& options);
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  int port() const { return port_; }
  // Serves until stop(); returns once every request read has been answered.
  void serve();
  // Thread-safe: stops accepting; serve() returns when the requests in
  // flight are answered.
  void stop();

 private:
  void routes();
  ServedStrategy* strategy_named(const std::string& name);

  std::vector<std::unique_ptr<ServedStrategy>>& strategies_;
  HttpOptions options_;
  Metrics metrics_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace idemlab::serve
