"""Payments sent to `idemlab serve` by Locust users, each at a steady rate.

Every task is one payment intent: a fresh Idempotency-Key (also sent as
X-Intent, which the served ledger records), POSTed, and retried under the
same key on a timeout, a closed connection, a 5xx, a 409 or a 429 (honouring
Retry-After), as the simulated clients do. A share of the intents is sent
again once answered, as a double click would (a duplicate: its answer should
be the replayed one). Locust's statistics then hold one row per attempt
("POST /payments"), per duplicate, and one per intent ("INTENT payment",
whose time is the intent's, retries included, and which fails when the
intent did not end in a 2xx).

Set by the environment (scripts/load passes them):
  IDEMLAB_RATE_PER_USER  intents a second per user (default 1)
  IDEMLAB_PATH           the payments path (default /payments)
  IDEMLAB_RETRY          none, immediate, exponential or full_jitter (default exponential)
  IDEMLAB_ATTEMPTS       attempts per intent, the first included (default 4)
  IDEMLAB_TIMEOUT_S      the client's timeout per attempt, in seconds (default 2)
  IDEMLAB_DUPLICATES     the share of intents sent again once answered (default 0.1)
  IDEMLAB_SEED           the users' random choices (default 1)
  IDEMLAB_INTENTS        a file for every intent, one JSON object a line, written when Locust quits:
                         {"key", "status" (the last answer; null: none), "ms", "attempts", "duplicate"
                         (the duplicate's status, if one was sent), "replayed_alike"}
"""
import json
import os
import random
import time

from locust import FastHttpUser, constant_throughput, events, task

RATE = float(os.environ.get("IDEMLAB_RATE_PER_USER", "1"))
PATH = os.environ.get("IDEMLAB_PATH", "/payments")
RETRY = os.environ.get("IDEMLAB_RETRY", "exponential")
ATTEMPTS = int(os.environ.get("IDEMLAB_ATTEMPTS", "4"))
TIMEOUT_S = float(os.environ.get("IDEMLAB_TIMEOUT_S", "2"))
DUPLICATES = float(os.environ.get("IDEMLAB_DUPLICATES", "0.1"))
SEED = int(os.environ.get("IDEMLAB_SEED", "1"))
INTENTS = os.environ.get("IDEMLAB_INTENTS", "")
BASE_S = 0.1
CAP_S = 5.0
RETRIED = {409, 429, 500, 502, 503, 504}

if RETRY not in ("none", "immediate", "exponential", "full_jitter"):
    raise SystemExit(f"IDEMLAB_RETRY: unknown policy {RETRY!r} (none, immediate, exponential, full_jitter)")

_users = 0
_intents = []


@events.quitting.add_listener
def write_intents(environment, **kwargs):
    if not INTENTS:
        return
    with open(INTENTS, "w") as f:
        for intent in _intents:
            f.write(json.dumps(intent) + "\n")


def backoff(rng, attempt):
    """The wait before attempt number `attempt` + 1 (attempt counts from 1)."""
    if RETRY == "immediate":
        return 0.0
    ceiling = min(CAP_S, BASE_S * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling) if RETRY == "full_jitter" else ceiling


class Payer(FastHttpUser):
    wait_time = constant_throughput(RATE)
    network_timeout = TIMEOUT_S
    connection_timeout = TIMEOUT_S

    def on_start(self):
        global _users
        _users += 1
        self.number = _users
        self.rng = random.Random(SEED * 100003 + self.number)
        self.sent = 0
        self.prefix = f"{os.getpid()}-{self.number}"

    def attempt(self, key, body, name):
        """One POST: (status or None, retry-after seconds or None, answer body)."""
        headers = {"Idempotency-Key": key, "X-Intent": key, "Content-Type": "application/json"}
        with self.client.post(PATH, data=body, headers=headers, name=name, catch_response=True) as r:
            status = r.status_code or None
            if status is not None and 200 <= status < 300:
                r.success()
            else:
                r.failure(f"status {status}" if status else f"no answer: {r.error}")
            retry_after = r.headers.get("Retry-After") if status else None
            return status, float(retry_after) if retry_after else None, r.content

    @task
    def pay(self):
        self.sent += 1
        key = f"{self.prefix}-{self.sent}"
        body = json.dumps({"amount": 100 + self.sent % 900, "currency": "EUR", "customer_id": f"cus_{self.number}"})
        start = time.time()
        status, answer, attempt = None, None, 0
        for attempt in range(1, ATTEMPTS + 1):
            status, retry_after, answer = self.attempt(key, body, "POST /payments")
            if status is not None and status not in RETRIED:
                break
            if attempt == ATTEMPTS or RETRY == "none":
                break
            time.sleep(retry_after if retry_after is not None else backoff(self.rng, attempt))
        ok = status is not None and 200 <= status < 300
        ms = (time.time() - start) * 1000
        events.request.fire(request_type="INTENT", name="payment", response_time=ms, response_length=0,
                            exception=None if ok else Exception(f"ended with {status}"), context={})
        record = {"key": key, "status": status, "ms": round(ms, 3), "attempts": attempt}
        if ok and self.rng.random() < DUPLICATES:
            again, _, replayed = self.attempt(key, body, "POST /payments (duplicate)")
            record["duplicate"] = again
            record["replayed_alike"] = again == status and replayed == answer
        _intents.append(record)
