#!/usr/bin/env python3
"""Every input gets an answer and never a crash: each bad or extreme input the
hardening issue found (scripts that aborted or hung, loose JSON, wild seeds,
conflicting flags, unwritable outputs) exits with a clear outcome or a one-line
error and a documented code, never by a signal. Each check failed before the
fix it guards."""
import json
import os
import pathlib
import stat
import subprocess
import sys
import tempfile

IDEMLAB = sys.argv[1]
results = []
TIMEOUT_S = 120


def run(*args, timeout=TIMEOUT_S):
    try:
        return subprocess.run([IDEMLAB, *args], capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -999, "", f"timed out after {timeout} s")


def check(name, condition, detail=""):
    results.append((name, condition, detail))


def script(folder, name, **fields):
    path = pathlib.Path(folder) / f"{name}.json"
    path.write_text(json.dumps({"format": "idemlab-scenario/1", "name": "hardening", **fields}))
    return str(path)


def one_line_error(name, r, code, must_mention):
    lines = r.stderr.strip().splitlines()
    check(name, r.returncode == code and len(lines) == 1 and must_mention in lines[0],
          f"exit {r.returncode}, stderr {r.stderr[:600]!r}")


STRATEGIES = ["baseline", "idempotency_key", "db_unique", "outbox", "saga", "dedup_queue"]

