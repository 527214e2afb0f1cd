#!/usr/bin/env python3
"""The FastAPI reference bench/serve_vs_fastapi measures serve against
(bench/fastapi_reference/app.py), on the live servers of scripts/infra: a
benchmark against a reference that does not deduplicate would measure
nothing. Per strategy: the same key twice is one payment and the stored
answer, another key another payment, a request without a key 422; once
stopped, its schema and its Redis keys are gone."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port, key, amount=100):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    conn.request("POST", "/payments", body=json.dumps({"amount": amount, "currency": "EUR", "customer_id": "c1"}),
                 headers=headers)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, json.loads(body) if body else None


def psql(sql):
    return subprocess.run(["psql", os.environ["IDEMLAB_PG"], "-Atc", sql], capture_output=True, text=True).stdout.strip()


for variable in ("IDEMLAB_REDIS", "IDEMLAB_PG"):
    check(f"{variable} is set (scripts/infra up; export scripts/infra env)", variable in os.environ)
if all(ok for _, ok, _ in results):
    for strategy in ("idempotency_key", "db_unique"):
        port, schema, prefix = free_port(), f"fastapi_ref_test_{strategy}", f"fastapi-ref-test-{strategy}:"
        env = dict(os.environ, REF_STRATEGY=strategy, REF_SCHEMA=schema, REF_PREFIX=prefix)
        # Debian's python3, which has FastAPI (a pyenv one in PATH may not).
        proc = subprocess.Popen(["/usr/bin/python3", "-m", "uvicorn", "app:app", "--app-dir",
                                 os.path.join(ROOT, "bench", "fastapi_reference"), "--host", "127.0.0.1",
                                 "--port", str(port), "--no-access-log"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        up = False
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                up = True
                break
            except OSError:
                time.sleep(0.05)
        check(f"{strategy}: the reference comes up", up)
        first, again, other = post(port, "k1"), post(port, "k1"), post(port, "k2")
        check(f"{strategy}: a new key is 201", first[0] == 201, str(first))
        check(f"{strategy}: the same key again is the same payment", again[0] in (200, 201) and
              again[1] and first[1] and again[1]["id"] == first[1]["id"], f"{first} {again}")
        check(f"{strategy}: another key is another payment", other[0] == 201 and other[1]["id"] != first[1]["id"],
              str(other))
        check(f"{strategy}: no Idempotency-Key is 422", post(port, None)[0] == 422)
        check(f"{strategy}: two payments in its table", psql(f'SELECT count(*) FROM "{schema}".payments') == "2")
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        check(f"{strategy}: it stops on SIGTERM", proc.returncode == 0, err[-400:])
        check(f"{strategy}: its schema is gone once stopped",
              psql(f"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'") == "0")
        keys = subprocess.run(["redis-cli", "-u", os.environ["IDEMLAB_REDIS"], "--scan", "--pattern", prefix + "*"],
                              capture_output=True, text=True).stdout.split()
        check(f"{strategy}: its Redis keys are gone once stopped", keys == [], str(keys))

failed = [x for x in results if not x[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
