"""Payments sent to `idemlab serve` by Locust users at a configured rate.

Arrivals are open-loop by default: each user starts intents at Poisson
times (its share of the rate), each intent in a greenlet and on a
connection of its own, whether or not the earlier ones have ended, as the
simulator's clients arrive. So past capacity the offered rate holds, the
server's queue grows and retries add to it. Closed-loop users
(IDEMLAB_ARRIVALS=closed) each send their next intent once the last one
ended, at most at their share of the rate, so the rate sags to what the
server answers.

Every intent is one payment intent: a fresh Idempotency-Key (also sent as
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
  IDEMLAB_ARRIVALS       open (default) or closed
  IDEMLAB_CONNECTIONS    open: connections a user holds at most, one an intent in flight (default 1024)
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

import gevent.pool
from locust import FastHttpUser, constant_throughput, events, task

RATE = float(os.environ.get("IDEMLAB_RATE_PER_USER", "1"))
ARRIVALS = os.environ.get("IDEMLAB_ARRIVALS", "open")
CONNECTIONS = int(os.environ.get("IDEMLAB_CONNECTIONS", "1024"))
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
if ARRIVALS not in ("open", "closed"):
    raise SystemExit(f"IDEMLAB_ARRIVALS: open or closed, not {ARRIVALS!r}")

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
    network_timeout = TIMEOUT_S
    connection_timeout = TIMEOUT_S
    # Open: one connection an intent in flight (geventhttpclient's pool).
    concurrency = CONNECTIONS if ARRIVALS == "open" else 10

    def wait_time(self):
        if ARRIVALS == "closed":
            return constant_throughput(RATE)(self)
        return self.rng.expovariate(RATE)  # the gap to the next Poisson arrival

    def on_start(self):
        global _users
        _users += 1
        self.number = _users
        self.rng = random.Random(SEED * 100003 + self.number)
        self.sent = 0
        self.prefix = f"{os.getpid()}-{self.number}"
        self.in_flight = gevent.pool.Group()

    def on_stop(self):
        # Open: the intents already started run to their end (within
        # scripts/load's --stop-timeout), so each is recorded.
        self.in_flight.join(timeout=60)

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
    def arrive(self):
        self.sent += 1
        # Drawn here, in arrival order, so that a seed gives the same keys,
        # bodies and draws whatever order the intents end in.
        rng = random.Random(self.rng.getrandbits(64))
        if ARRIVALS == "open":
            self.in_flight.spawn(self.pay, self.sent, rng)
        else:
            self.pay(self.sent, rng)

    def pay(self, number, rng):
        key = f"{self.prefix}-{number}"
        body = json.dumps({"amount": 100 + number % 900, "currency": "EUR", "customer_id": f"cus_{self.number}"})
        start = time.time()
        status, answer, attempt = None, None, 0
        for attempt in range(1, ATTEMPTS + 1):
            status, retry_after, answer = self.attempt(key, body, "POST /payments")
            if status is not None and status not in RETRIED:
                break
            if attempt == ATTEMPTS or RETRY == "none":
                break
            time.sleep(retry_after if retry_after is not None else backoff(rng, attempt))
        ok = status is not None and 200 <= status < 300
        ms = (time.time() - start) * 1000
        events.request.fire(request_type="INTENT", name="payment", response_time=ms, response_length=0,
                            exception=None if ok else Exception(f"ended with {status}"), context={})
        record = {"key": key, "status": status, "ms": round(ms, 3), "attempts": attempt}
        if ok and rng.random() < DUPLICATES:
            again, _, replayed = self.attempt(key, body, "POST /payments (duplicate)")
            record["duplicate"] = again
            record["replayed_alike"] = again == status and replayed == answer
        _intents.append(record)
