#include "serve/http_api.h"

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "serve/admin_fault.h"
#include "serve/connection.h"
#include "serve/demo_page.h"

namespace idemlab::serve {
namespace {

using nlohmann::json;

void json_answer(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void error_answer(httplib::Response& res, int status, const std::string& message) {
  json_answer(res, status, json{{"error", message}}.dump());
}

bool from_loopback(const httplib::Request& req) {
  return req.remote_addr == "127.0.0.1" || req.remote_addr == "::1" || req.remote_addr == "::ffff:127.0.0.1";
}

// The body of a POST, read here rather than by httplib so that a client that
// stops sending is told 408 (httplib would say 400) and an oversized body
// 413, whether or not it declared its length.
enum class BodyRead : std::uint8_t { kWhole, kTooLarge, kStalled };

BodyRead read_body(const httplib::Request& req, const httplib::ContentReader& reader, std::size_t body_max,
                   std::string& body) {
  if (req.has_header("Content-Length")) {
    // httplib has read it as a number already; over 18 digits is over any limit.
    const std::string declared = req.get_header_value("Content-Length");
    if (declared.size() > 18 || std::strtoull(declared.c_str(), nullptr, 10) > body_max) return BodyRead::kTooLarge;
  }
  bool too_large = false;
  const bool read = reader([&](const char* data, std::size_t length) {
    if (body.size() + length > body_max) {
      too_large = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  if (too_large) return BodyRead::kTooLarge;
  if (!read) return BodyRead::kStalled;
  return BodyRead::kWhole;
}

}  // namespace

HttpApi::HttpApi(std::vector<std::unique_ptr<ServedStrategy>>& strategies, const HttpOptions& options)
    : strategies_(strategies), options_(options), server_(std::make_unique<httplib::Server>()) {
  const std::size_t threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_read_timeout(std::chrono::nanoseconds(options_.read_timeout));
  server_->set_write_timeout(std::chrono::seconds(5));
  server_->set_tcp_nodelay(true);  // an answer is two writes: without it, a delayed ACK holds the second 40 ms
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(5);
  // Declared lengths are checked by read_body; this only bounds what
  // httplib reads before it (chunked bodies are counted as they come).
  server_->set_payload_max_length(options_.body_max + 1);
  routes();
  // httplib's own refusals come with an empty body: say what they mean.
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* why = res.status == 400   ? "the request line or headers could not be read: malformed, or not all "
                                            "sent within the read timeout"
                      : res.status == 404 ? "no such route"
                      : res.status == 413 ? "the body is over the limit"
                      : res.status == 414 ? "the URI is over 8 KiB"
                                          : "the request could not be served";
    error_answer(res, res.status, why);
  });
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw PortUnavailable("127.0.0.1: no free port to bind");
  } else {
    if (!server_->bind_to_port("127.0.0.1", options_.port)) {
      throw PortUnavailable("127.0.0.1:" + std::to_string(options_.port) + ": cannot bind (in use, or not allowed)");
    }
    port_ = options_.port;
  }
}

HttpApi::~HttpApi() = default;

void HttpApi::serve() { server_->listen_after_bind(); }

void HttpApi::stop() { server_->stop(); }

ServedStrategy* HttpApi::strategy_named(const std::string& name) {
  for (auto& s : strategies_) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

void HttpApi::routes() {
  // One request to a strategy, answered as the strategy answered it, or not
  // at all when its API crashed under it or its reply is lost.
  auto payment = [this](ServedStrategy& strategy, const std::string& path, const httplib::Request& req,
                        httplib::Response& res, std::string body) {
    api::Request request;
    request.method = req.method;
    request.path = path;
    if (req.has_header("Idempotency-Key")) {
      request.idempotency_key = req.get_header_value("Idempotency-Key");
    } else if (req.method == "GET") {
      request.idempotency_key = path.substr(std::string("/payments/").size());  // GET /payments/{key}
    }
    if (req.method == "GET" && !strategy.answers_lookups()) {
      res.set_header("Allow", "POST");
      return error_answer(res, 405, strategy.name() + " answers every payment at once: POST it again with the same "
                                    "Idempotency-Key to read its outcome");
    }
    request.body = std::move(body);
    request.origin = req.has_header("X-Intent") ? req.get_header_value("X-Intent") : request.idempotency_key.value_or("");
    metrics_.in_flight(1);
    const auto start = std::chrono::steady_clock::now();
    std::future<Answer> future = strategy.submit(std::move(request));
    if (future.wait_for(std::chrono::nanoseconds(options_.answer_timeout)) != std::future_status::ready) {
      metrics_.in_flight(-1);
      error_answer(res, 504, "the strategy did not answer within " + sim::duration_text(options_.answer_timeout));
      return;
    }
    const Answer answer = future.get();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.in_flight(-1);
    if (answer.kind != Answer::Kind::kReply) {
      const int fd = connection_socket(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
      if (answer.kind == Answer::Kind::kLost) {
        metrics_.unanswered(strategy.name(), "crash");
        close_unanswered(fd);
      } else {
        metrics_.unanswered(strategy.name(), "drop_reply");
        hold_unanswered(fd, options_.hold_dropped);
      }
      res.status = 500;  // never reaches the client: its connection is closed
      res.set_header("Connection", "close");
      return;
    }
    metrics_.answered(strategy.name(), req.method, answer.response.status, answer.response.replayed, seconds);
    json_answer(res, answer.response.status, answer.response.body);
    if (answer.response.replayed) res.set_header("Idempotency-Replayed", "true");
    if (answer.response.retry_after_s >= 0) res.set_header("Retry-After", std::to_string(answer.response.retry_after_s));
  };
  auto post = [this, payment](ServedStrategy* strategy, const std::string& path, const httplib::Request& req,
                              httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    switch (read_body(req, reader, options_.body_max, body)) {
      case BodyRead::kTooLarge:
        res.set_header("Connection", "close");
        return error_answer(res, 413, "the body is over " + std::to_string(options_.body_max) + " bytes");
      case BodyRead::kStalled:
        res.set_header("Connection", "close");
        return error_answer(res, 408, "the body did not arrive within the read timeout");
      case BodyRead::kWhole: break;
    }
    if (strategy == nullptr) {
      return error_answer(res, 404, "several strategies are served: POST /NAME/payments");
    }
    payment(*strategy, path, req, res, std::move(body));
  };
  ServedStrategy* only = strategies_.size() == 1 ? strategies_.front().get() : nullptr;

  server_->Post("/payments", [post, only](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& reader) {
    post(only, "/payments", req, res, reader);
  });
  server_->Post(R"(/([a-z0-9_]+)/payments)", [this, post](const httplib::Request& req, httplib::Response& res,
                                                           const httplib::ContentReader& reader) {
    ServedStrategy* strategy = strategy_named(req.matches[1]);
    if (strategy == nullptr) {
      std::string drained;
      read_body(req, reader, options_.body_max, drained);
      return error_answer(res, 404, "no strategy " + std::string(req.matches[1]) + " is served");
    }
    post(strategy, "/payments", req, res, reader);
  });
  server_->Get(R"(/payments/([^/]+))", [payment, only](const httplib::Request& req, httplib::Response& res) {
    if (only == nullptr) return error_answer(res, 404, "several strategies are served: GET /NAME/payments/ID");
    payment(*only, "/payments/" + std::string(req.matches[1]), req, res, "");
  });
  server_->Get(R"(/([a-z0-9_]+)/payments/([^/]+))", [this, payment](const httplib::Request& req,
                                                                       httplib::Response& res) {
    ServedStrategy* strategy = strategy_named(req.matches[1]);
    if (strategy == nullptr) return error_answer(res, 404, "no strategy " + std::string(req.matches[1]) + " is served");
    payment(*strategy, "/payments/" + std::string(req.matches[2]), req, res, "");
  });

  server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", demo_page_policy());
    res.set_header("Cache-Control", "no-store");
    res.set_content(demo_page_html(), "text/html; charset=utf-8");
  });
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    json strategies = json::array();
    bool all_up = true;
    for (auto& s : strategies_) {
      strategies.push_back({{"name", s->name()}, {"up", s->up()}, {"run", s->run_id()}});
      all_up = all_up && s->up();
    }
    json_answer(res, all_up ? 200 : 503, json{{"status", all_up ? "ok" : "down"}, {"strategies", strategies}}.dump());
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::vector<std::pair<std::string, bool>> up;
    for (auto& s : strategies_) up.emplace_back(s->name(), s->up());
    res.set_content(metrics_.text(up), "text/plain; version=0.0.4");
  });

