#!/usr/bin/env python3
"""What a user meets at the command line: usage errors are one line with exit
code 2, --help lists every subcommand, the demo is reproducible from its seed
and from its recorded tape, and a bad tape file is named with its JSON path."""
import json
import pathlib
import re
import signal
import subprocess
import sys
import tempfile

IDEMLAB = sys.argv[1]
SUBCOMMANDS = ["demo", "explore", "invariants", "merge", "rediscover", "replay", "run", "shrink", "sweep", "validate"]
results = []


def run(*args):
    return subprocess.run([IDEMLAB, *args], capture_output=True, text=True)


def check(name, condition, detail=""):
    results.append((name, condition, detail))


def usage_error(name, args, must_mention):
    r = run(*args)
    lines = r.stderr.strip().splitlines()
    check(name, r.returncode == 2 and len(lines) == 1 and must_mention in lines[0] and r.stdout == "",
          f"exit {r.returncode}, stderr {r.stderr!r}")


def trace_hash(output):
    match = re.search(r"trace hash ([0-9a-f]{16})", output)
    return match.group(1) if match else None


usage_error("no subcommand", [], "subcommand")
usage_error("unknown subcommand", ["frobnicate"], "frobnicate")
usage_error("unknown option", ["demo", "--bogus"], "--bogus")
usage_error("bad probability", ["demo", "--drop-reply", "3/2"], "--drop-reply")
usage_error("out of range", ["demo", "--clients", "0"], "--clients")
usage_error("missing tape file", ["demo", "--replay-tape", "/nonexistent/tape.json"], "/nonexistent/tape.json")

help_run = run("--help")
check("--help lists every subcommand", help_run.returncode == 0 and all(s in help_run.stdout for s in SUBCOMMANDS),
      help_run.stdout)

first, second, other = run("demo", "--seed", "5"), run("demo", "--seed", "5"), run("demo", "--seed", "6")
check("demo prints a timeline", first.returncode == 0 and " invoke " in first.stdout and " charge " in first.stdout,
      first.stdout[-500:])
check("same seed, same output", first.stdout == second.stdout)
check("another seed, another trace", trace_hash(first.stdout) != trace_hash(other.stdout))

with tempfile.TemporaryDirectory() as temp:
    tape = pathlib.Path(temp) / "tape.json"
    trace = pathlib.Path(temp) / "trace.jsonl"
    recorded = run("demo", "--seed", "9", "--quiet", "--record-tape", str(tape), "--trace-json", str(trace))
    replayed = run("demo", "--quiet", "--replay-tape", str(tape))
    check("recorded tape replays the run", recorded.returncode == 0 and replayed.returncode == 0 and
          trace_hash(recorded.stdout) is not None and trace_hash(recorded.stdout) == trace_hash(replayed.stdout),
          recorded.stdout + replayed.stdout + replayed.stderr)
    check("trace is JSON lines", trace.exists() and all(
        line.startswith('{"t_ns":') for line in trace.read_text().splitlines()))
    bad = pathlib.Path(temp) / "bad.json"
    bad.write_text('[[2, 1, "fault"], [2, 1, "luck"]]')
    usage_error("malformed tape names the JSON path", ["demo", "--replay-tape", str(bad)], "$[1][2]")

listing = run("invariants")
check("invariants prints every invariant with its paragraph",
      listing.returncode == 0 and "\nfailed_payment_not_charged (liveness" in listing.stdout
      and "\none_charge_one_answer\n  One charge, one answer" in listing.stdout
      and listing.stdout.startswith("at_most_one_charge\n  No payment intent is charged twice"), listing.stdout[:600])
one = run("invariants", "no_stuck_key")
check("invariants NAME prints that one", one.returncode == 0 and one.stdout.startswith("no_stuck_key (liveness")
      and "at_most_one_charge" not in one.stdout, one.stdout)
usage_error("unknown invariant", ["invariants", "no_double_charge"], "no_double_charge")
usage_error("unknown strategy", ["run", "partial_failure", "--strategy", "nope"], "nope")
usage_error("unknown scenario", ["run", "no_such_scenario", "--strategy", "baseline"], "no_such_scenario")
usage_error("unknown strategy in a sweep", ["sweep", "--strategy", "nope"], "nope")

