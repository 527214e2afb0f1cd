#include "models/processor/sim_processor.h"

#include "models/net/port_call.h"

namespace idemlab::models::processor {

using ports::Result;
using sim::Task;

// Requests are bound to variables before each co_await (g++ 12, see
// docs/architecture.md).

Task<Result<ports::Charge>> SimProcessor::charge(ports::ChargeRequest request) {
  std::function<Task<Result<ports::Charge>>()> call = [processor = &processor_, request] { return processor->charge(request); };
  std::string what = call_name(client_, "POST /v1/charges ", request.intent);
  co_return co_await call_port(net_, client_, processor_.node(), std::move(what), timeout_, std::move(call));
}

Task<Result<ports::Refund>> SimProcessor::refund(ports::RefundRequest request) {
  std::function<Task<Result<ports::Refund>>()> call = [processor = &processor_, request] { return processor->refund(request); };
  std::string what = call_name(client_, "POST /v1/refunds ", request.charge_id);
  co_return co_await call_port(net_, client_, processor_.node(), std::move(what), timeout_, std::move(call));
}

Task<Result<ports::ChargeLookup>> SimProcessor::find_charge(std::string idempotency_key) {
  std::function<Task<Result<ports::ChargeLookup>>()> call = [processor = &processor_, idempotency_key] {
    return processor->find_charge(idempotency_key);
  };
  std::string what = call_name(client_, "GET /v1/charges?idempotency_key=", idempotency_key);
  co_return co_await call_port(net_, client_, processor_.node(), std::move(what), timeout_, std::move(call));
}

}  // namespace idemlab::models::processor
