// The decision tape: every choice the world makes (a fault or not, which of
// several simultaneous events runs first, a delay, a jitter) is one draw from
// one Tape. A random run reads a seeded PRNG; a replay reads a recorded tape;
// exhaustive exploration and shrinking hand the world a tape they built. One
// mechanism serves all of them, so a run is a pure function of its tape.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/prng.h"

namespace idemlab::sim {

class Simulator;

// What a draw decides. Recorded beside each value so that explorers know which
// draws are worth enumerating and a human can read a tape.
enum class Choice : std::uint8_t {
  kFault,     // inject a fault here or not
  kOrder,     // which of the events ready at one instant runs first
  kLatency,   // a sampled network or service delay
  kJitter,    // a retry backoff jitter
  kWorkload,  // a workload value: an amount, a key, a think time
  kExtreme,   // a latency taken at its range's low or high end, or sampled
};

// How a latency is to be taken: sampled from its distribution as usual, or
// at the low or the high end of its range (schedule exploration: a lock
// TTL that runs out just before, or just after, a charge returns).
enum class LatencyPick : std::uint8_t { kSample = 0, kLow = 1, kHigh = 2 };
inline constexpr std::uint64_t kLatencyPicks = 3;

const char* choice_name(Choice choice);

struct Draw {
  std::uint64_t bound = 0;  // the value was drawn from [0, bound)
  std::uint64_t value = 0;
  Choice choice = Choice::kFault;

  bool operator==(const Draw&) const = default;
};

class Tape {
 public:
  virtual ~Tape() = default;
  // A value in [0, bound). REQUIRES: bound > 0.
  virtual std::uint64_t draw(std::uint64_t bound, Choice choice) = 0;
  // Asked before each latency that is not a constant. Seeded tapes sample
  // (and draw nothing for it, so their tapes are what they always were);
  // a schedule explorer answers with its choice, and records it as a
  // Choice::kExtreme draw so that a replay takes the same end.
  virtual LatencyPick latency_pick() { return LatencyPick::kSample; }
  // Which of the events ready at one instant runs next (Choice::kOrder).
  // `owners` holds, per ready event in scheduling order, the serial number
  // of the process it belongs to (0: the world's), for explorers that rank
  // processes (PCT). REQUIRES: owners.size() >= 2.
  virtual std::uint64_t pick_order(const std::vector<std::uint64_t>& owners) {
    return draw(owners.size(), Choice::kOrder);
  }
  // Called once by the simulator that draws from this tape, for explorers
  // that ask it which process is running (PCT ranks processes).
  virtual void attach(Simulator& simulator) { (void)simulator; }

  // How many chance() draws of a fault came true, the calls that timed out,
  // and the workload's disturbances its models count (a reused key, a
  // purchase made again): whether a run's random faults reached it at all.
  // Counting draws nothing.
  std::uint64_t disturbances() const { return disturbances_; }
  void count_disturbance() { ++disturbances_; }

 private:
  std::uint64_t disturbances_ = 0;
};

// Draws from xoshiro256** seeded with `seed`, optionally keeping every draw so
// the run can be replayed or shrunk.
class RandomTape final : public Tape {
 public:
  explicit RandomTape(std::uint64_t seed, bool record = false)
      : prng_(seed), record_(record) {}

  std::uint64_t draw(std::uint64_t bound, Choice choice) override;
  const std::vector<Draw>& recorded() const { return recorded_; }

 private:
  Prng prng_;
  bool record_;
  std::vector<Draw> recorded_;
};

// Plays back a recorded or constructed sequence. Past its end every draw is 0:
// the "nothing happens" choice (no fault, first ready event, shortest delay),
// which is what a shrinker wants when it cuts a tape short. A draw whose bound
// differs from the recorded one means the world did not follow the recording:
// the value is reduced modulo the new bound and the divergence is kept.
class ReplayTape final : public Tape {
 public:
  explicit ReplayTape(std::vector<Draw> draws) : draws_(std::move(draws)) {}

  std::uint64_t draw(std::uint64_t bound, Choice choice) override;
  // The recorded pick where the recording has a kExtreme draw next; else
  // kSample, drawing nothing.
  LatencyPick latency_pick() override;

  std::size_t position() const { return position_; }
  bool exhausted() const { return position_ >= draws_.size(); }
  // Empty while every draw matched the recording; else what first differed.
  const std::string& divergence() const { return divergence_; }

 private:
  std::vector<Draw> draws_;
  std::size_t position_ = 0;
  std::string divergence_;
};

// A probability as an integer ratio: no floating point in choices.
struct Ratio {
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;
};

// "1/10" -> {1, 10}; "0" and "1" too. nullopt unless N <= D and D > 0.
std::optional<Ratio> parse_ratio(std::string_view text);
std::string ratio_text(Ratio ratio);

// True with probability numerator/denominator. Certain outcomes (0 or >= 1)
// draw nothing, so a world without faults leaves no fault draws on its tape.
bool chance(Tape& tape, Ratio probability, Choice choice);

// Uniform integer in [low, high). REQUIRES: low < high.
std::int64_t uniform(Tape& tape, std::int64_t low, std::int64_t high, Choice choice);

// Uniform in [0, 1) with 53 random bits, for the continuous distributions.
double unit_interval(Tape& tape, Choice choice);

// Tapes serialise as JSON arrays of [bound, value, "choice"] triples.
std::string tape_to_json(const std::vector<Draw>& draws);
// Throws std::runtime_error naming the JSON path of the first bad element.
std::vector<Draw> tape_from_json(const std::string& text);

}  // namespace idemlab::sim
