#include "sim/tape.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "sim/prng.h"

namespace idemlab::sim {
namespace {

TEST_CASE("splitmix64 matches the reference sequence") {
  // First outputs for seed 0 of Vigna's splitmix64.c.
  SplitMix64 s(0);
  CHECK(s.next() == 0xe220a8397b1dcdafULL);
  CHECK(s.next() == 0x6e789e6aa1b965f4ULL);
  CHECK(s.next() == 0x06c45d188009454fULL);
}

TEST_CASE("the same seed gives the same draws, another seed others") {
  Prng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t va = a.next();
    CHECK(va == b.next());
    differs |= va != c.next();
  }
  CHECK(differs);
}

TEST_CASE("below stays below its bound and reaches every value") {
  Prng prng(7);
  int seen[6] = {};
  for (int i = 0; i < 6000; ++i) {
    const std::uint64_t v = prng.below(6);
    REQUIRE(v < 6);
    ++seen[v];
  }
  for (int count : seen) CHECK(count > 800);  // expected 1000 each
}

TEST_CASE("chance with a certain outcome draws nothing") {
  RandomTape tape(1, /*record=*/true);
  CHECK_FALSE(chance(tape, Ratio{0, 10}, Choice::kFault));
  CHECK(chance(tape, Ratio{10, 10}, Choice::kFault));
  CHECK(tape.recorded().empty());
  chance(tape, Ratio{1, 3}, Choice::kFault);
  REQUIRE(tape.recorded().size() == 1);
  CHECK(tape.recorded()[0].bound == 3);
}

TEST_CASE("chance hits close to its ratio") {
  RandomTape tape(9);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += chance(tape, Ratio{1, 4}, Choice::kFault) ? 1 : 0;
  CHECK(hits > 2300);
  CHECK(hits < 2700);
}

TEST_CASE("a replayed tape yields the recorded values") {
  RandomTape original(123, /*record=*/true);
  std::vector<std::uint64_t> values;
  for (std::uint64_t bound = 1; bound < 50; ++bound) values.push_back(original.draw(bound, Choice::kLatency));
  ReplayTape replay(original.recorded());
  for (std::uint64_t bound = 1; bound < 50; ++bound) CHECK(replay.draw(bound, Choice::kLatency) == values[bound - 1]);
  CHECK(replay.divergence().empty());
  CHECK(replay.exhausted());
  CHECK(replay.draw(5, Choice::kFault) == 0);  // past the end: nothing happens
}

TEST_CASE("a replay that asks other questions reports where it diverged") {
  ReplayTape replay({{10, 7, Choice::kFault}, {4, 3, Choice::kOrder}});
  CHECK(replay.draw(10, Choice::kFault) == 7);
  CHECK(replay.draw(3, Choice::kOrder) == 0);  // 3 mod 3
  CHECK(replay.divergence() == "draw 1: recorded order below 4, world asked order below 3");
}

TEST_CASE("tapes round-trip through JSON") {
  const std::vector<Draw> draws = {{2, 1, Choice::kFault}, {1000, 999, Choice::kLatency}, {3, 0, Choice::kOrder}};
  CHECK(tape_from_json(tape_to_json(draws)) == draws);
}

TEST_CASE("a malformed tape names the JSON path") {
  CHECK_THROWS_WITH(tape_from_json("[[2,1,\"fault\"],[2,5,\"fault\"]]"),
                    "tape: $[1]: value must be below bound > 0");
  CHECK_THROWS_WITH(tape_from_json("[[2,1,\"luck\"]]"), "tape: $[0][2]: unknown choice \"luck\"");
  CHECK_THROWS_WITH(tape_from_json("{}"), "tape: $ must be an array of [bound, value, choice]");
}

}  // namespace
}  // namespace idemlab::sim
