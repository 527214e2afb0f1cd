// The HTTP surface of the payments API that every strategy implements:
//   POST /payments          Idempotency-Key header, body {amount, currency, customer_id, description?}
//   GET  /payments/{key}    the outcome of an asynchronous payment (202 strategies)
// Requests and responses are values; the transport (simulated network, or
// real mode's driver) carries them.
#pragma once

#include <optional>
#include <string>

namespace idemlab::api {

struct Request {
  std::string method = "POST";
  std::string path = "/payments";
  std::optional<std::string> idempotency_key;
  std::string body;  // JSON as the client wrote it
  // Trace context (a traceparent/baggage header): which client intent this
  // request comes from. Strategies forward it to the processor as charge
  // metadata, so that the checker can attribute the ledger to intents; no
  // strategy decides anything from it.
  std::string origin;
};

struct Response {
  int status = 0;
  std::string body;
  bool replayed = false;  // the Idempotency-Replayed header: answered from a stored response
  int retry_after_s = -1;  // the Retry-After header, in whole seconds; -1: none
};

}  // namespace idemlab::api
