#!/usr/bin/env python3
"""The demo page of `idemlab serve`, driven in headless Chromium against a live
serve (idempotency_key and baseline on the live servers): it opens with no
console error and fetches nothing from elsewhere; submit, then resubmit under
the same key: the duplicate is caught (replayed), the counters say so and the
ledger holds one charge; the amount changed under the key is refused (422);
the baseline, resubmitted, charges twice and the ledger shows it; a reply lost
on the way back, then a resubmit, still gives one charge; screenshots are not
blank."""
import pathlib
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from browser import chromium, console_errors, png_colours  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

IDEMLAB = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


proc = subprocess.Popen([IDEMLAB, "serve", "--port", "0", "--strategy", "idempotency_key", "--strategy", "baseline",
                         "--processing", "50ms"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
port = None
deadline = time.time() + 90
while time.time() < deadline and port is None:
    line = proc.stdout.readline()
    if not line:
        break
    m = re.match(r"ready on port (\d+)", line)
    port = int(m.group(1)) if m else None
if port is None:
    proc.kill()
    print("FAIL serve did not start: " + proc.stderr.read()[-800:])
    sys.exit(1)

driver = chromium()
wait = WebDriverWait(driver, 20)


def rows():
    return driver.execute_script(
        "return [...document.querySelectorAll('#log tr')].map(r => [...r.cells].map(c => c.textContent))")


def ledger():
    return driver.execute_script(
        "return [...document.querySelectorAll('#ledger tr')].map(r => [...r.cells].map(c => c.textContent))")


def counter(name):
    return driver.find_element(By.ID, name).text


def click_and_wait(button, logged):
    driver.find_element(By.ID, button).click()
    # The status names the request by its number (the log is cleared when the strategy changes).
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith(f"Request {logged}:"))
    time.sleep(0.3)  # the ledger is read after each answer


def charges_of(key):
    return [l for l in ledger() if l[0].startswith("ch_") and l[1].startswith(key)]


try:
    driver.get(f"http://127.0.0.1:{port}/")
    wait.until(lambda d: d.execute_script("return document.body.dataset.ready") == "yes")
    check("the demo page opens: its title", "idemlab demo" in driver.title, driver.title)
    check("no console error on opening, network ones included", not console_errors(driver, network_too=True))
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    check("it fetches only from serve itself", all(u.startswith(f"http://127.0.0.1:{port}/") for u in fetched), fetched)
    options = [o.text for o in Select(driver.find_element(By.ID, "strategy")).options]
    check("the served strategies are offered", options == ["idempotency_key", "baseline"], options)

    Select(driver.find_element(By.ID, "strategy")).select_by_value("idempotency_key")
    click_and_wait("submit-new", 1)
    key = driver.find_element(By.ID, "key").get_attribute("value")
    first = rows()[0]
    check("submit: 201, not replayed", first[4] == "201" and first[5] == "no", first)
    click_and_wait("resubmit", 2)
    again = rows()[0]
    check("resubmit under the same key: the replayed 201, its body the first's",
          again[4] == "201" and again[5] == "yes" and again[6] == first[6], (again, first))
    check("the counters: 2 requests, 1 duplicate caught, 1 unique payment, 50%",
          (counter("total"), counter("duplicates"), counter("unique"), counter("rate")) == ("2", "1", "1", "50%"),
          (counter("total"), counter("duplicates"), counter("unique"), counter("rate")))
    check("the ledger holds one charge for the key", len(charges_of(key)) == 1, ledger())
    click_and_wait("change-amount", 3)
    check("the amount changed under the key: 422, no second charge",
          rows()[0][4] == "422" and len(charges_of(key)) == 1, (rows()[0], ledger()))
    check("no script error through submit, resubmit and a changed amount (the 422 is Chromium's network log)",
          not console_errors(driver))
    shot = driver.get_screenshot_as_png()
    check("a screenshot of the flow is not blank", png_colours(shot) > 20, png_colours(shot))

    Select(driver.find_element(By.ID, "strategy")).select_by_value("baseline")
    time.sleep(0.3)
    click_and_wait("submit-new", 4)
    base_key = driver.find_element(By.ID, "key").get_attribute("value")
    click_and_wait("resubmit", 5)
    check("the baseline resubmitted charges twice, and the ledger shows it",
          len(charges_of(base_key)) == 2 and "charged twice" in " ".join(c[1] for c in ledger()), ledger())

    Select(driver.find_element(By.ID, "strategy")).select_by_value("idempotency_key")
    time.sleep(0.3)
    click_and_wait("submit-new", 6)
    lost_key = driver.find_element(By.ID, "key").get_attribute("value")
    # A fresh key, then the fault armed for the next reply, which the resubmit meets.
    driver.find_element(By.ID, "drop-reply").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Armed"))
    click_and_wait("resubmit", 7)
    check("a lost reply: no answer", rows()[0][4].startswith("no answer"), rows()[0])
    click_and_wait("resubmit", 8)
    check("resubmitted after the lost reply: the replayed 201, one charge for the key",
          rows()[0][4] == "201" and rows()[0][5] == "yes" and len(charges_of(lost_key)) == 1, (rows()[0], ledger()))
    # A crash after the charge: the connection closes unanswered; once the
    # API is back (1 s), the resubmit does not charge again.
    click_and_wait("submit-new", 9)
    crash_key = driver.find_element(By.ID, "key").get_attribute("value")
    driver.find_element(By.ID, "crash").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Armed"))
    driver.find_element(By.ID, "submit-new").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Request 10:"))
    check("a crash after the charge: the connection closes unanswered", rows()[0][4].startswith("connection closed"),
          rows()[0])
    crashed_key = driver.find_element(By.ID, "key").get_attribute("value")
    time.sleep(1.5)  # the API restarts after 1 s
    click_and_wait("resubmit", 11)
    # The claim outlives the crashed request until its lock TTL: 409 until then, never a second charge.
    check("resubmitted after the crash: in progress (409) or the 201, and one charge for the key",
          rows()[0][4] in ("409", "201") and len(charges_of(crashed_key)) == 1 and crashed_key != crash_key,
          (rows()[0], ledger()))
    errors = console_errors(driver)
    check("no script error through the lost reply and the crash", not errors, errors)
finally:
    driver.quit()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    check("serve stops cleanly on SIGTERM", proc.returncode == 0, proc.returncode)

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {str(detail)[:600]}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
