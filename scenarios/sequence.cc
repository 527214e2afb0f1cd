#include "scenarios/sequence.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <utility>
#include <iterator>

namespace idemlab::scenarios {
namespace {

// Mermaid ids are words; the node's own name is kept as its label.
std::string id_of(const std::string& node) {
  std::string id;
  for (char c : node) id += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
  return id;
}

// ';' ends a statement and '#' starts an entity in Mermaid text.
std::string text_of(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '#') {
      out += "#35;";
    } else if (c == ';') {
      out += "#59;";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// "OP to NODE" -> {OP, NODE}; false if the detail has another shape.
bool split_to(const std::string& detail, std::string& op, std::string& node) {
  const auto at = detail.rfind(" to ");
  if (at == std::string::npos) return false;
  op = detail.substr(0, at);
  node = detail.substr(at + 4);
  return !node.empty();
}

// Where a node stands in the diagram: clients left, backends right.
int column(const std::string& node) {
  if (node.rfind("client", 0) == 0) return 0;
  if (node == "api") return 1;
  if (node == "redis" || node == "postgres" || node == "rabbitmq") return 3;
  if (node == "processor") return 4;
  return 2;  // workers
}

bool is_client_outcome(const std::string& kind) {
  return kind == "invoke" || kind == "ok" || kind == "fail" || kind == "unknown" || kind == "give_up";
}

bool is_event(const std::string& kind) {
  return kind == "fault" || kind == "crash" || kind == "start" || kind == "failover" || kind == "restart" ||
         kind == "timeout" || kind == "refused";
}

constexpr const char* kKindNames[] = {"call", "reply", "lost_reply", "lost_request", "outcome", "event", "command"};

}  // namespace

const char* step_kind_name(SequenceStep::Kind kind) { return kKindNames[static_cast<int>(kind)]; }

bool parse_step_kind(const std::string& name, SequenceStep::Kind& kind) {
  const auto* found = std::find(std::begin(kKindNames), std::end(kKindNames), name);
  if (found == std::end(kKindNames)) return false;
  kind = static_cast<SequenceStep::Kind>(found - std::begin(kKindNames));
  return true;
}

SequenceDiagram sequence_of(const std::vector<sim::TraceRecord>& records) {
  using Kind = SequenceStep::Kind;
  SequenceDiagram out;
  auto mention = [&out](const std::string& node) {
    if (std::find(out.participants.begin(), out.participants.end(), node) == out.participants.end()) {
      out.participants.push_back(node);
    }
  };
  for (const sim::TraceRecord& r : records) {
    if (r.kind == "deliver" || r.kind == "receive" || (r.kind == "start" && r.detail == "incarnation 1")) {
      continue;  // the arrows say it
    }
    mention(r.node);
    std::string op, peer;
    const bool addressed = split_to(r.detail, op, peer);
    if (addressed && (r.kind == "send" || r.kind == "reply" || r.kind == "drop-reply" || r.kind == "drop-request")) {
      mention(peer);
      const Kind kind = r.kind == "send"         ? Kind::kCall
                        : r.kind == "reply"      ? Kind::kReply
                        : r.kind == "drop-reply" ? Kind::kLostReply
                                                 : Kind::kLostRequest;
      out.steps.push_back({kind, r.at, r.node, peer, op});
    } else if (is_client_outcome(r.kind)) {
      out.steps.push_back({Kind::kOutcome, r.at, r.node, "", r.kind + " " + r.detail});
    } else if (is_event(r.kind)) {
      out.steps.push_back({Kind::kEvent, r.at, r.node, "", r.kind + " " + r.detail});
    } else {
      out.steps.push_back({Kind::kCommand, r.at, r.node, "", r.kind + " " + r.detail});
    }
  }
  // Clients by their number (client-2 before client-10), the rest as first mentioned.
  const auto place = [](const std::string& node) {
    long number = 0;
    if (column(node) == 0) {
      const std::size_t dash = node.rfind('-');
      const std::string digits = dash == std::string::npos ? "" : node.substr(dash + 1);
      const bool numeric = !digits.empty() && digits.size() < 10 &&
                           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
      number = numeric ? std::stol(digits) : LONG_MAX;
    }
    return std::pair{column(node), number};
  };
  std::stable_sort(out.participants.begin(), out.participants.end(),
                   [&place](const std::string& a, const std::string& b) { return place(a) < place(b); });
  return out;
}

void cut_to_readable(SequenceDiagram& diagram) {
  if (diagram.steps.size() <= kSequenceStepsMax) return;
  diagram.steps_left_out += diagram.steps.size() - kSequenceStepsMax;
  diagram.steps.resize(kSequenceStepsMax);
}

std::string mermaid_text(const SequenceDiagram& diagram) {
  std::string out = "sequenceDiagram\n";
  for (const std::string& node : diagram.participants) out += "  participant " + id_of(node) + " as " + text_of(node) + "\n";
  for (const SequenceStep& s : diagram.steps) {
    const std::string from = id_of(s.from);
    switch (s.kind) {
      case SequenceStep::Kind::kCall: out += "  " + from + "->>" + id_of(s.to) + ": " + text_of(s.text) + "\n"; break;
      case SequenceStep::Kind::kReply: out += "  " + from + "-->>" + id_of(s.to) + ": " + text_of(s.text) + "\n"; break;
      case SequenceStep::Kind::kLostReply:
        out += "  " + from + "--x" + id_of(s.to) + ": " + text_of(s.text) + " (reply lost)\n";
        break;
      case SequenceStep::Kind::kLostRequest:
        out += "  Note over " + from + ": " + text_of(s.text) + " lost on the way to " + text_of(s.to) + "\n";
        break;
      case SequenceStep::Kind::kOutcome: out += "  Note over " + from + ": " + text_of(s.text) + "\n"; break;
      case SequenceStep::Kind::kEvent:
        out += "  Note over " + from + ": " + sim::format_time(s.at) + " " + text_of(s.text) + "\n";
        break;
      case SequenceStep::Kind::kCommand: out += "  Note right of " + from + ": " + text_of(s.text) + "\n"; break;
    }
  }
  return out;
}

}  // namespace idemlab::scenarios