  server_->Post("/admin/faults", [this](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) {
    std::string body;
    if (read_body(req, reader, options_.body_max, body) != BodyRead::kWhole) {
      return error_answer(res, 400, "the body did not arrive whole");
    }
    if (!from_loopback(req)) return error_answer(res, 403, "the admin endpoint answers loopback only");
    const ParsedAdminFault parsed = parse_admin_fault(body, strategies_.size() == 1 ? strategies_.front()->name() : "");
    if (!parsed.error.empty()) return error_answer(res, 400, parsed.error);
    ServedStrategy* strategy = strategy_named(parsed.strategy);
    if (strategy == nullptr) return error_answer(res, 400, "$.strategy: no strategy " + parsed.strategy + " is served");
    strategy->arm(parsed.fault);
    metrics_.fault_armed(strategy->name(), parsed.name);
    json_answer(res, 200, json{{"armed", parsed.name}, {"strategy", strategy->name()}}.dump());
  });
  server_->Get("/admin/ledger", [this](const httplib::Request& req, httplib::Response& res) {
    if (!from_loopback(req)) return error_answer(res, 403, "the admin endpoint answers loopback only");
    std::string name = req.has_param("strategy") ? req.get_param_value("strategy") : "";
    if (name.empty() && strategies_.size() == 1) name = strategies_.front()->name();
    ServedStrategy* strategy = strategy_named(name);
    if (strategy == nullptr) return error_answer(res, 400, "strategy=" + name + ": no such strategy is served");
    json lines = json::array();
    for (const LedgerLine& l : strategy->ledger()) {
      lines.push_back({{"id", l.id}, {"intent", l.intent}, {"amount", l.amount}});
    }
    json_answer(res, 200, lines.dump());
  });
}

}  // namespace idemlab::serve
