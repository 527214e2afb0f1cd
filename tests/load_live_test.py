#!/usr/bin/env python3
"""A short Locust run against `idemlab serve` on the live servers (scripts/load):
Locust's CSV, each intent and the served ledger are kept, and the summary
agrees with them. idempotency_key under lost replies and retries charges each
intent once and answers every duplicate with the first answer; the baseline
under the same faults charges twice, which is what it is there to show. Past
capacity, open-loop arrivals hold the offered rate and closed-loop users do not."""
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

    # Past capacity (2 workers over a 250 ms charge: 8 payments a second),
    # open-loop arrivals keep the offered 30/s; closed-loop users (three,
    # each waiting for its last intent) send what the service answers.
    past_capacity = ("--strategy", "idempotency_key", "--rate", "30", "--duration", "6s", "--timeout", "1",
                     "--attempts", "1", "--duplicates", "0", "--serve-arg=--workers=2", "--serve-arg=--processing=250ms")
    r, open_loop = load(os.path.join(tmp, "open"), *past_capacity, "--arrivals", "open")
    check("scripts/load --arrivals open past capacity: exit 0", r.returncode == 0, r.stdout[-500:] + r.stderr[-500:])
    check("open arrivals hold the offered rate past capacity (30/s for 6 s: over 140 intents)",
          open_loop.get("intents", 0) > 140, str(open_loop))
    check("open arrivals past capacity: some intents time out (success under 100%)",
          open_loop.get("success_rate", 1.0) < 1.0, str(open_loop))
    r, closed_loop = load(os.path.join(tmp, "closed"), *past_capacity, "--arrivals", "closed", "--users", "3")
    check("scripts/load --arrivals closed: exit 0", r.returncode == 0, r.stdout[-500:] + r.stderr[-500:])
    check("closed users past capacity send what is answered (under 90 intents in 6 s)",
          0 < closed_loop.get("intents", 0) < 90, str(closed_loop))

    r = subprocess.run([os.path.join(ROOT, "scripts", "load"), "--idemlab", IDEMLAB, "--arrivals", "sometimes"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    check("scripts/load with unknown arrivals: exit 2, one line naming them",
          r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "sometimes" in r.stderr, r.stderr)
    r = subprocess.run([os.path.join(ROOT, "scripts", "load"), "--idemlab", IDEMLAB, "--retry", "sometimes"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    check("scripts/load with an unknown retry policy: exit 2, one line naming it",
          r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "sometimes" in r.stderr, r.stderr)

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
