#!/usr/bin/env python3
"""`idemlab load`: a parameter grid over a load script, per strategy. The JSON
is the same whatever --jobs; its figures are consistent with each other
(successes within intents, the timeline adding up to the intents, goodput
within the offered rate); an underloaded service answers everything and an
overloaded one does not; bad input (an unknown parameter, an empty grid, a
value that does not fit) is one line and exit 2."""
import json
import pathlib
import subprocess
import sys
import tempfile

IDEMLAB = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, condition, detail))


def run(*args, timeout=600):
    return subprocess.run([IDEMLAB, *args], capture_output=True, text=True, timeout=timeout)


def one_line_error(name, r, must_mention):
    lines = r.stderr.strip().splitlines()
    check(name, r.returncode == 2 and len(lines) == 1 and must_mention in lines[0],
          f"exit {r.returncode}, stderr {r.stderr[:400]!r}")


with tempfile.TemporaryDirectory(prefix="idemlab_load_") as temp:
    out = pathlib.Path(temp)
    grid = ["load", "offered_load", "--strategy", "baseline", "--strategy", "idempotency_key",
            "--param", "intents=200", "--param", "load=0.5,2", "--param", "retry=none,immediate"]
    one = run(*grid, "--jobs", "1", "--json", str(out / "one.json"))
    two = run(*grid, "--jobs", "2", "--json", str(out / "two.json"))
    check("load runs", one.returncode == 0 and two.returncode == 0, one.stderr[-400:] + two.stderr[-400:])
    if one.returncode == 0 and two.returncode == 0:
        check("the JSON does not depend on --jobs", (out / "one.json").read_bytes() == (out / "two.json").read_bytes())
        check("the table does not depend on --jobs", one.stdout == two.stdout)
        document = json.loads((out / "one.json").read_text())
        points = document["points"]
        for p in points:
            check(f"{p['strategy']} {p['settings']}: round trips counted per backend",
                  p["round_trips_per_intent"].get("postgres", 0) > 0 and p["round_trips_per_intent"].get("processor", 0) > 0,
                  str(p["round_trips_per_intent"]))
        check("one point per strategy and grid point", len(points) == 2 * 2 * 2, str(len(points)))
        for p in points:
            label = f"{p['strategy']} {p['settings']}"
            check(f"{label}: successes within intents", 0 <= p["succeeded"] <= p["intents"] == 2000)
            check(f"{label}: the timeline adds up to the intents (all within its first day)",
                  sum(p["timeline"]["arrivals"]) == p["intents"])
            check(f"{label}: as many successes over time as succeeded", sum(p["timeline"]["successes"]) == p["succeeded"])
            check(f"{label}: goodput within the offered rate", p["goodput_per_s"] <= p["offered_per_s"] + 1e-9)
            check(f"{label}: at least one attempt an intent", p["attempts_per_intent"] >= 1)
            if p["settings"]["retry"] == "none":
                check(f"{label}: no retries, one attempt an intent", p["attempts_per_intent"] == 1)
            if p["settings"]["load"] == "0.5":
                check(f"{label}: half the capacity is all answered", p["success_rate"] == 1, str(p["success_rate"]))
            else:
                check(f"{label}: twice the capacity is not", p["success_rate"] < 0.6, str(p["success_rate"]))
                check(f"{label}: and admission control shed some", p["shed"] > 0)
        pivot = run(*grid, "--pivot", "retry", "--metric", "success,amplification")
        check("--pivot makes the retry policies the columns",
              pivot.returncode == 0 and "| point | retry=none | retry=immediate |" in pivot.stdout, pivot.stdout[:600])

    # A trigger and the recovery: the episode is found, and the recovery
    # judged (a number of seconds or "never") for every policy.
    r = run("load", "steady_no_faults", "--strategy", "baseline", "--strategy", "idempotency_key",
            "--json", str(out / "steady.json"))
    check("steady_no_faults runs", r.returncode == 0, r.stderr[-400:])
    if r.returncode == 0:
        trips = {p["strategy"]: p["round_trips_per_intent"] for p in json.loads((out / "steady.json").read_text())["points"]}
        check("without faults the baseline's intent is one transaction (BEGIN, INSERT, COMMIT) and one charge",
              trips.get("baseline") == {"postgres": 3.0, "processor": 1.0}, str(trips))
        check("idempotency_key adds Redis round trips and PostgreSQL ones to the baseline's",
              trips["idempotency_key"].get("redis", 0) >= 2 and trips["idempotency_key"]["postgres"] > 3, str(trips))
    r = run("load", "processor_slowdown", "--strategy", "idempotency_key", "--param", "retry=none",
            "--json", str(out / "slowdown.json"))
    check("the slowdown scenario runs", r.returncode == 0, r.stderr[-400:])
    if r.returncode == 0:
        p = json.loads((out / "slowdown.json").read_text())["points"][0]
        check("the trigger is the episode", p["trigger"] == {"from_ns": 30 * 10**9, "until_ns": 40 * 10**9}, str(p.get("trigger")))
        check("without retries the service recovers after the trigger", p["recovered_after_ns"] is not None,
              str(p.get("recovered_after_ns")))
        buckets = p["timeline"]["successes"]
        check("goodput falls during the trigger", min(buckets[31:40]) < 0.5 * min(buckets[10:29]), str(buckets[:45]))

    one_line_error("an unknown parameter", run("load", "offered_load", "--param", "colour=red"), "unknown parameter")
    one_line_error("an empty grid", run("load", "offered_load", "--param", "load="), "empty grid")
    one_line_error("a value that is no number", run("load", "offered_load", "--param", "load=lots"), "load=")
    one_line_error("an unknown backoff", run("load", "offered_load", "--param", "retry=sometimes"), "unknown backoff")
    one_line_error("a parameter given twice",
                   run("load", "offered_load", "--param", "load=1", "--param", "load=2"), "given twice")
    one_line_error("load= on a closed-loop script", run("load", "steady_no_faults", "--param", "load=2"),
                   "$.workload.arrivals")
    one_line_error("--pivot on no parameter", run("load", "offered_load", "--pivot", "retry"), "--pivot")
    one_line_error("an unknown metric", run("load", "offered_load", "--param", "load=1", "--pivot", "load",
                                            "--metric", "happiness"), "--metric")
    values = ",".join(str(n) for n in range(1, 201))
    one_line_error("a grid of more than 10,000 points",
                   run("load", "offered_load", "--param", f"intents={values}", "--param", f"workers={values}"),
                   "more than 10000 points")
    one_line_error("an unknown scenario", run("load", "no_such_scenario"), "no_such_scenario")
    one_line_error("an unknown strategy", run("load", "offered_load", "--strategy", "nope"), "--strategy")

failed = [r for r in results if not r[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
print(f"{len(results) - len(failed)}/{len(results)} checks passed")
sys.exit(1 if failed else 0)