with tempfile.TemporaryDirectory(prefix="idemlab_hardening_") as temp:
    # Scripts a user can legally write that aborted (exit 134) or crashed.
    for name, fields in {
        "drop every request": {"network": {"drop_request": "1"}},
        "drop nearly every request": {"network": {"drop_request": "999999/1000000"}},
        "a run limit shorter than the setup": {"run_limit": "1ns", "fault_phase": "0"},
    }.items():
        path = script(temp, name.replace(" ", "_"), **fields)
        for strategy in STRATEGIES:
            r = run("run", path, "--strategy", strategy, "-q")
            check(f"{name} ({strategy}): set-up failed, exit 4",
                  r.returncode == 4 and "set-up failed: the strategy's setup" in r.stdout, r.stdout[-300:] + r.stderr)

    two_crashes = script(temp, "two_crashes", faults=[{"at": "after:processor.charge", "action": "crash"},
                                                      {"at": "after:processor.charge", "action": "crash"}])
    r = run("run", two_crashes, "--strategy", "baseline", "-q")
    check("two crashes at one point: the second is not taken, with the reason",
          r.returncode in (0, 1) and "not taken: api is already down" in r.stdout, r.stdout[-400:] + r.stderr)

    no_replica = script(temp, "no_replica", faults=[{"at": "after:processor.charge", "action": "failover_redis"}])
    r = run("run", no_replica, "--strategy", "idempotency_key", "-q")
    check("failover without a replica is not taken",
          r.returncode == 0 and "not taken: the world has no Redis replica" in r.stdout, r.stdout[-400:] + r.stderr)

    duplicates = script(temp, "duplicates", network={"duplicate": "1"})
    for strategy in STRATEGIES:
        r = run("run", duplicates, "--strategy", strategy, "-q")
        check(f"every request duplicated ({strategy}) ends with an outcome", r.returncode in (0, 1, 4),
              f"exit {r.returncode}: {r.stderr[-300:]}")

    r = run("run", script(temp, "huge_timeout", client={"request_timeout": "9223372036854775807ns"}),
            "--strategy", "baseline")
    one_line_error("a duration past the clock's end is refused", r, 2, "$.client.request_timeout: must be at most")

    r = run("run", script(temp, "maxima", clients=10000, workload={"intents": 100000}), "--strategy", "baseline")
    one_line_error("the schema's maxima are refused with the estimated memory", r, 2, "MiB for one world")

    deep = pathlib.Path(temp) / "deep.json"
    deep.write_text('{"format": "idemlab-scenario/1", "name": "x", "schedule": {"strategy": "baseline", "seed": 1, '
                    '"steps": [], "tape": ' + "[" * 100000 + "]" * 100000 + "}}")
    r = run("run", str(deep), "--strategy", "baseline")
    one_line_error("nesting 100,000 levels deep is an error naming the path", r, 2, "nested deeper than 64 levels")

    r = run("run", script(temp, "spin", strategy_options={"poll_interval": "0ns"}), "--strategy", "outbox")
    one_line_error("a zero poll interval (a loop that never yields) is refused", r, 2, "poll_interval: must be positive")

    r = run("run", script(temp, "never_starts", workload={"think_mean": "9000h"}, run_limit="60s"),
            "--strategy", "baseline", "-q")
    check("a workload that never starts says so (exit 4)",
          r.returncode == 4 and "the workload never started" in r.stdout, r.stdout[-300:] + r.stderr)

    # A world that spins through events until the bound: did not converge, not a hang.
    r = run("run", script(temp, "busy", rabbitmq={"consumer_timeout": "0"}, event_limit=200000),
            "--strategy", "outbox", "-q")
    check("a run that hits the event bound did not converge (exit 4), liveness not judged",
          r.returncode == 4 and "did not converge within" in r.stdout and "liveness not judged" in r.stdout,
          r.stdout[-400:] + r.stderr)

    # Strict JSON.
    raw = {
        "duplicate key": (b'{"format": "idemlab-scenario/1", "name": "x", "name": "y"}', "$.name: key given twice"),
        "NUL byte": (b'{"format": "idemlab-scenario/1", "name": "x"}\0 {"junk": 1}', "a NUL byte"),
        "trailing garbage": (b'{"format": "idemlab-scenario/1", "name": "x"} xx', "expected end of input"),
        "byte-order mark inside": (b'{"format": "idemlab-scenario/1", "name": \xef\xbb\xbf"x"}', "$.name: not JSON"),
    }
    for name, (text, mention) in raw.items():
        path = pathlib.Path(temp) / "raw.json"
        path.write_bytes(text)
        one_line_error(f"strict JSON: {name}", run("run", str(path), "--strategy", "baseline"), 2, mention)
    bom = pathlib.Path(temp) / "bom.json"
    bom.write_bytes(b'\xef\xbb\xbf{"format": "idemlab-scenario/1", "name": "x"}')
    r = run("run", str(bom), "--strategy", "baseline", "-q")
    check("a byte-order mark at the start is accepted", r.returncode == 0, r.stderr)

    r = run("run", script(temp, "escape", redis={"persistence": "\x1b[2J\x1b[31m" + "a" * 10_000_000}),
            "--strategy", "baseline")
    one_line_error("a 10 MB value is quoted in at most about 80 characters", r, 2, "(10000009 bytes)")
    check("an ANSI escape never reaches the terminal raw", "\x1b" not in r.stderr and "\\u001b[2J" in r.stderr
          and len(r.stderr) < 600, repr(r.stderr[:300]))

    # Files that cannot be read say why.
    directory = pathlib.Path(temp) / "x.json"
    directory.mkdir()
    one_line_error("a directory named x.json", run("run", str(directory), "--strategy", "baseline"), 2,
                   "Is a directory")
    one_line_error("a missing script", run("run", str(pathlib.Path(temp) / "missing.json"), "--strategy", "baseline"),
                   2, "No such file or directory")
    if os.geteuid() != 0:  # root reads any file whatever its mode
        unreadable = pathlib.Path(script(temp, "unreadable"))
        unreadable.chmod(0)
        one_line_error("an unreadable script", run("run", str(unreadable), "--strategy", "baseline"), 2,
                       "Permission denied")

    # Seeds.
    for seed in ["-1", "18446744073709551616", "", "+5", " 5", "1e3"]:
        one_line_error(f"--seed {seed!r} is refused", run("run", "partial_failure", "--strategy", "baseline",
                                                          "--seed", seed), 2, "--seed")
    r = run("run", "partial_failure", "--strategy", "baseline", "--seed", "18446744073709551615", "-q")
    check("the last seed is a seed", r.returncode == 1 and "seed 18446744073709551615" in r.stdout, r.stderr)
    one_line_error("a seed range that wraps past 2^64 is refused",
                   run("sweep", "--seeds", "3", "--first-seed", "18446744073709551614", "--scenario", "partial_failure"),
                   2, "runs past the last seed")

    # Conflicting flags.
    for args, mention in [(["--catalogue", "--all"], "excludes"), (["--catalogue", "--scenario", "x"], "excludes"),
                          (["--all", "--scenario", "x"], "excludes"), (["--require-expected"], "requires --check")]:
        one_line_error(f"sweep {' '.join(args)} is refused", run("sweep", *args), 2, mention)

    # Outputs: refused before the run, written into devices, never replacing what is not a file.
    sweep = ["sweep", "--seeds", "1", "--scenario", "partial_failure", "--strategy", "baseline"]
    one_line_error("an output in a missing directory is refused before the run",
                   run(*sweep, "--markdown", "/nonexistent/x.md"), 2, "--markdown /nonexistent/x.md: cannot write")
    one_line_error("an output that is a directory is refused", run(*sweep, "--csv", temp), 2, "Is a directory")
    r = run(*sweep, "--markdown", "/dev/full")
    full = os.stat("/dev/full")
    check("a write error is reported (exit 2) and the device stays a device",
          r.returncode == 2 and "No space left on device" in r.stderr and stat.S_ISCHR(full.st_mode), r.stderr)
    r = run(*sweep, "--markdown", "/dev/stdout")
    check("/dev/stdout is written into", r.returncode == 0 and r.stdout.count("| baseline |") == 2, r.stdout + r.stderr)
    target = pathlib.Path(temp) / "target.md"
    target.write_text("old")
    link = pathlib.Path(temp) / "link.md"
    link.symlink_to(target)
    r = run(*sweep, "--markdown", str(link))
    check("a symbolic link stays a link; its target is replaced",
          r.returncode == 0 and link.is_symlink() and "| baseline |" in target.read_text(), r.stderr)
    leftovers = [p.name for p in pathlib.Path(temp).iterdir() if ".idemlab-" in p.name]
    check("no temporary file is left behind", not leftovers, str(leftovers))

    # A sweep survives a bad cell.
    r = run("sweep", "--seeds", "2", "--strategy", "baseline", "--scenario", "partial_failure",
            "--scenario", str(pathlib.Path(temp) / "missing.json"),
            "--scenario", script(temp, "setup_fails", network={"drop_request": "1"}))
    check("a sweep reports a bad cell and completes the others (exit 2)",
          r.returncode == 2 and "| partial_failure | at_most_one_charge 2/2" in r.stdout
          and "error: the script could not be loaded" in r.stdout and "set-up failed 2/2" in r.stdout,
          r.stdout + r.stderr)

for name, ok, detail in results:
    if not ok:
        print(f"FAIL: {name}: {detail}")
failed = [r for r in results if not r[1]]
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
