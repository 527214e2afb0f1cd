// How sweep and merge show a sweep's results: the strategy x scenario table
// (the longer list runs down the rows) and the CSV, one row per cell.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/sweep.h"

namespace idemlab::cli {

// "safe" only when every run was judged and none broke an invariant; runs
// without a verdict are counted apart ("did not converge 3/200 (seed 17)").
std::string cell_text(const scenarios::SweepResult& r);

// `cells` by (strategy index, scenario index).
std::string sweep_markdown(const std::vector<std::string>& scenarios, const std::vector<std::string>& strategies,
                           const std::map<std::pair<std::size_t, std::size_t>, std::string>& cells);

std::string sweep_csv_header();
std::string sweep_csv_row(const scenarios::SweepResult& r);

}  // namespace idemlab::cli
