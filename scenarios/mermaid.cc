#include "scenarios/mermaid.h"

#include <algorithm>
#include <cctype>

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

}  // namespace

std::string mermaid_sequence(const std::vector<sim::TraceRecord>& records) {
  std::vector<std::string> nodes;  // those the diagram mentions
  auto mention = [&nodes](const std::string& node) {
    if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
    return id_of(node);
  };
  std::string out;
  for (const sim::TraceRecord& r : records) {
    if (r.kind == "deliver" || r.kind == "receive" || (r.kind == "start" && r.detail == "incarnation 1")) {
      continue;  // the arrows say it
    }
    const std::string at = mention(r.node);
    const std::string when = sim::format_time(r.at);
    std::string op, peer;
    if (r.kind == "send" && split_to(r.detail, op, peer)) {
      out += "  " + at + "->>" + mention(peer) + ": " + text_of(op) + "\n";
    } else if (r.kind == "reply" && split_to(r.detail, op, peer)) {
      out += "  " + at + "-->>" + mention(peer) + ": " + text_of(op) + "\n";
    } else if (r.kind == "drop-reply" && split_to(r.detail, op, peer)) {
      out += "  " + at + "--x" + mention(peer) + ": " + text_of(op) + " (reply lost)\n";
    } else if (r.kind == "drop-request" && split_to(r.detail, op, peer)) {
      out += "  Note over " + at + ": " + text_of(op) + " lost on the way to " + text_of(peer) + "\n";
    } else if (is_client_outcome(r.kind)) {
      out += "  Note over " + at + ": " + text_of(r.kind) + " " + text_of(r.detail) + "\n";
    } else if (r.kind == "fault" || r.kind == "crash" || r.kind == "start" || r.kind == "failover" ||
               r.kind == "restart" || r.kind == "timeout" || r.kind == "refused") {
      out += "  Note over " + at + ": " + when + " " + text_of(r.kind) + " " + text_of(r.detail) + "\n";
    } else {
      out += "  Note right of " + at + ": " + text_of(r.kind) + " " + text_of(r.detail) + "\n";
    }
  }
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const std::string& a, const std::string& b) { return column(a) < column(b); });
  std::string head = "sequenceDiagram\n";
  for (const std::string& node : nodes) head += "  participant " + id_of(node) + " as " + text_of(node) + "\n";
  return head + out;
}

}  // namespace idemlab::scenarios
