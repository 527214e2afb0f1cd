// `idemlab merge SHARD.json... -o SWEEP.json`: the shards of one sweep
// (`idemlab sweep --shard i/n --json`) combined into the sweep's results,
// byte for byte the file the unsharded sweep writes; prints its table.
// Files that are not the n shards of one sweep (a shard missing or given
// twice, other scenarios, strategies, seeds or version) are refused with
// exit 2, naming the file.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/sweep_table.h"
#include "scenarios/sweep_file.h"

namespace idemlab::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string markdown;
  std::string csv;
};

int merge_command(const MergeOptions& o) {
  check_outputs({{"-o", o.output}, {"--markdown", o.markdown}, {"--csv", o.csv}});
  std::vector<scenarios::SweepFile> shards;
  for (const std::string& path : o.inputs) {
    try {
      shards.push_back(scenarios::parse_sweep_file(read_file(path), path));
    } catch (const scenarios::SweepFileError& e) {
      throw UsageError(e.what());
    }
  }
  scenarios::SweepFile merged;
  try {
    merged = scenarios::merge_shards(shards, o.inputs);
  } catch (const scenarios::SweepFileError& e) {
    throw UsageError(e.what());
  }
  write_file_atomically(o.output, scenarios::sweep_file_text(merged));

  std::map<std::pair<std::size_t, std::size_t>, std::string> cells;
  std::string csv = sweep_csv_header();
  for (std::size_t c = 0; c < merged.cells.size(); ++c) {
    const std::size_t scenario = c / merged.strategies.size(), strategy = c % merged.strategies.size();
    cells[{strategy, scenario}] = cell_text(merged.cells[c]);
    csv += sweep_csv_row(merged.cells[c]);
  }
  const std::string md = sweep_markdown(merged.scenarios, merged.strategies, cells);
  std::printf("%zu shards merged: %llu seeds per cell, from seed %llu\n\n%s", shards.size(),
              static_cast<unsigned long long>(merged.seeds), static_cast<unsigned long long>(merged.first_seed),
              md.c_str());
  if (!o.markdown.empty()) write_file_atomically(o.markdown, md);
  if (!o.csv.empty()) write_file_atomically(o.csv, csv);
  std::printf("\nwritten to %s\n", o.output.c_str());
  return 0;
}

}  // namespace

void register_merge(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* merge = app.add_subcommand("merge", "Combine the --json files of a sweep's shards into the sweep's results");
  merge->add_option("shards", options->inputs, "The shards' files (sweep --shard i/n --json FILE), every i once")
      ->required();
  merge->add_option("-o,--output", options->output, "The merged results (JSON)")->required();
  merge->add_option("--markdown", options->markdown, "Also write the table to FILE");
  merge->add_option("--csv", options->csv, "Also write the CSV to FILE");
  merge->callback([options, &commands] { commands.selected = [options] { return merge_command(*options); }; });
}

}  // namespace idemlab::cli
