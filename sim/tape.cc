#include "sim/tape.h"

#include <cassert>
#include <charconv>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "sim/strict_json.h"

namespace idemlab::sim {
namespace {

constexpr Choice kAllChoices[] = {Choice::kFault,  Choice::kOrder,    Choice::kLatency,
                                  Choice::kJitter, Choice::kWorkload, Choice::kExtreme};

}  // namespace

const char* choice_name(Choice choice) {
  switch (choice) {
    case Choice::kFault: return "fault";
    case Choice::kOrder: return "order";
    case Choice::kLatency: return "latency";
    case Choice::kJitter: return "jitter";
    case Choice::kWorkload: return "workload";
    case Choice::kExtreme: return "extreme";
  }
  assert(false && "unknown Choice");
  return "?";
}

std::uint64_t RandomTape::draw(std::uint64_t bound, Choice choice) {
  assert(bound > 0);
  const std::uint64_t value = bound == 1 ? 0 : prng_.below(bound);
  if (record_) recorded_.push_back(Draw{bound, value, choice});
  return value;
}

std::uint64_t ReplayTape::draw(std::uint64_t bound, Choice choice) {
  assert(bound > 0);
  if (position_ >= draws_.size()) {
    ++position_;
    return 0;
  }
  const Draw& recorded = draws_[position_];
  if (divergence_.empty() && (recorded.bound != bound || recorded.choice != choice)) {
    divergence_ = "draw " + std::to_string(position_) + ": recorded " +
                  choice_name(recorded.choice) + " below " + std::to_string(recorded.bound) +
                  ", world asked " + choice_name(choice) + " below " + std::to_string(bound);
  }
  ++position_;
  return recorded.value % bound;
}

LatencyPick ReplayTape::latency_pick() {
  if (position_ >= draws_.size() || draws_[position_].choice != Choice::kExtreme) return LatencyPick::kSample;
  return static_cast<LatencyPick>(draw(kLatencyPicks, Choice::kExtreme));
}

bool chance(Tape& tape, Ratio probability, Choice choice) {
  assert(probability.denominator > 0);
  if (probability.numerator == 0) return false;
  const bool yes = probability.numerator >= probability.denominator ||
                   tape.draw(probability.denominator, choice) < probability.numerator;
  if (yes && choice == Choice::kFault) tape.count_disturbance();
  return yes;
}

std::int64_t uniform(Tape& tape, std::int64_t low, std::int64_t high, Choice choice) {
  assert(low < high);
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  return low + static_cast<std::int64_t>(tape.draw(span, choice));
}

double unit_interval(Tape& tape, Choice choice) {
  constexpr std::uint64_t kBits53 = std::uint64_t{1} << 53;
  return static_cast<double>(tape.draw(kBits53, choice)) / static_cast<double>(kBits53);
}

std::string tape_to_json(const std::vector<Draw>& draws) {
  nlohmann::json array = nlohmann::json::array();
  for (const Draw& d : draws) array.push_back({d.bound, d.value, choice_name(d.choice)});
  return array.dump();
}

std::vector<Draw> tape_from_json(const std::string& text) {
  nlohmann::json array;
  try {
    array = parse_strict_json(text);
  } catch (const JsonError& e) {
    throw std::runtime_error(std::string("tape: ") + e.what());
  }
  if (!array.is_array()) throw std::runtime_error("tape: $ must be an array of [bound, value, choice]");
  std::vector<Draw> draws;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& item = array[i];
    const std::string where = "tape: $[" + std::to_string(i) + "]";
    if (!item.is_array() || item.size() != 3 || !item[0].is_number_unsigned() ||
        !item[1].is_number_unsigned() || !item[2].is_string()) {
      throw std::runtime_error(where + " must be [bound, value, choice]");
    }
    Draw d;
    d.bound = item[0].get<std::uint64_t>();
    d.value = item[1].get<std::uint64_t>();
    if (d.bound == 0 || d.value >= d.bound) throw std::runtime_error(where + ": value must be below bound > 0");
    const auto name = item[2].get<std::string>();
    bool known = false;
    for (Choice c : kAllChoices) {
      if (name == choice_name(c)) {
        d.choice = c;
        known = true;
      }
    }
    if (!known) throw std::runtime_error(where + "[2]: unknown choice " + shown(name));
    draws.push_back(d);
  }
  return draws;
}

namespace {

bool parse_u64(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<Ratio> parse_ratio(std::string_view text) {
  const std::size_t slash = text.find('/');
  Ratio ratio;
  bool ok;
  if (slash == std::string_view::npos) {
    ok = parse_u64(text, ratio.numerator) && ratio.numerator <= 1;
    ratio.denominator = 1;
  } else {
    ok = parse_u64(text.substr(0, slash), ratio.numerator) && parse_u64(text.substr(slash + 1), ratio.denominator) &&
         ratio.denominator > 0 && ratio.numerator <= ratio.denominator;
  }
  return ok ? std::optional<Ratio>(ratio) : std::nullopt;
}

std::string ratio_text(Ratio ratio) {
  if (ratio.numerator == 0) return "0";
  if (ratio.numerator == ratio.denominator) return "1";
  return std::to_string(ratio.numerator) + "/" + std::to_string(ratio.denominator);
}

}  // namespace idemlab::sim
