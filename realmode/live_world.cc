#include "realmode/live_world.h"

namespace idemlab::realmode {

LiveWorld::LiveWorld(const models::WorldConfig& config, sim::Tape& tape, const Servers& servers, std::string run_id,
                     sim::Duration run_limit)
    : Host(config, tape),
      run_limit_(run_limit),
      loop_(sim()),
      live_(loop_, servers, config, std::move(run_id)),
      clock_(sim()) {}

LiveWorld::~LiveWorld() {
  // Processes hold the live ports and wait on the loop: they end before
  // those go (open transactions roll back, consumers' channels close).
  sim().cancel_all();
}

}  // namespace idemlab::realmode