violated = run("run", "partial_failure", "--strategy", "baseline", "--seed", "3", "--quiet")
check("run exits 1 when an invariant is violated",
      violated.returncode == 1 and "VIOLATED at_most_one_charge" in violated.stdout, violated.stdout[-400:])
safe = run("run", "partial_failure", "--strategy", "idempotency_key", "--seed", "3", "--quiet")
check("run exits 0 when none is", safe.returncode == 0 and "no invariant violated" in safe.stdout, safe.stdout[-400:])
again = run("run", "partial_failure", "--strategy", "idempotency_key", "--seed", "3", "--quiet")
check("run is reproducible from its seed", trace_hash(again.stdout) == trace_hash(safe.stdout))
table = run("sweep", "--seeds", "3", "--scenario", "partial_failure", "--check")
check("sweep prints the strategy x scenario table",
      table.returncode == 0 and "| baseline | at_most_one_charge 3/3" in table.stdout and "| idempotency_key | safe |" in table.stdout,
      table.stdout + table.stderr)

catalogue = run("sweep", "--seeds", "2", "--catalogue", "--strategy", "baseline", "--strategy", "natural")
check("sweep --catalogue puts the scenarios down the rows",
      catalogue.returncode == 0 and "| scenario | baseline | natural |" in catalogue.stdout
      and "| identical_purchases_merged | safe |" in catalogue.stdout, catalogue.stdout[-600:] + catalogue.stderr)

with tempfile.TemporaryDirectory(prefix="sweep_csv_") as temp:
    sweep_csv = pathlib.Path(temp) / "sweep.csv"
    swept = run("sweep", "--seeds", "3", "--scenario", "partial_failure", "--scenario", "network_timeout",
                "--csv", str(sweep_csv))
    lines = sweep_csv.read_text().splitlines() if sweep_csv.exists() else []
    check("sweep --csv writes one row per scenario and strategy",
          swept.returncode == 0 and lines and lines[0].startswith("scenario,strategy,runs,runs_with_violations,")
          and "partial_failure,baseline,3,3,3," in sweep_csv.read_text(), "\n".join(lines[:3]))

