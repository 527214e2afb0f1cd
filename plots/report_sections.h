// The report's sections beyond the sweep and load ones (plots/report.cc),
// each in its own file: the HTML of one results file's section, around the
// figures drawn from it (`figures`, already HTML) and, for an exploration,
// its counterexamples' sequence diagrams (`diagrams`).
#pragma once

#include <string>

#include "plots/explore_results.h"
#include "plots/live_results.h"
#include "plots/load_results.h"
#include "plots/report.h"

namespace idemlab::plots {

std::string explore_section(const ExploreResults& explore, const std::string& figures, const std::string& diagrams);

std::string validate_section(const ValidateResults& validate, const std::string& figures);
std::string calibrate_section(const CalibrateResults& calibrate, const std::string& figures);

// The cost model table from the first sweep and a load run with one point a
// strategy and a baseline; "" without them.
std::string cost_section(const std::vector<SweepInput>& sweeps, const std::vector<LoadResults>& loads);

// printf's `format` of one number, as text.
std::string formatted(double value, const char* format);

}  // namespace idemlab::plots
