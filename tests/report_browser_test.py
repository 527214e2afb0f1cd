#!/usr/bin/env python3
"""report.html in headless Chromium: it opens with no console error and
fetches nothing (no network, no font, script or style sheet from outside the
file); every figure, the counterexamples' sequence diagrams too, is an
inline SVG image with a title and a caption; tables are tables with headers; on a phone-sized window the page does not
scroll sideways; a screenshot at either size is not blank."""
import json
import re
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from browser import chromium, console_errors, png_colours  # noqa: E402

IDEMLAB = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def run(*args):
    return subprocess.run([IDEMLAB, *args], capture_output=True, text=True, timeout=600)


with tempfile.TemporaryDirectory(prefix="idemlab_report_") as temp:
    out = pathlib.Path(temp)
    run("sweep", "--scenario", "outbox_relay_crash_after_publish", "--scenario", "client_retry_after_lost_response",
        "--strategy", "baseline", "--strategy", "outbox", "--seeds", "3", "--json", str(out / "sweep.json"))
    run("load", "offered_load", "--strategy", "baseline", "--strategy", "idempotency_key", "--param", "intents=100",
        "--param", "load=0.5,2", "--param", "retry=none,exponential", "--json", str(out / "load.json"))
    run("load", "steady_no_faults", "--strategy", "baseline", "--strategy", "outbox", "--param", "intents=40",
        "--json", str(out / "steady.json"))
    run("explore", "partial_failure", "--strategy", "baseline", "--strategy", "outbox", "--max-runs", "30",
        "--out", str(out / "cx"), "--json", str(out / "explore.json"))
    r = run("plot", str(out / "sweep.json"), str(out / "load.json"), str(out / "steady.json"), str(out / "explore.json"),
            "-o", str(out / "fig"))
    check("plot writes the report", r.returncode == 0 and (out / "fig" / "report.html").exists(), r.stderr[-400:])
    figures = json.loads((out / "fig" / "figures.json").read_text())["figures"] if r.returncode == 0 else []
    html = (out / "fig" / "report.html").read_text() if r.returncode == 0 else ""
    links = re.findall(r"""href=["']([^"']*)["']""", html)
    check("the report is one file: no src, every href within it",
          "src=" not in html and links and all(h.startswith("#") for h in links), [h for h in links if h[:1] != "#"])

    driver = chromium()
    try:
        driver.get((out / "fig" / "report.html").as_uri())
        check("it opens: its title", driver.title == "idemlab report", driver.title)
        errors = console_errors(driver, network_too=True)
        check("no console error", not errors, errors)
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        check("it fetches nothing", resources == [], resources)
        svgs = driver.execute_script(
            "return [...document.querySelectorAll('figure svg')].map(s => [s.getAttribute('role'),"
            " s.getAttribute('aria-label'), s.getBoundingClientRect().width])")
        check("every figure drawn is in the report", len(svgs) == len(figures) > 0, (len(svgs), len(figures)))
        check("each figure is an image with a title, and drawn wide",
              all(role == "img" and label and width > 300 for role, label, width in svgs), svgs[:3])
        captions = driver.execute_script("return document.querySelectorAll('figure figcaption').length")
        check("each figure has its caption", captions == len(svgs), captions)
        ids = driver.execute_script("return [...document.querySelectorAll('[id]')].map(e => e.id)")
        check("no id is given twice (the SVGs' own ids are made theirs)", len(ids) == len(set(ids)),
              len(ids) - len(set(ids)))
        tables = driver.execute_script(
            "return [...document.querySelectorAll('table')].map(t => [t.querySelectorAll('thead th').length,"
            " t.querySelectorAll('tbody tr').length, !!t.querySelector('caption')])")
        check("the tables (cost model, sweep, loads, exploration, counterexamples) have headers and captions",
              len(tables) == 6 and all(h > 1 and rows > 0 and cap for h, rows, cap in tables), tables)
        diagrams = driver.execute_script(
            "return [...document.querySelectorAll('.sequence svg')].map(s => [s.getAttribute('role'),"
            " s.querySelectorAll('g.call').length, s.querySelector('marker') && s.querySelector('marker').id,"
            " s.querySelector('line[marker-end]') && s.querySelector('line[marker-end]').getAttribute('marker-end')])")
        check("each counterexample is an inline SVG sequence diagram, its arrowheads its own",
              diagrams and all(role == "img" and calls > 0 and marker and end == f"url(#{marker})"
                               for role, calls, marker, end in diagrams), diagrams)
        check("the cost model is in the report", driver.execute_script("return !!document.getElementById('cost')"))
        untested = driver.execute_script("return document.querySelectorAll('td.untested').length")
        check("the sweep's table marks the untested cell", untested >= 1, untested)
        shot = driver.get_screenshot_as_png()
        check("a desktop screenshot is not blank", png_colours(shot) > 20, png_colours(shot))
        # A phone: 390 CSS pixels wide at twice the density, as the DevTools protocol emulates one.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        driver.get((out / "fig" / "report.html").as_uri())
        wide = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        check("on a phone it does not scroll sideways (the tables scroll in their own box)",
              wide[0] <= wide[1] + 1, wide)
        shot = driver.get_screenshot_as_png()
        check("a phone screenshot is not blank", png_colours(shot) > 20, png_colours(shot))
        check("still no console error", not console_errors(driver, network_too=True))
    finally:
        driver.quit()

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {str(detail)[:600]}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
