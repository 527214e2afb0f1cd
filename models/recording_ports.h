// One actor's ports, recorded into the run's PortHistory: what the strategy
// wrote, published, received and moved, as the strategy itself saw it (the
// outermost decorator, above fault injection, so that a reply the scenario
// dropped is a timeout here too). The host gives each request and each boot
// of a worker its own RecordingPorts, so that every operation names who made
// it. Reads pass through unrecorded.
#pragma once

#include <cstdint>
#include <memory>

#include "models/port_history.h"
#include "strategies/ports/ports.h"

namespace idemlab::models {

class RecordingPorts {
 public:
  RecordingPorts(ports::Ports inner, PortHistory& history, std::uint32_t actor);
  ~RecordingPorts();
  RecordingPorts(const RecordingPorts&) = delete;
  RecordingPorts& operator=(const RecordingPorts&) = delete;

  ports::Ports ports();

 private:
  ports::Clock& clock_;
  std::unique_ptr<ports::Kv> kv_;
  std::unique_ptr<ports::Sql> sql_;
  std::unique_ptr<ports::Queue> queue_;
  std::unique_ptr<ports::Processor> processor_;
};

}  // namespace idemlab::models
