// The figures each kind of results file gives. Which load figures a file
// gives depends on its grid: an offered-load axis (load, rate) gives
// success, goodput and amplification against it per retry policy; a trigger
// gives goodput over time; a ttl axis gives violations and storage against
// the TTL; a copies axis gives the calls and completion of N senders per
// backoff; a baseline beside other strategies gives their latency overhead.
// An exploration gives its growth, its first violations and their diagrams;
// validate and calibrate the simulation beside the live servers.
#pragma once

#include <string>
#include <vector>

#include "plots/explore_results.h"
#include "plots/figure.h"
#include "plots/live_results.h"
#include "plots/load_results.h"
#include "plots/sequence_svg.h"
#include "scenarios/sweep_file.h"

namespace idemlab::plots {

struct Figures {
  std::vector<Chart> charts;
  std::vector<Heatmap> heatmaps;
  std::vector<SequenceFigure> sequences;
};

// `stem` prefixes every figure's name (the results file's, so that two
// files give distinct names).
Figures sweep_figures(const scenarios::SweepFile& sweep, const std::string& source, const std::string& stem);
// One diagram per invariant the sweep saw violated: its first cell's
// example run, made again (plots/sweep_counterexamples.cc).
std::vector<SequenceFigure> sweep_counterexamples(const scenarios::SweepFile& sweep, const std::string& source,
                                                  const std::string& stem);
Figures load_figures(const LoadResults& load, const std::string& stem);
Figures explore_figures(const ExploreResults& explore, const std::string& stem);
Figures validate_figures(const ValidateResults& validate, const std::string& stem);
Figures calibrate_figures(const CalibrateResults& calibrate, const std::string& stem);

// The heatmap cell of one sweep result.
HeatCell heat_cell(const scenarios::SweepResult& result);

}  // namespace idemlab::plots