# explore: a search from the workload alone, whose counterexample replays.
with tempfile.TemporaryDirectory(prefix="explore_") as temp:
    explored = run("explore", "crash_after_charge_before_commit", "--strategy", "baseline", "--strategy",
                   "idempotency_key", "--without-script-faults", "--faults", "1", "--out", temp)
    replay_line = [line.strip() for line in explored.stdout.splitlines() if line.strip().startswith("replay: idemlab run ")]
    check("explore finds the baseline's double charge with one fault, and not the key's",
          explored.returncode == 1 and "VIOLATED at_most_one_charge" in explored.stdout
          and "idempotency_key: " in explored.stdout and "space exhausted" in explored.stdout
          and len(replay_line) == 1, explored.stdout[-800:] + explored.stderr)
    if replay_line:
        replayed = run(*replay_line[0].split()[2:], "-q")
        check("explore's counterexample replays to the same violation",
              replayed.returncode == 1 and "VIOLATED at_most_one_charge" in replayed.stdout, replayed.stdout[-400:])
    shrink_line = [line.strip() for line in explored.stdout.splitlines() if line.strip().startswith("shrink: idemlab ")]
    if shrink_line:
        shrunk_path = str(pathlib.Path(temp) / "shrunk.json")
        shrunk = run(*shrink_line[0].split()[2:], "-o", shrunk_path)
        replayed = run("run", shrunk_path, "--strategy", "baseline", "-q")
        check("explore prints the command that shrinks its counterexample, and the result replays",
              shrunk.returncode == 0 and "faults 1," in shrunk.stdout and "clients 1," in shrunk.stdout
              and replayed.returncode == 1 and "schedule followed" in replayed.stdout
              and "VIOLATED at_most_one_charge" in replayed.stdout, shrunk.stdout + shrunk.stderr + replayed.stdout[-300:])
    check("explore prints a shrink command per violation", len(shrink_line) == 1, explored.stdout[-600:])
    usage_error("shrink refuses a run that breaks nothing",
                ["shrink", "client_retry_after_lost_response", "--strategy", "idempotency_key", "--seed", "3",
                 "-o", str(pathlib.Path(temp) / "never.json")], "nothing to shrink")
    usage_error("explore refuses more than 4 faults", ["explore", "partial_failure", "--faults", "9", "--out", temp],
                "--faults")
    usage_error("explore names an unknown strategy", ["explore", "partial_failure", "--strategy", "nope", "--out", temp],
                "nope")
    usage_error("explore names an unknown scenario", ["explore", "no_such_scenario", "--out", temp], "no_such_scenario")
    swept = run("sweep", "--scenario", "crash_after_charge_before_commit", "--strategy", "baseline", "--strategy",
                "idempotency_key", "--seeds", "3")
    sweep_shrinks = [line.strip() for line in swept.stdout.splitlines() if line.strip().startswith("idemlab shrink ")]
    check("sweep prints one shrink command per violated cell and invariant, none for a safe cell",
          len(sweep_shrinks) == 1 and "--strategy baseline" in sweep_shrinks[0], swept.stdout[-600:])
    if sweep_shrinks:
        shrunk = run(*sweep_shrinks[0].split()[1:], "-o", str(pathlib.Path(temp) / "from_sweep.json"))
        check("sweep's shrink command shrinks the violation", shrunk.returncode == 0 and "faults 1," in shrunk.stdout,
              shrunk.stdout + shrunk.stderr)
    usage_error("explore refuses --actions with --swarm", ["explore", "partial_failure", "--swarm", "--actions", "crash",
                                                            "--out", temp], "--actions")
    usage_error("explore names an unknown action", ["explore", "partial_failure", "--actions", "crash,explode",
                                                   "--out", temp], "explode")
    delays = run("explore", "crash_after_charge_before_commit", "--strategy", "baseline", "--without-script-faults",
                 "--faults", "1", "--actions", "delay", "--out", temp)
    delay_lines = [line.strip() for line in delays.stdout.splitlines() if line.strip().startswith("delay at ")]
    check("explore --actions delay places delays only; one past the caller's timeout double-charges the baseline",
          delays.returncode == 1 and "VIOLATED at_most_one_charge" in delays.stdout and len(delay_lines) == 1
          and " by " in delay_lines[0] and "space exhausted" in delays.stdout, delays.stdout[-600:] + delays.stderr)
    delay_replay = [line.strip() for line in delays.stdout.splitlines() if line.strip().startswith("replay: ")]
    if delay_replay:
        replayed = run(*delay_replay[0].split()[2:], "-q")
        check("a delay's counterexample replays, its amount written in the script",
              replayed.returncode == 1 and "VIOLATED at_most_one_charge" in replayed.stdout, replayed.stdout[-400:])
    scheduled = run("explore", "concurrent_identical_requests", "--strategy", "get_then_set_claim", "--strategy",
                    "idempotency_key", "--without-script-faults", "--schedules", "--deviations", "1",
                    "--max-runs", "300", "--out", temp)
    schedule_replay = [line.strip() for line in scheduled.stdout.splitlines()
                       if line.strip().startswith("replay: idemlab run ")]
    check("explore --schedules reports choice points and interleavings, and a racy claim's double charge",
          scheduled.returncode == 1 and "VIOLATED at_most_one_charge" in scheduled.stdout
          and "latency choice points" in scheduled.stdout and "distinct interleavings" in scheduled.stdout
          # one replay per invariant broken: at_most_one_charge, one_charge_one_answer, replay_matches_first
          and len(schedule_replay) == 3, scheduled.stdout[-800:] + scheduled.stderr)
    if schedule_replay:
        replayed = run(*schedule_replay[0].split()[2:], "-q")
        check("a schedule's counterexample replays from its recorded schedule",
              replayed.returncode == 1 and "schedule followed" in replayed.stdout
              and "VIOLATED at_most_one_charge" in replayed.stdout, replayed.stdout[-400:])
    usage_error("explore refuses --pct without --schedules", ["explore", "partial_failure", "--pct", "3", "--out", temp],
                "--pct")
    usage_error("explore refuses more than 4 deviations",
                ["explore", "partial_failure", "--schedules", "--deviations", "9", "--out", temp], "--deviations")
    usage_error("explore refuses a --dot it cannot write, before searching",
                ["explore", "partial_failure", "--schedules", "--dot", "/nonexistent/dir/states.dot", "--out", temp],
                "--dot")
    usage_error("explore refuses --schedules with --swarm",
                ["explore", "partial_failure", "--schedules", "--swarm", "--out", temp], "--schedules")
    blocker = pathlib.Path(temp) / "a_file"
    blocker.write_text("")
    usage_error("explore refuses an --out that is a file", ["explore", "partial_failure", "--out", str(blocker)],
                "--out")

