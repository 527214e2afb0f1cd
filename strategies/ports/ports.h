// The ports as one node sees them: what a strategy's handler or worker is
// given. Strategies receive this struct and nothing else of the world.
#pragma once

#include "strategies/ports/clock.h"
#include "strategies/ports/kv.h"
#include "strategies/ports/processor.h"
#include "strategies/ports/queue.h"
#include "strategies/ports/sql.h"

namespace idemlab::ports {

struct Ports {
  Clock& clock;
  Kv& kv;
  Sql& sql;
  Queue& queue;
  Processor& processor;
};

}  // namespace idemlab::ports
