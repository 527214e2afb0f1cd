#!/usr/bin/env python3
"""A short Locust run against `idemlab serve` on the live servers (scripts/load):
Locust's CSV, each intent and the served ledger are kept, and the summary
agrees with them. idempotency_key under lost replies and retries charges each
intent once and answers every duplicate with the first answer; the baseline
under the same faults charges twice, which is what it is there to show."""
import json
import os
import subprocess
import sys
import tempfile

IDEMLAB = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def load(out, *args):
    r = subprocess.run([os.path.join(ROOT, "scripts", "load"), "--idemlab", IDEMLAB, "--out", out, *args],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    summary = json.load(open(os.path.join(out, "summary.json"))) if r.returncode == 0 else {}
    return r, summary


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "key")
    r, s = load(out, "--strategy", "idempotency_key", "--rate", "30", "--duration", "9s", "--timeout", "1",
                "--attempts", "5", "--fault", '{"fault": "drop_reply", "count": 5}',
                "--serve-arg=--processing=50ms")
    check("scripts/load idempotency_key: exit 0", r.returncode == 0, r.stdout[-500:] + r.stderr[-500:])
    for kept in ("locust_stats.csv", "intents.jsonl", "ledger.json", "summary.json"):
        check(f"scripts/load keeps {kept}", os.path.getsize(os.path.join(out, kept)) > 0 if r.returncode == 0 else False)
    intents = [json.loads(l) for l in open(os.path.join(out, "intents.jsonl"))] if r.returncode == 0 else []
    check("about the offered rate was sent (30/s for 9 s, from 150 intents)", s.get("intents", 0) >= 150, str(s))
    check("the summary counts the intents the users recorded", s.get("intents") == len(intents))
    check("the lost replies were retried: more attempts than intents", s.get("attempts_per_intent", 0) > 1, str(s))
    check("idempotency_key: every intent answered 2xx", s.get("success_rate") == 1.0, str(s))
    check("idempotency_key: no intent charged twice, live", s.get("double_charged") == 0 and
          s.get("charges") == s.get("charged_intents"), str(s))
    check("idempotency_key: no 201 without its charge", s.get("answered_201_uncharged") == 0, str(s))
    check("idempotency_key: duplicates answered like the first answer", s.get("duplicates", 0) > 0 and
          s.get("duplicates_unlike_first") == 0, str(s))
    stats = open(os.path.join(out, "locust_stats.csv")).read() if r.returncode == 0 else ""
    check("Locust's CSV has the attempts and the intents", "POST /payments" in stats and "INTENT" in stats)

    out = os.path.join(tmp, "baseline")
    r, s = load(out, "--strategy", "baseline", "--rate", "30", "--duration", "9s", "--timeout", "1",
                "--attempts", "5", "--duplicates", "0", "--fault", '{"fault": "drop_reply", "count": 5}',
                "--serve-arg=--processing=50ms")
    check("scripts/load baseline: exit 0", r.returncode == 0, r.stdout[-500:] + r.stderr[-500:])
    check("baseline: the 5 lost replies, retried, charge 5 intents twice", s.get("double_charged") == 5, str(s))

    r = subprocess.run([os.path.join(ROOT, "scripts", "load"), "--idemlab", IDEMLAB, "--retry", "sometimes"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    check("scripts/load with an unknown retry policy: exit 2, one line naming it",
          r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "sometimes" in r.stderr, r.stderr)

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
