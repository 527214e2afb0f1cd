#include "sim/trace.h"

#include "sim/hash.h"

#include <cinttypes>
#include <cstdio>

namespace idemlab::sim {
void Trace::record(Time at, std::string_view node, std::string_view kind, std::string_view detail) {
  if (level_ == TraceLevel::kOff) return;
  char time_text[24];
  std::snprintf(time_text, sizeof time_text, "%" PRId64, at);
  // Separators that cannot occur in the fields keep the hash unambiguous.
  // The order hash is the trace hash without the times.
  const auto fold_step = [&](std::uint64_t h) {
    h = fnv1a(node, h);
    h = fnv1a("\x1f", h);
    h = fnv1a(kind, h);
    h = fnv1a("\x1f", h);
    h = fnv1a(detail, h);
    return fnv1a("\x1e", h);
  };
  hash_ = fold_step(fnv1a("\x1f", fnv1a(time_text, hash_)));
  order_hash_ = fold_step(order_hash_);
  ++count_;
  if (level_ == TraceLevel::kFull && records_.size() < kTraceRecordsMax) {
    records_.push_back(TraceRecord{at, std::string(node), std::string(kind), std::string(detail)});
  }
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string Trace::json_lines() const {
  std::string out;
  for (const TraceRecord& r : records_) {
    out += "{\"t_ns\":" + std::to_string(r.at) + ",\"node\":\"" + json_escape(r.node) +
           "\",\"kind\":\"" + json_escape(r.kind) + "\",\"detail\":\"" + json_escape(r.detail) +
           "\"}\n";
  }
  return out;
}

std::string Trace::records_not_kept_text() const {
  if (count_ <= records_.size()) return {};
  return "... " + std::to_string(count_ - records_.size()) + " more records not kept (a trace keeps its first " +
         std::to_string(kTraceRecordsMax) + "; the hash covers them all)\n";
}

std::string Trace::timeline() const {
  std::size_t node_width = 4;
  std::size_t kind_width = 4;
  for (const TraceRecord& r : records_) {
    node_width = std::max(node_width, r.node.size());
    kind_width = std::max(kind_width, r.kind.size());
  }
  std::string out;
  for (const TraceRecord& r : records_) {
    char line[64];
    std::snprintf(line, sizeof line, "%16s  ", format_time(r.at).c_str());
    out += line;
    out += r.node;
    out.append(node_width - r.node.size() + 2, ' ');
    out += r.kind;
    out.append(kind_width - r.kind.size() + 2, ' ');
    out += r.detail;
    out += '\n';
  }
  return out + records_not_kept_text();
}

std::string hash_hex(std::uint64_t hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<std::size_t>(i)] = kHex[hash & 0xF];
  return out;
}

}  // namespace idemlab::sim
