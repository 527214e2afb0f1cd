// A sweep's results as a file (`idemlab sweep --json`), and the merge of the
// files of its shards (`idemlab merge`). The text is canonical: one sweep's
// data always gives the same bytes, so the merge of n shards equals the
// unsharded sweep's file byte for byte.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/sweep.h"

namespace idemlab::scenarios {

inline constexpr const char* kSweepFormat = "idemlab-sweep/3";

struct SweepFile {
  std::string version;  // the idemlab that made it
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 0;  // of the whole sweep, not of the shard
  Shard shard;
  bool complete = true;  // false: interrupted (Ctrl-C), its cells hold fewer runs; never merged
  std::vector<std::string> scenarios;   // in the order swept
  std::vector<std::string> strategies;  // in the order swept
  // One per scenario and strategy, scenario-major: cells[s * strategies.size() + t].
  std::vector<SweepResult> cells;
};

// A file that is not a sweep's results, or shards that do not make one
// sweep. The message names the file and what is wrong.
class SweepFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string sweep_file_text(const SweepFile& file);
// `where` names the file in errors. Throws SweepFileError.
SweepFile parse_sweep_file(const std::string& text, const std::string& where);

// The sweep that `shards` (one file each, named by `names`) are the shards
// of: the same format, version, scenarios, strategies, seeds and shard
// count, each index from 1 to n exactly once. Throws SweepFileError.
SweepFile merge_shards(const std::vector<SweepFile>& shards, const std::vector<std::string>& names);

}  // namespace idemlab::scenarios
