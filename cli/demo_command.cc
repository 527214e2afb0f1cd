// `idemlab demo`: one deterministic run of the kernel's demonstration world
// (clients retrying payments over a lossy network against an API with no
// idempotency), printed as a timeline with the charges it caused.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/seed_option.h"
#include "models/retry_demo.h"
#include "sim/trace.h"

namespace idemlab::cli {
namespace {

struct DemoOptions {
  std::uint64_t seed = 1;
  int clients = 3;
  int payments = 2;
  std::string drop_request = "1/10";
  std::string drop_reply = "1/10";
  std::string duplicate = "0";
  bool no_crash = false;
  bool quiet = false;
  std::string trace_json;
  std::string record_tape;
  std::string replay_tape;
};

int run_demo(const DemoOptions& o) {
  check_outputs({{"--trace-json", o.trace_json}, {"--record-tape", o.record_tape}});
  models::RetryDemoConfig config;
  config.clients = o.clients;
  config.payments_per_client = o.payments;
  config.drop_request = parse_ratio(o.drop_request, "--drop-request");
  config.drop_reply = parse_ratio(o.drop_reply, "--drop-reply");
  config.duplicate = parse_ratio(o.duplicate, "--duplicate");
  config.crash_api = !o.no_crash;
  config.simulator.trace = sim::TraceLevel::kFull;

  std::unique_ptr<sim::Tape> tape;
  sim::RandomTape* recording = nullptr;
  if (!o.replay_tape.empty()) {
    const std::string text = read_file(o.replay_tape);
    try {
      tape = std::make_unique<sim::ReplayTape>(sim::tape_from_json(text));
    } catch (const std::runtime_error& e) {
      throw UsageError(o.replay_tape + ": " + e.what());
    }
  } else {
    auto random = std::make_unique<sim::RandomTape>(o.seed, !o.record_tape.empty());
    if (!o.record_tape.empty()) recording = random.get();
    tape = std::move(random);
  }

  const models::RetryDemoResult r = models::run_retry_demo(config, *tape);

  if (!o.quiet) std::fputs(r.timeline.c_str(), stdout);
  std::printf("\n%d payment intents: %d charged once, %d charged more than once, %d never charged\n", r.intents,
              r.charged_once, r.charged_more_than_once, r.never_charged);
  std::printf("clients: %d told success, %d gave up\n", r.client_successes, r.client_gave_up);
  std::printf("run: %s at %s after %llu events; trace hash %s\n", sim::run_stop_name(r.run.stop),
              sim::format_time(r.run.now).c_str(), static_cast<unsigned long long>(r.run.events),
              sim::hash_hex(r.trace_hash).c_str());
  if (o.replay_tape.empty()) {
    std::printf("reproduce with: idemlab demo --seed %llu\n", static_cast<unsigned long long>(o.seed));
  } else if (auto* replay = dynamic_cast<sim::ReplayTape*>(tape.get()); !replay->divergence().empty()) {
    std::printf("warning: the replay diverged from its tape at %s\n", replay->divergence().c_str());
  }
  if (!o.trace_json.empty()) write_file_atomically(o.trace_json, r.json_lines);
  if (recording != nullptr) write_file_atomically(o.record_tape, sim::tape_to_json(recording->recorded()) + "\n");
  return 0;
}

}  // namespace

void register_demo(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand(
      "demo", "One simulated run: clients retry payments against an API with no idempotency; prints the timeline");
  add_seed_option(*demo, "--seed", options->seed, "Seed of the decision tape");
  demo->add_option("--clients", options->clients, "Number of clients")->check(CLI::Range(1, 1000))->capture_default_str();
  demo->add_option("--payments", options->payments, "Payments per client")->check(CLI::Range(1, 1000))->capture_default_str();
  demo->add_option("--drop-request", options->drop_request, "Probability a request is lost, as N/D")->capture_default_str();
  demo->add_option("--drop-reply", options->drop_reply, "Probability a reply is lost (the payment ran), as N/D")->capture_default_str();
  demo->add_option("--duplicate", options->duplicate, "Probability a request is delivered twice, as N/D")->capture_default_str();
  demo->add_flag("--no-crash", options->no_crash, "Do not crash the API mid-run");
  demo->add_flag("-q,--quiet", options->quiet, "Print the summary only, not the timeline");
  demo->add_option("--trace-json", options->trace_json, "Write the trace as JSON lines to FILE");
  demo->add_option("--record-tape", options->record_tape, "Write the run's decision tape to FILE");
  demo->add_option("--replay-tape", options->replay_tape, "Replay the decision tape in FILE instead of a seed")
      ->excludes(demo->get_option("--record-tape"));
  demo->callback([options, &commands] { commands.selected = [options] { return run_demo(*options); }; });
}

}  // namespace idemlab::cli