# Sharded sweeps: the merge of the shards is the whole sweep's file, byte for byte.
with tempfile.TemporaryDirectory(prefix="shards_") as temp:
    t = pathlib.Path(temp)
    common = ["sweep", "--scenario", "crash_after_charge_before_commit", "--strategy", "baseline", "--strategy",
              "idempotency_key", "--seeds", "12"]
    whole = run(*common, "--json", str(t / "whole.json"))
    shards = [run(*common, "--shard", f"{i}/3", "--jobs", "1", "--json", str(t / f"s{i}.json")) for i in (1, 2, 3)]
    merged = run("merge", str(t / "s2.json"), str(t / "s3.json"), str(t / "s1.json"), "-o", str(t / "merged.json"))
    same = (t / "merged.json").exists() and (t / "whole.json").read_bytes() == (t / "merged.json").read_bytes()
    check("merge of three shards equals the unsharded sweep byte for byte",
          whole.returncode == 0 and all(s.returncode == 0 for s in shards) and merged.returncode == 0 and same,
          merged.stdout[-300:] + merged.stderr)
    usage_error("sweep refuses the shard 3/2", [*common, "--shard", "3/2"], "--shard")
    usage_error("sweep refuses the shard 0/2", [*common, "--shard", "0/2"], "--shard")
    usage_error("merge refuses a missing shard", ["merge", str(t / "s1.json"), str(t / "s2.json"), "-o",
                                                  str(t / "m.json")], "3/3 is missing")
    usage_error("merge refuses a file that is not there", ["merge", str(t / "none.json"), "-o", str(t / "m.json")],
                "none.json")
    other = run("sweep", "--scenario", "partial_failure", "--strategy", "baseline", "--strategy", "idempotency_key",
                "--seeds", "12", "--shard", "1/3", "--json", str(t / "other.json"))
    usage_error("merge refuses shards of another scenario", ["merge", str(t / "other.json"), str(t / "s2.json"),
                                                             str(t / "s3.json"), "-o", str(t / "m.json")], "scenarios")
    huge = json.loads((t / "s1.json").read_text())
    huge["shard"] = {"index": 1, "count": 10**18}
    (t / "huge.json").write_text(json.dumps(huge))
    usage_error("merge answers a file claiming 10^18 shards with one line, not an allocation",
                ["merge", str(t / "huge.json"), "-o", str(t / "m.json")], "is missing")
    check("a refused merge writes nothing", not (t / "m.json").exists(), "")

# Ctrl-C: the sweep stops between chunks and writes what it has, marked partial.
with tempfile.TemporaryDirectory(prefix="interrupt_") as temp:
    partial_json = pathlib.Path(temp) / "partial.json"
    sweeping = subprocess.Popen([IDEMLAB, "sweep", "--all", "--seeds", "100000", "--json", str(partial_json)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Its first progress line (after 10 s, stderr not being a terminal) says the handler is in place.
    first_progress = sweeping.stderr.readline()
    sweeping.send_signal(signal.SIGINT)
    out, err = sweeping.communicate(timeout=300)
    saved = json.loads(partial_json.read_text()) if partial_json.exists() else {}
    check("Ctrl-C ends a sweep with its partial results, said to be partial (exit 130)",
          first_progress.startswith("sweep: ") and sweeping.returncode == 130 and "PARTIAL: interrupted" in out
          and "not run (interrupted)" in out and saved.get("complete") is False
          and sum(c["runs"] for c in saved.get("cells", [])) > 0, first_progress + err[-300:] + out[-300:])
    usage_error("merge refuses an interrupted sweep's file", ["merge", str(partial_json), "-o",
                                                              str(pathlib.Path(temp) / "m.json")], "interrupted")

failed = [r for r in results if not r[1]]
for name, _, detail in failed:
    print(f"FAIL: {name}: {detail}")
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
