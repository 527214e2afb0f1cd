// `idemlab plot RESULTS... -o DIR`: the figures of each results file (the
// --json of sweep and load), drawn by gnuplot to SVG and PNG in DIR, each
// beside the data file gnuplot read, and DIR/figures.json listing them.
// A file missing, truncated, of another kind, or a DIR that cannot be
// written: one line naming it, exit 2.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/files.h"
#include "plots/figures.h"
#include "plots/gnuplot.h"
#include "sim/strict_json.h"

namespace idemlab::cli {
namespace {

using nlohmann::ordered_json;

struct PlotOptions {
  std::vector<std::string> inputs;
  std::string dir;
};

// The file's name without its folders and its .json, as a figure name's stem.
std::string stem_of(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) name.resize(name.size() - 5);
  return path_component(name);
}

plots::Figures figures_of(const std::string& path) {
  const std::string text = read_file(path);
  std::string format;
  try {
    const nlohmann::json root = sim::parse_strict_json(text);
    if (!root.is_object() || !root.contains("format") || !root["format"].is_string()) {
      throw UsageError(path + ": $.format: missing (not the --json results of idemlab sweep or load)");
    }
    format = root["format"].get<std::string>();
  } catch (const sim::JsonError& e) {
    throw UsageError(path + ": " + e.what());
  }
  try {
    if (format.rfind("idemlab-sweep/", 0) == 0) {
      return plots::sweep_figures(scenarios::parse_sweep_file(text, path), path, stem_of(path));
    }
    if (format.rfind("idemlab-load/", 0) == 0) return plots::load_figures(plots::parse_load_results(text, path), stem_of(path));
  } catch (const scenarios::SweepFileError& e) {
    throw UsageError(e.what());
  } catch (const plots::PlotError& e) {
    throw UsageError(e.what());
  }
  throw UsageError(path + ": $.format: " + sim::shown(format) + " is not a kind idemlab plot draws (" +
                   scenarios::kSweepFormat + ", " + plots::kLoadFormat + ")");
}

ordered_json index_entry(const plots::Drawn& d) {
  return ordered_json{{"name", d.name}, {"kind", d.kind},     {"title", d.title}, {"caption", d.caption},
                      {"source", d.source}, {"svg", d.svg}, {"png", d.png},     {"data", d.data}};
}

int plot_command(const PlotOptions& o) {
  // Every file is read and checked before anything is drawn.
  std::vector<plots::Figures> all;
  for (const std::string& path : o.inputs) all.push_back(figures_of(path));
  make_directories("-o", o.dir);
  const std::string index_path = o.dir + "/figures.json";
  check_output("-o", index_path);
  ordered_json index = {{"format", "idemlab-figures/1"}, {"version", kVersion}, {"figures", ordered_json::array()}};
  std::size_t drawn = 0;
  try {
    for (const plots::Figures& f : all) {
      for (const plots::Heatmap& h : f.heatmaps) index["figures"].push_back(index_entry(plots::draw(h, o.dir)));
      for (const plots::Chart& c : f.charts) {
        if (c.series.empty()) continue;
        index["figures"].push_back(index_entry(plots::draw(c, o.dir)));
      }
    }
  } catch (const plots::PlotError& e) {
    throw UsageError(e.what());
  }
  drawn = index["figures"].size();
  write_file_atomically(index_path, index.dump(2) + "\n");
  std::printf("%zu figures (SVG and PNG, each with its data file) from %zu results files in %s; listed in %s\n", drawn,
              o.inputs.size(), o.dir.c_str(), index_path.c_str());
  return 0;
}

}  // namespace

void register_plot(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<PlotOptions>();
  CLI::App* plot = app.add_subcommand("plot", "Draw the figures of sweep and load results (SVG and PNG, by gnuplot)");
  plot->add_option("results", options->inputs, "Results files: the --json of idemlab sweep or idemlab load")->required();
  plot->add_option("-o,--output", options->dir, "The directory the figures go to")->required();
  plot->callback([options, &commands] { commands.selected = [options] { return plot_command(*options); }; });
}

}  // namespace idemlab::cli
