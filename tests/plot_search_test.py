#!/usr/bin/env python3
"""`idemlab plot` of explorations, validations, calibrations and the cost model:
explore --json records how the search grew and each first counterexample's
sequence diagram, the same diagram `idemlab run --mermaid` writes; the
coverage, interleavings and first-violation figures draw the file's numbers,
read back from their data files; each counterexample is an SVG sequence
diagram with one element a step that shows the double charge; validate's
agreement is drawn with its 95% Wilson interval and the latency error as
simulated less live over live; calibrate's operations with their spread;
the report's cost model ranks the strategies from the sweep and a steady
load run, and a sweep gives a diagram per invariant it saw violated, its
example run made again; bad input is one line naming the JSON path, exit 2."""
import html
import json
import math
import pathlib
import re
import subprocess
import sys
import tempfile

IDEMLAB = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def run(*args, timeout=600):
    return subprocess.run([IDEMLAB, *args], capture_output=True, text=True, timeout=timeout)


def one_line_error(name, r, must_mention):
    lines = r.stderr.strip().splitlines()
    check(name, r.returncode == 2 and len(lines) == 1 and must_mention in lines[0],
          f"exit {r.returncode}, stderr {r.stderr[:400]!r}")


def blocks(path):
    """A chart's data file: {series title: [[numbers...], ...]}."""
    out, title = {}, None
    for line in pathlib.Path(path).read_text().splitlines():
        if line.startswith("# series "):
            title = line.split(": ", 1)[1].removesuffix(" (x y low high)")
            out[title] = []
        elif line.strip() and not line.startswith("#"):
            out[title].append([float(v) for v in line.split()])
    return out


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def wilson(k, n):
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def percentiles(p50):
    return {"samples": 100, "p5": p50 // 2, "p50": p50, "p95": p50 * 2, "p99": p50 * 3}


with tempfile.TemporaryDirectory(prefix="idemlab_plot_search_") as temp:
    out = pathlib.Path(temp)
    explore = out / "explore.json"
    r = run("explore", "partial_failure", "--strategy", "baseline", "--strategy", "idempotency_key",
            "--strategy", "redis_lock_del_in_finally", "--max-runs", "60", "--out", str(out / "cx"), "--json", str(explore))
    check("explore --json: written, exit 1 (violations found)", r.returncode == 1 and explore.exists(), r.stderr[-400:])
    e = json.loads(explore.read_text()) if explore.exists() else {"strategies": []}
    check("explore --json records its format, mode and command",
          e.get("format") == "idemlab-explore/1" and e.get("mode") == "placements"
          and e.get("command", "").startswith("idemlab explore partial_failure"), {k: e.get(k) for k in ("format", "mode")})
    by_strategy = {s["strategy"]: s for s in e["strategies"]}
    for s in e["strategies"]:
        p = s["progress"]
        check(f"{s['strategy']}: the growth ends at the search's totals, runs rising",
              p and p[-1]["runs"] == s["runs"] and p[-1]["interleavings"] == s["interleavings"]
              and p[-1]["pairs_covered"] == s["pairs_covered"] and p[-1]["pairs_seen"] == s["pairs_seen"]
              and all(a["runs"] < b["runs"] for a, b in zip(p, p[1:]))
              and all(q["pairs_covered"] <= q["pairs_seen"] and q["interleavings"] <= q["runs"] for q in p), p[-3:])
    baseline = by_strategy.get("baseline", {"violations": []})
    double = next((v for v in baseline["violations"] if v["invariant"] == "at_most_one_charge"), None)
    check("the baseline's double charge is found, with its diagram", double and double["sequence"]["steps"], baseline)

    r = run("plot", str(explore), "-o", str(out / "fig"))
    check("plot draws the exploration", r.returncode == 0, r.stderr[-400:])
    index = json.loads((out / "fig" / "figures.json").read_text())["figures"] if r.returncode == 0 else []
    names = {f["name"]: f for f in index}
    findings = [(s["strategy"], v) for s in e["strategies"] for v in s["violations"]]
    check("a coverage, an interleavings and a first-violation figure, and one diagram a violated invariant",
          {"explore-coverage", "explore-interleavings", "explore-first-violation"} <= set(names)
          and sum(f["kind"] == "sequence" for f in index) == len(findings) > 0, sorted(names))

    if "explore-coverage" in names:
        drawn = blocks(out / "fig" / "explore-coverage.dat")
        for s in e["strategies"]:
            want = [(q["runs"], q["pairs_covered"] / q["pairs_seen"] if q["pairs_seen"] else 0) for q in s["progress"]]
            got = drawn.get(s["strategy"], [])
            check(f"coverage of {s['strategy']}: the share of pairs placed at each point of the growth",
                  len(got) == len(want) and all(close(a[0], b[0]) and close(a[1], b[1]) for a, b in zip(got, want)),
                  (got[:3], want[:3]))
        drawn = blocks(out / "fig" / "explore-interleavings.dat")
        check("interleavings: the file's counts at each point",
              all([[q["runs"], q["interleavings"]] for q in s["progress"]] == drawn.get(s["strategy"])
                  for s in e["strategies"]), list(drawn)[:3])
        drawn = blocks(out / "fig" / "explore-first-violation.dat")
        order = [s["strategy"] for s in e["strategies"]]
        want = {}
        for strategy, v in findings:
            want.setdefault(v["invariant"], []).append([order.index(strategy), v["first_run"]])
        check("runs to the first violation: a bar per strategy and invariant at its first run", drawn == want,
              (drawn, want))

    for strategy, v in findings:
        name = f"explore-{strategy}-{v['invariant']}"
        if name not in names:
            check(f"the diagram {name} is drawn", False, sorted(names))
            continue
        svg = (out / "fig" / names[name]["svg"]).read_text()
        rows = [line.split("\t") for line in (out / "fig" / names[name]["data"]).read_text().splitlines()
                if not line.startswith("#")]
        steps = v["sequence"]["steps"]
        check(f"{name}: its data file is the file's steps, in order",
              [(r[1], r[2], r[3], r[4], r[6]) for r in rows] ==
              [(str(s["at_ns"]), s["kind"], s["from"], s["to"] or "-", s["text"]) for s in steps], rows[:2])
        drawn_steps = re.findall(r'<g class="(call|reply|lost_reply|lost_request|outcome|event|command)( marked)?">', svg)
        check(f"{name}: an SVG element a step, those naming {v['intent']} marked",
              len(drawn_steps) == len(steps) and
              [bool(m) for _k, m in drawn_steps] == [v["intent"] in s["text"] for s in steps], len(drawn_steps))
        check(f"{name}: an SVG with its title and one lifeline a participant",
              svg.startswith("<?xml") and f"<title>{html.escape(names[name]['title'], quote=False)}" in svg
              .replace("&#39;", "'") and svg.count('class="participant"') == len(v["sequence"]["participants"]))

    if double:
        charges = [s for s in double["sequence"]["steps"]
                   if s["kind"] == "call" and s["to"] == "processor" and double["intent"] in s["text"]]
        check("the double charge's diagram shows both charge requests of its intent to the processor",
              len(charges) >= 2, len(charges))
        script = re.search(r"idemlab run (\S+) --strategy baseline --seed (\d+)", double["replay"])
        mermaid = out / "double.mmd"
        if script:
            r = run("run", script.group(1), "--strategy", "baseline", "--seed", script.group(2), "-q",
                    "--mermaid", str(mermaid))
        text = mermaid.read_text() if mermaid.exists() else ""
        participants = re.findall(r"^  participant \S+ as (.*)$", text, re.M)
        calls = len(re.findall(r"^  \w+->>\w+: ", text, re.M))  # calls; replies are -->>
        check("the diagram is the one `idemlab run --mermaid` writes of the replayed counterexample",
              participants == double["sequence"]["participants"]
              and calls == sum(s["kind"] == "call" for s in double["sequence"]["steps"]), (participants, calls))

    for mode, flags in (("swarm", ["--swarm", "--max-runs", "20"]), ("schedules", ["--schedules", "--max-runs", "20"])):
        path = out / f"{mode}.json"
        r = run("explore", "concurrent_identical_requests", "--strategy", "baseline", "--strategy", "db_unique", *flags,
                "--out", str(out / "cx"), "--json", str(path))
        found = json.loads(path.read_text()) if path.exists() else {}
        check(f"explore --{mode} --json: written, its mode said", found.get("mode") == mode, r.stderr[-300:])
        r = run("plot", str(path), "-o", str(out / mode))
        drawn = {f["name"] for f in json.loads((out / mode / "figures.json").read_text())["figures"]} \
            if r.returncode == 0 else set()
        check(f"{mode}: its figures drawn" + (", no coverage (no fault placed)" if mode == "schedules" else ""),
              f"{mode}-interleavings" in drawn and (f"{mode}-coverage" in drawn) == (mode == "swarm"), (r.stderr, drawn))

    # validate and calibrate need the live servers to run; their files' plotting does not.
    validate = {"format": "idemlab-validate/1", "version": "test", "command": "idemlab validate --real", "calibration": "",
                "seeds_per_failure_scenario": 2,
                "strategies": [{"strategy": "baseline", "runs": 4, "agreeing": 3, "simulated_violating": 4,
                                "real_violating": 3, "simulated_latency_ns": percentiles(2_000_000),
                                "real_latency_ns": percentiles(2_500_000)},
                               {"strategy": "db_unique", "runs": 4, "agreeing": 4, "simulated_violating": 0,
                                "real_violating": 0, "simulated_latency_ns": percentiles(6_000_000),
                                "real_latency_ns": percentiles(4_000_000)}],
                "runs": [{"scenario": "partial_failure", "strategy": "baseline", "seed": 1, "drawn": True, "agree": False,
                          "differences": 2, "live_schedule": "",
                          "simulated": {"violated": ["at_most_one_charge"]}, "real": {"violated": []}}],
                "not_run": [{"scenario": "redis_failover_loses_claim", "reason": "needs --infra"}]}
    calibrate = {"format": "idemlab-calibrate/1", "version": "test", "command": "idemlab calibrate --real",
                 "machine": "a test", "samples": 100, "concurrency": 2,
                 "operations": [{"operation": "redis.get", "alone_ns": percentiles(100_000),
                                 "under_load_ns": percentiles(150_000)},
                                {"operation": "pg.commit", "alone_ns": percentiles(400_000), "under_load_ns": None}],
                 "compare": {"scenario": "steady_no_faults", "calibration": "c.json", "sim_seeds": 1, "real_runs": 1,
                             "p50_tolerance": 0.25, "p99_tolerance": 0.5,
                             "strategies": [{"strategy": "db_unique", "simulated_latency_ns": percentiles(3_000_000),
                                             "real_latency_ns": percentiles(4_000_000), "met": False}]}}
    (out / "validate.json").write_text(json.dumps(validate))
    (out / "calibrate.json").write_text(json.dumps(calibrate))
    r = run("plot", str(out / "validate.json"), str(out / "calibrate.json"), "-o", str(out / "live"))
    check("plot draws validate and calibrate results", r.returncode == 0, r.stderr[-400:])
    if r.returncode == 0:
        agreement = blocks(out / "live" / "validate-agreement.dat")["runs agreeing"]
        want = [[i, k / n, *wilson(k, n)] for i, (k, n) in enumerate([(3, 4), (4, 4)])]
        check("agreement: the share of runs agreeing with its 95% Wilson interval",
              len(agreement) == 2 and all(all(close(a, b) for a, b in zip(g, w)) for g, w in zip(agreement, want)),
              (agreement, want))
        error = blocks(out / "live" / "validate-error.dat")
        check("the latency error: simulated less live over live, p50 and p99",
              [[x, round(y, 6)] for x, y in error["p50"]] == [[0, -20.0], [1, 50.0]] and
              [[x, round(y, 6)] for x, y in error["p99"]] == [[0, -20.0], [1, 50.0]], error)
        latency = blocks(out / "live" / "validate-latency.dat")
        check("latency: the p50s with their p5..p95 spread (ms), simulated and live",
              latency["p50 simulated"] == [[0, 2, 1, 4], [1, 6, 3, 12]] and latency["p50 live"][0] == [0, 2.5, 1.25, 5],
              latency)
        ops = blocks(out / "live" / "calibrate-operations.dat")
        check("calibrate: each operation's p50 and spread (us), alone and under load where measured",
              ops["alone"] == [[0, 100, 50, 200], [1, 400, 200, 800]] and ops["under load"] == [[0, 150, 75, 300]], ops)
        check("calibrate --compare's error figure", blocks(out / "live" / "calibrate-error.dat")["p50"] == [[0, -25]])
        report = (out / "live" / "report.html").read_text()
        check("the report has both sections, the run that disagrees marked and the scenario not run named",
              'id="validate-' in report and 'id="calibrate-' in report and 'class="violated">no' in report
              and "redis_failover_loses_claim</code>: needs --infra" in report)

    # The cost model: the sweep's verdicts beside a steady load run with a baseline.
    run("sweep", "--scenario", "client_retry_after_lost_response", "--scenario", "concurrent_identical_requests",
        "--strategy", "baseline", "--strategy", "idempotency_key", "--strategy", "db_unique", "--seeds", "3",
        "--json", str(out / "sweep.json"))
    run("load", "steady_no_faults", "--strategy", "baseline", "--strategy", "idempotency_key", "--strategy", "db_unique",
        "--param", "intents=60", "--json", str(out / "steady.json"))
    r = run("plot", str(out / "sweep.json"), str(out / "steady.json"), "-o", str(out / "cost"))
    report = (out / "cost" / "report.html").read_text() if r.returncode == 0 else ""
    section = report.split('<section id="cost">', 1)[-1].split("</section>", 1)[0] if 'id="cost"' in report else ""
    rows = re.findall(r"<tr><td>(\d+)</td><th scope=\"row\">([^<]+)</th>(.*?)</tr>", section)
    cells = json.loads((out / "sweep.json").read_text())["cells"] if (out / "sweep.json").exists() else []
    broken = {s: sum(1 for c in cells if c["strategy"] == s and c["runs_with_violations"]) for s in
              ("baseline", "idempotency_key", "db_unique")}
    points = {p["strategy"]: p for p in json.loads((out / "steady.json").read_text())["points"]} \
        if (out / "steady.json").exists() else {}
    check("the cost model: one row a strategy, ranked by the scenarios it breaks, then by p99",
          [int(n) for n, _s, _c in rows] == [1, 2, 3] and
          [s for _n, s, _c in rows] == sorted(broken, key=lambda s: (broken[s], points[s]["latency_ns"]["p99"])),
          rows)
    for _n, strategy, rest in rows:
        tds = re.findall(r"<td[^>]*>([^<]*)</td>", rest)
        trips = points[strategy]["round_trips_per_intent"]
        check(f"cost model, {strategy}: scenarios broken and the round trips an intent as the results say",
              tds[0] == f"{broken[strategy]} of 2" and
              f"{trips.get('postgres', 0):.2f}" in tds and f"{trips.get('processor', 0):.2f}" in tds, (tds, trips))

    # The sweep's counterexamples: one diagram per invariant violated, its first cell's example run made again.
    drawn = {f["name"]: f for f in json.loads((out / "cost" / "figures.json").read_text())["figures"]} \
        if r.returncode == 0 else {}
    first = {}
    for c in cells:
        for invariant, tally in c["violated"].items():
            first.setdefault(invariant, (c, tally))
    check("a sweep diagram per invariant it saw violated",
          first and sorted(n for n, f in drawn.items() if f["kind"] == "sequence") ==
          sorted(f"sweep-{i}" for i in first), (sorted(drawn), sorted(first)))
    for invariant, (c, tally) in first.items():
        mermaid = out / f"{invariant}.mmd"
        run("run", c["scenario"], "--strategy", c["strategy"], "--seed", str(tally["example_seed"]), "-q",
            "--mermaid", str(mermaid))
        text = mermaid.read_text() if mermaid.exists() else ""
        data = out / "cost" / f"sweep-{invariant}.dat"
        rows = [line.split("\t") for line in data.read_text().splitlines() if not line.startswith("#")] \
            if data.exists() else []
        check(f"the sweep's {invariant} diagram is its example run's (the one run --mermaid draws)",
              rows and sum(r[2] == "call" for r in rows) == len(re.findall(r"^  \w+->>\w+: ", text, re.M))
              and any(r[5] == "1" for r in rows) and tally["example_intent"] in (out / "cost" / f"sweep-{invariant}.svg")
              .read_text(), (len(rows), invariant))

    # Bad input: one line naming the JSON path, exit 2.
    bad = json.loads(explore.read_text())
    if findings:
        index = next(i for i, s in enumerate(bad["strategies"]) if s["violations"])
        bad["strategies"][index]["violations"][0]["sequence"]["steps"][0]["from"] = "nobody"
        (out / "bad_explore.json").write_text(json.dumps(bad))
        one_line_error("a step by a node that is no participant",
                       run("plot", str(out / "bad_explore.json"), "-o", str(out / "bad")),
                       f"$.strategies[{index}].violations[0].sequence.steps[0]")
    validate["strategies"][0]["agreeing"] = 5
    (out / "bad_validate.json").write_text(json.dumps(validate))
    one_line_error("more runs agreeing than runs", run("plot", str(out / "bad_validate.json"), "-o", str(out / "bad")),
                   "$.strategies[0].agreeing")
    calibrate["operations"][0]["alone_ns"]["p99"] = 1
    (out / "bad_calibrate.json").write_text(json.dumps(calibrate))
    one_line_error("percentiles out of order", run("plot", str(out / "bad_calibrate.json"), "-o", str(out / "bad")),
                   "$.operations[0].alone_ns")
    calibrate["operations"][0]["alone_ns"]["p99"] = 300_000
    del calibrate["compare"]
    (out / "bad_calibrate.json").write_text(json.dumps(calibrate))
    one_line_error("a calibration results file without $.compare",
                   run("plot", str(out / "bad_calibrate.json"), "-o", str(out / "bad")), "$.compare: missing")
    check("nothing was drawn for the bad inputs", not (out / "bad").exists())
    for command in (["explore", "partial_failure", "--strategy", "baseline", "--max-runs", "5"],
                    ["validate", "--real"], ["calibrate", "--real", "-o", str(out / "c.json")]):
        one_line_error(f"{command[0]} --json to a directory that does not exist: refused before any run",
                       run(*command, "--json", str(out / "missing" / "x.json")), "--json")

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {str(detail)[:600]}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
