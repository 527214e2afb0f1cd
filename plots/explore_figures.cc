// An exploration's figures: (site, action) pairs covered and distinct
// interleavings against runs, per strategy; the runs each strategy took to
// first break each invariant; and each first counterexample's sequence
// diagram.
#include "plots/figures.h"

namespace idemlab::plots {
namespace {

std::string search_name(const ExploreResults& e) {
  if (e.mode == "swarm") return "swarm";
  if (e.mode == "schedules") return "schedule search";
  return "fault-placement search";
}

Chart growth(const ExploreResults& e, const std::string& stem, const char* what) {
  const bool pairs = std::string(what) == "pairs";
  Chart c;
  c.name = stem + (pairs ? "-coverage" : "-interleavings");
  c.title = e.scenario + ": " + (pairs ? "fault sites covered" : "distinct interleavings") + " as the " +
            search_name(e) + " runs";
  c.caption = pairs ? "The share of the (site, action) pairs the runs offered that some run placed a fault at, per "
                      "strategy, against the runs made. New runs reach new sites (a retry, a recovery pass) as well "
                      "as placing faults, so the share can fall; a strategy's sites are its own (its calls and their "
                      "order), so the lines differ."
                    : "The distinct step orders (interleavings) among the runs, per strategy, against the runs made "
                      "(exact up to 100,000, then a HyperLogLog estimate): a line under the diagonal means runs "
                      "repeated an interleaving already judged.";
  c.source = e.path + " (" + e.command + ")";
  c.x_label = "runs (log scale)";
  c.y_label = pairs ? "share of (site, action) pairs placed" : "distinct interleavings";
  c.log_x = true;
  c.y_min = 0;
  if (pairs) c.y_max = 1;
  for (const ExploreStrategy& s : e.strategies) {
    Series series{s.strategy, {}};
    for (const scenarios::SearchProgress& p : s.progress) {
      const double share =
          p.pairs_seen == 0 ? 0 : static_cast<double>(p.pairs_covered) / static_cast<double>(p.pairs_seen);
      series.points.emplace_back(static_cast<double>(p.runs), pairs ? share : static_cast<double>(p.interleavings));
    }
    c.series.push_back(std::move(series));
  }
  return c;
}

}  // namespace

Figures explore_figures(const ExploreResults& e, const std::string& stem) {
  Figures out;
  if (e.mode != "schedules") out.charts.push_back(growth(e, stem, "pairs"));  // a schedule search places no fault
  out.charts.push_back(growth(e, stem, "interleavings"));

  Chart first;
  first.name = stem + "-first-violation";
  first.title = e.scenario + ": runs until each invariant first broke";
  first.caption = "Per strategy, the run of the " + search_name(e) +
                  " that first broke each invariant (log scale; run 1 is the search's first run" +
                  (e.mode == "placements" ? std::string(", with no fault added") : std::string()) +
                  "). No bar: the invariant held in every run the search made (the table says how many).";
  first.source = e.path + " (" + e.command + ")";
  first.x_label = "strategy";
  first.y_label = "runs until the first violation";
  first.log_y = true;
  first.y_min = 0.5;
  first.bar_values = true;
  std::map<std::string, Series> by_invariant;
  for (std::size_t i = 0; i < e.strategies.size(); ++i) {
    first.categories.push_back(e.strategies[i].strategy);
    for (const ExploreFinding& f : e.strategies[i].findings) {
      Series& s = by_invariant[f.invariant];
      s.title = f.invariant;
      s.points.emplace_back(static_cast<double>(i), static_cast<double>(f.first_run));
    }
  }
  for (auto& [invariant, series] : by_invariant) first.series.push_back(std::move(series));
  out.charts.push_back(std::move(first));

  for (const ExploreStrategy& s : e.strategies) {
    for (const ExploreFinding& f : s.findings) {
      SequenceFigure q;
      q.name = stem + "-" + s.strategy + "-" + f.invariant;
      q.title = s.strategy + " breaks " + f.invariant + " (" + e.scenario + ", run " + std::to_string(f.first_run) + ")";
      std::string faults;
      for (const std::string& fault : f.faults) faults += (faults.empty() ? "" : "; ") + fault;
      q.caption = f.intent + ": " + f.evidence + ". " +
                  (faults.empty() ? std::string("No fault added: the scenario's own workload and faults.")
                                  : "Faults: " + faults + ".") +
                  " Rows naming " + f.intent + " are marked." +
                  (f.replay.empty() ? std::string() : " Replay: " + f.replay);
      q.source = e.path + " (" + e.command + ")";
      q.intent = f.intent;
      q.diagram = f.sequence;
      if (!q.diagram.participants.empty()) out.sequences.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace idemlab::plots
