// `idemlab plot RESULTS... -o DIR`: the figures of each results file (the
// --json of sweep, load, explore, validate and calibrate), drawn by gnuplot
// to SVG and PNG in DIR, each beside the data file gnuplot read, and DIR/figures.json listing them.
// A file missing, truncated, of another kind, or a DIR that cannot be
// written: one line naming it, exit 2.
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/files.h"
#include "plots/figures.h"
#include "plots/gnuplot.h"
#include "plots/report.h"
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

struct Parsed {
  plots::Figures figures;
  std::optional<plots::SweepInput> sweep;
  std::optional<plots::LoadResults> load;
  std::optional<plots::ExploreResults> explore;
  std::optional<plots::ValidateResults> validate;
  std::optional<plots::CalibrateResults> calibrate;
};

Parsed parse(const std::string& path) {
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
    Parsed out;
    if (format.rfind("idemlab-sweep/", 0) == 0) {
      out.sweep = plots::SweepInput{path, scenarios::parse_sweep_file(text, path)};
      out.figures = plots::sweep_figures(out.sweep->file, path, stem_of(path));
      out.figures.sequences = plots::sweep_counterexamples(out.sweep->file, path, stem_of(path));
      return out;
    }
    if (format.rfind("idemlab-load/", 0) == 0) {
      out.load = plots::parse_load_results(text, path);
      out.figures = plots::load_figures(*out.load, stem_of(path));
      return out;
    }
    if (format.rfind("idemlab-explore/", 0) == 0) {
      out.explore = plots::parse_explore_results(text, path);
      out.figures = plots::explore_figures(*out.explore, stem_of(path));
      return out;
    }
    if (format.rfind("idemlab-validate/", 0) == 0) {
      out.validate = plots::parse_validate_results(text, path);
      out.figures = plots::validate_figures(*out.validate, stem_of(path));
      return out;
    }
    if (format.rfind("idemlab-calibrate/", 0) == 0) {
      out.calibrate = plots::parse_calibrate_results(text, path);
      out.figures = plots::calibrate_figures(*out.calibrate, stem_of(path));
      return out;
    }
  } catch (const scenarios::SweepFileError& e) {
    throw UsageError(e.what());
  } catch (const plots::PlotError& e) {
    throw UsageError(e.what());
  }
  throw UsageError(path + ": $.format: " + sim::shown(format) + " is not a kind idemlab plot draws (" +
                   scenarios::kSweepFormat + ", " + plots::kLoadFormat + ", " + plots::kExploreFormat + ", " +
                   plots::kValidateFormat + ", " + plots::kCalibrateFormat + ")");
}

ordered_json index_entry(const plots::Drawn& d) {
  return ordered_json{{"name", d.name},     {"kind", d.kind}, {"title", d.title}, {"caption", d.caption},
                      {"source", d.source}, {"origin", d.origin}, {"svg", d.svg}, {"png", d.png}, {"data", d.data}};
}

int plot_command(const PlotOptions& o) {
  // Every file is read and checked before anything is drawn.
  std::vector<Parsed> all;
  for (const std::string& path : o.inputs) all.push_back(parse(path));
  make_directories("-o", o.dir);
  const std::string index_path = o.dir + "/figures.json";
  const std::string report_path = o.dir + "/report.html";
  check_outputs({{"-o", index_path}, {"-o", report_path}});
  plots::ReportInput report;
  report.version = kVersion;
  report.dir = o.dir;
  report.plot_command = "idemlab plot";
  for (const std::string& path : o.inputs) report.plot_command += " " + path;
  report.plot_command += " -o " + o.dir;
  ordered_json index = {{"format", "idemlab-figures/1"}, {"version", kVersion}, {"figures", ordered_json::array()}};
  // A figure's name comes from the results (a strategy's, a file's): as a
  // file name it is made one safe component, and one of its own.
  std::set<std::string> names;
  const auto file_name = [&names](std::string& name) {
    const std::string safe = path_component(name);
    name = safe;
    for (int n = 2; !names.insert(name).second; ++n) name = safe + "-" + std::to_string(n);
  };
  for (Parsed& p : all) {
    for (plots::Heatmap& h : p.figures.heatmaps) file_name(h.name);
    for (plots::Chart& c : p.figures.charts) file_name(c.name);
    for (plots::SequenceFigure& q : p.figures.sequences) file_name(q.name);
  }
  try {
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto drawn = [&](plots::Drawn d) {
        d.origin = o.inputs[i];
        index["figures"].push_back(index_entry(d));
        report.figures.push_back(std::move(d));
      };
      for (const plots::Heatmap& h : all[i].figures.heatmaps) drawn(plots::draw(h, o.dir));
      for (const plots::Chart& c : all[i].figures.charts) {
        if (!c.series.empty()) drawn(plots::draw(c, o.dir));
      }
      for (const plots::SequenceFigure& q : all[i].figures.sequences) drawn(plots::draw(q, o.dir));
      if (all[i].sweep) report.sweeps.push_back(std::move(*all[i].sweep));
      if (all[i].load) report.loads.push_back(std::move(*all[i].load));
      if (all[i].explore) report.explores.push_back(std::move(*all[i].explore));
      if (all[i].validate) report.validates.push_back(std::move(*all[i].validate));
      if (all[i].calibrate) report.calibrations.push_back(std::move(*all[i].calibrate));
    }
    write_file_atomically(report_path, plots::report_html(report));
  } catch (const plots::PlotError& e) {
    throw UsageError(e.what());
  }
  write_file_atomically(index_path, index.dump(2) + "\n");
  std::printf("%zu figures (SVG, a PNG too for each chart, each with its data file) from %zu results files in %s; listed in %s\n"
              "report: %s\n",
              report.figures.size(), o.inputs.size(), o.dir.c_str(), index_path.c_str(), report_path.c_str());
  return 0;
}

}  // namespace

void register_plot(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<PlotOptions>();
  CLI::App* plot = app.add_subcommand("plot", "Draw the figures of sweep, load, explore, validate and calibrate results (SVG and PNG, by gnuplot) and report.html");
  plot->add_option("results", options->inputs, "Results files: the --json of idemlab sweep, load, explore, validate or calibrate")->required();
  plot->add_option("-o,--output", options->dir, "The directory the figures go to")->required();
  plot->callback([options, &commands] { commands.selected = [options] { return plot_command(*options); }; });
}

}  // namespace idemlab::cli
