#!/usr/bin/env python3
"""`idemlab plot`: every figure of small sweep and load results is drawn (SVG
and PNG, not empty) and listed; the numbers gnuplot drew, read back from the
data file beside each figure, are the results' numbers (the heatmap's shares
and states, the success rates, the recovery timeline, the TTL and overhead
figures); a cell no fault reached is drawn untested, not safe; bad input
(missing, truncated or mismatched results, an unwritable directory) is one
line and exit 2."""
import json
import os
import pathlib
import shlex
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


def series(path):
    """A data file's blocks: [(title, [(x, y), ...]), ...] (the heatmap's: rows of fields)."""
    blocks, title, rows = [], None, []
    for line in pathlib.Path(path).read_text().splitlines():
        if line.startswith("# series "):
            title = line.split(": ", 1)[1]
        elif line.startswith("#") or not line.strip():
            if not line.strip() and rows:
                blocks.append((title, rows))
                title, rows = None, []
            continue
        else:
            rows.append(shlex.split(line))
    if rows:
        blocks.append((title, rows))
    return blocks


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


with tempfile.TemporaryDirectory(prefix="idemlab_plot_") as temp:
    out = pathlib.Path(temp)
    sweep = run("sweep", "--scenario", "outbox_relay_crash_after_publish", "--scenario", "client_retry_after_lost_response",
                "--strategy", "baseline", "--strategy", "outbox", "--seeds", "4", "--json", str(out / "sweep.json"))
    load = run("load", "offered_load", "--strategy", "baseline", "--strategy", "idempotency_key", "--param", "intents=100",
               "--param", "load=0.5,2", "--param", "retry=none,exponential", "--json", str(out / "load.json"))
    slow = run("load", "processor_slowdown", "--strategy", "db_unique", "--param", "retry=none",
               "--json", str(out / "slow.json"))
    window = run("load", "dedup_window", "--strategy", "baseline", "--strategy", "idempotency_key",
                 "--param", "ttl=1s,1h", "--json", str(out / "window.json"))
    check("the results to plot were made", all(r.returncode in (0, 1) for r in (sweep, load, slow, window)),
          " | ".join(r.stderr[-300:] for r in (sweep, load, slow, window)))
    inputs = [str(out / f) for f in ("sweep.json", "load.json", "slow.json", "window.json")]
    r = run("plot", *inputs, "-o", str(out / "fig"))
    check("plot: exit 0", r.returncode == 0, r.stderr[-500:])
    index = json.loads((out / "fig" / "figures.json").read_text()) if r.returncode == 0 else {"figures": []}
    names = {f["name"]: f for f in index["figures"]}
    for f in index["figures"]:
        svg, png = out / "fig" / f["svg"], out / "fig" / f["png"]
        drawn = svg.exists() and "<svg" in svg.read_text()[:2000]
        if f["kind"] == "sequence":  # drawn by idemlab itself, as SVG only
            check(f"{f['name']}: an SVG, no PNG, a title and a caption",
                  drawn and f["png"] == "" and f["title"] and f["caption"] and (out / "fig" / f["data"]).exists())
            continue
        ok = drawn and png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
        check(f"{f['name']}: an SVG and a non-empty PNG, a title and a caption",
              ok and f["title"] and f["caption"] and (out / "fig" / f["data"]).exists())
    expected = ["sweep-violations", "sweep-latency-cdf", "load-success-baseline", "load-goodput-idempotency_key",
                "load-amplification-baseline", "load-overhead", "slow-recovery-db_unique", "window-ttl-double-charges",
                "window-ttl-storage"]
    for name in expected:
        check(f"figure {name} is drawn", name in names, sorted(names))

    if "sweep-violations" in names:
        sweep_json = json.loads((out / "sweep.json").read_text())
        cells = {(c["scenario"], c["strategy"]): c for c in sweep_json["cells"]}
        drawn = series(out / "fig" / "sweep-violations.dat")[0][1]
        check("the heatmap has one cell per strategy and scenario", len(drawn) == len(cells), len(drawn))
        for column, row, share, state, _rgb, _label in drawn:
            c = cells[(sweep_json["scenarios"][int(column)], sweep_json["strategies"][int(row)])]
            want = "violated" if c["runs_with_violations"] else "untested" if c["runs_disturbed"] == 0 else "safe"
            check(f"heatmap cell {c['strategy']} x {c['scenario']}: {want}, share as the results say",
                  state == want and close(float(share), c["runs_with_violations"] / c["runs"]), (state, share, c))
        check("the relay crash never reaches the baseline: drawn untested",
              cells[("outbox_relay_crash_after_publish", "baseline")]["runs_disturbed"] == 0 and
              any(s == "untested" for _c, _r, _s, s, _g, _l in drawn))

    if "load-success-baseline" in names:
        points = json.loads((out / "load.json").read_text())["points"]
        for title, rows in series(out / "fig" / "load-success-baseline.dat"):
            want = sorted((float(p["settings"]["load"]), 100 * p["success_rate"]) for p in points
                          if p["strategy"] == "baseline" and p["settings"]["retry"] == title)
            got = [(float(x), float(y)) for x, y in rows]
            check(f"success against load, baseline, retry={title}: the results' numbers",
                  len(got) == 2 and all(close(a[0], b[0]) and close(a[1], b[1]) for a, b in zip(got, want)), (got, want))
        over = series(out / "fig" / "load-overhead.dat")
        base = next(p for p in points if p["strategy"] == "baseline" and p["settings"] == points[0]["settings"])
        key = next(p for p in points if p["strategy"] == "idempotency_key" and p["settings"] == base["settings"])
        check("the overhead's p50 bar is idempotency_key's p50 less the baseline's",
              over and over[0][0] == "p50" and
              close(float(over[0][1][0][1]), (key["latency_ns"]["p50"] - base["latency_ns"]["p50"]) / 1e6), over)

    if "slow-recovery-db_unique" in names:
        p = json.loads((out / "slow.json").read_text())["points"][0]
        rows = series(out / "fig" / "slow-recovery-db_unique.dat")[0][1]
        per_s = [s / (p["timeline"]["bucket_ns"] / 1e9) for s in p["timeline"]["successes"]]
        check("the recovery figure draws the timeline's successes a second",
              len(rows) == len(per_s) and all(close(float(y), w) for (_x, y), w in zip(rows, per_s)))
        svg = (out / "fig" / "slow-recovery-db_unique.svg").read_text()
        check("the trigger is shaded", "#eeeeee" in svg.lower() or "rgb(238, 238, 238)" in svg.lower())

    if "window-ttl-double-charges" in names:
        points = json.loads((out / "window.json").read_text())["points"]
        for title, rows in series(out / "fig" / "window-ttl-double-charges.dat"):
            want = sorted((1 if p["settings"]["ttl"] == "1s" else 3600,
                           100 * p["violations"].get("at_most_one_charge", 0) / p["runs"]) for p in points
                          if p["strategy"] == title and all(v == points[0]["settings"][k]
                                                            for k, v in p["settings"].items() if k != "ttl"))
            got = [(float(x), float(y)) for x, y in rows]
            check(f"double charges against the TTL, {title}: the results' numbers",
                  got and all(close(a[0], b[0]) and close(a[1], b[1]) for a, b in zip(got, want)), (got, want))

    # Bad input: one line, exit 2, nothing drawn over.
    one_line_error("a missing results file", run("plot", str(out / "nope.json"), "-o", str(out / "bad")), "nope.json")
    truncated = out / "truncated.json"
    truncated.write_text((out / "load.json").read_text()[:300])
    one_line_error("a truncated results file", run("plot", str(truncated), "-o", str(out / "bad")), "truncated.json")
    other = out / "other.json"
    other.write_text('{"format": "idemlab-scenario/1", "name": "x"}')
    one_line_error("a file of another kind", run("plot", str(other), "-o", str(out / "bad")), "$.format")
    mismatched = json.loads((out / "load.json").read_text())
    del mismatched["points"][1]["success_rate"]
    (out / "mismatched.json").write_text(json.dumps(mismatched))
    one_line_error("a point without its success rate, named by its JSON path",
                   run("plot", str(out / "mismatched.json"), "-o", str(out / "bad")), "$.points[1].success_rate")
    (out / "afile").write_text("x")
    one_line_error("an output directory that cannot be made", run("plot", inputs[0], "-o", str(out / "afile" / "fig")),
                   "afile")
    check("nothing was drawn for the bad inputs", not (out / "bad").exists())

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {str(detail)[:600]}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
