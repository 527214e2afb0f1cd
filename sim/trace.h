// The structured trace of a run: every event as (time, node, kind, detail).
// Its 64-bit hash (FNV-1a over the canonical text of each record) is the run's
// fingerprint: the same seed must give the same hash, on every thread count
// and shard. Records are kept only at level kFull; kHash folds them into the
// hash and forgets them; kOff skips even the formatting (benchmarks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.h"

namespace idemlab::sim {

enum class TraceLevel : std::uint8_t { kOff, kHash, kFull };

struct TraceRecord {
  Time at;
  std::string node;
  std::string kind;
  std::string detail;
};

// A full trace keeps at most this many records (about 100 MB); the hash
// and the count go on over every record.
inline constexpr std::size_t kTraceRecordsMax = 1000000;

class Trace {
 public:
  explicit Trace(TraceLevel level) : level_(level) {}

  // Callers test this before building a detail string.
  bool enabled() const { return level_ != TraceLevel::kOff; }
  TraceLevel level() const { return level_; }

  void record(Time at, std::string_view node, std::string_view kind, std::string_view detail);

  std::uint64_t hash() const { return hash_; }
  // The same over the records without their times: the order of the steps,
  // which two runs that differ only in their latencies share.
  std::uint64_t order_hash() const { return order_hash_; }
  std::uint64_t count() const { return count_; }
  const std::vector<TraceRecord>& records() const { return records_; }

  // One JSON object per line: {"t_ns":..,"node":..,"kind":..,"detail":..}.
  std::string json_lines() const;
  // Aligned columns for people: time, node, kind, detail.
  std::string timeline() const;
  // "... N more records not kept ..." when records were left out; empty if not.
  std::string records_not_kept_text() const;

 private:
  TraceLevel level_;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;  // FNV-1a offset basis (sim/hash.h)
  std::uint64_t order_hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t count_ = 0;
  std::vector<TraceRecord> records_;
};

// "%016llx", the form in which hashes are printed and compared.
std::string hash_hex(std::uint64_t hash);

// Escapes a string for a JSON string literal (without the quotes).
std::string json_escape(std::string_view text);

}  // namespace idemlab::sim
