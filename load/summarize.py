#!/usr/bin/python3
"""Sums up one live load run from what the Locust users recorded of each
intent (load/locustfile.py's IDEMLAB_INTENTS file) and the served ledger that
`idemlab serve --ledger` wrote at its stop.

  load/summarize.py INTENTS.jsonl LEDGER.json STRATEGY DURATION_S  ->  a JSON object on stdout:
    intents; success_rate (intents ending in a 2xx); p50_ms, p99_ms, p999_ms
    (intent latency to its 2xx, retries included, over the intents answered
    2xx, as the simulator measures it); attempts_per_intent (retry
    amplification); goodput_per_s; duplicates (sent again once answered) and
    duplicates_unlike_first (not answered with the first answer's status and
    body); charges, charged_intents, double_charged (intents with more than
    one charge), answered_201_uncharged (a 201 whose intent the ledger does
    not hold: a payment reported made and not made)."""
import json
import sys


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def main():
    intents_path, ledger_path, strategy, duration_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    intents = [json.loads(line) for line in open(intents_path) if line.strip()]
    ledger = [line for line in json.load(open(ledger_path)) if line["strategy"] == strategy]
    charges = {}
    for line in ledger:
        charges[line["intent"]] = charges.get(line["intent"], 0) + 1
    ok = [i for i in intents if i["status"] is not None and 200 <= i["status"] < 300]
    # As the simulator measures it: an intent's first attempt to its 2xx, over the intents answered 2xx.
    latencies = sorted(i["ms"] for i in ok)
    duplicates = [i for i in intents if "duplicate" in i]
    n = len(intents)
    out = {
        "strategy": strategy,
        "intents": n,
        "success_rate": len(ok) / n if n else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "p999_ms": percentile(latencies, 99.9),
        "attempts_per_intent": sum(i["attempts"] for i in intents) / n if n else 0.0,
        "goodput_per_s": len(ok) / duration_s if duration_s else 0.0,
        "duplicates": len(duplicates),
        "duplicates_unlike_first": sum(1 for i in duplicates if not i["replayed_alike"]),
        "charges": len(ledger),
        "charged_intents": len(charges),
        "double_charged": sum(1 for c in charges.values() if c > 1),
        "answered_201_uncharged": sum(1 for i in ok if i["status"] == 201 and i["key"] not in charges),
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
