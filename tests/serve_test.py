#!/usr/bin/env python3
"""`idemlab serve` over HTTP, against the live servers of scripts/infra (URLs in
IDEMLAB_REDIS, IDEMLAB_PG, IDEMLAB_AMQP; scripts/test exports them): the same
key twice gives one charge and the replayed response; 400, 409, 408, 413, 422
and 404 as documented; health and Prometheus metrics that count what was
served; the admin faults (a crash after the charge closes the connection
unanswered and the retry finds the one charge, a lost reply times the client
out and the retry replays, a slow processor slows charges); several
strategies side by side; SIGTERM under traffic answers what it read, loses no
request answered 2xx and removes the runs' data; bad input is one line with
exit 2 or 3."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

IDEMLAB = sys.argv[1]
results = []
BODY = {"amount": 1250, "currency": "EUR", "customer_id": "cus_1"}


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def start(*args):
    """Starts serve on a free port; returns (process, port) once it is ready."""
    proc = subprocess.Popen([IDEMLAB, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.match(r"ready on port (\d+)", line)
        if m:
            return proc, int(m.group(1))
    proc.kill()
    raise RuntimeError("serve did not start: " + proc.stderr.read())


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def request(port, method, path, body=None, key=None, timeout=10, headers=None):
    """(status, headers, parsed body); status "closed" if the connection closed unanswered, "timeout", "refused"."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = dict(headers or {})
    if key is not None:
        h["Idempotency-Key"] = key
    data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed
    except socket.timeout:
        return "timeout", {}, None
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        return "closed", {}, None
    except ConnectionRefusedError:
        return "refused", {}, None
    finally:
        conn.close()


def ledger(port, strategy=None):
    path = "/admin/ledger" + (f"?strategy={strategy}" if strategy else "")
    return request(port, "GET", path)[2]


def charges_for(port, key, strategy=None):
    return [line for line in ledger(port, strategy) if line["intent"] == key]


def raw_exchange(port, data, wait=8):
    """Sends `data` and waits for the answer's status line and body."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    s.settimeout(wait)
    got = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got and (got.endswith(b"}") or b"Content-Length: 0" in got):
                break
    except socket.timeout:
        pass
    s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head else ""
    return status, body.decode(errors="replace")


def metric(text, name, **labels):
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


for variable in ("IDEMLAB_REDIS", "IDEMLAB_PG", "IDEMLAB_AMQP"):
    check(f"{variable} is set (scripts/infra up; export scripts/infra env)", variable in os.environ)

# --- one strategy: idempotency_key, with a slower processor so that a second
# request can arrive while the first one's charge runs.
proc, port = start("--strategy", "idempotency_key", "--processing", "200ms", "--read-timeout", "2s",
                   "--lock-ttl", "3s")
first = request(port, "POST", "/payments", BODY, key="same-key")
again = request(port, "POST", "/payments", BODY, key="same-key")
check("idempotency_key: a new key is charged: 201", first[0] == 201, str(first))
check("the same key again replays the first response, marked Idempotency-Replayed",
      again[0] == 201 and again[2] == first[2] and again[1].get("idempotency-replayed") == "true", str(again))
check("the same key twice is one charge in the ledger", len(charges_for(port, "same-key")) == 1,
      str(charges_for(port, "same-key")))

other = dict(BODY, amount=999)
reused = request(port, "POST", "/payments", other, key="same-key")
check("the key reused with another payload: 422", reused[0] == 422 and "another payload" in reused[2]["error"], str(reused))
missing = request(port, "POST", "/payments", BODY)
check("no Idempotency-Key: 400 naming the header", missing[0] == 400 and "Idempotency-Key" in missing[2]["error"],
      str(missing))
malformed = request(port, "POST", "/payments", '{"amount":', key="malformed")
check("a malformed body: 400", malformed[0] == 400 and "error" in malformed[2], str(malformed))
invalid = request(port, "POST", "/payments", {"amount": "ten", "currency": "EUR", "customer_id": "c"}, key="invalid")
check("a body whose amount is no number: 400", invalid[0] == 400, str(invalid))

answers = []
together = threading.Barrier(4)


def racer():
    together.wait()
    answers.append(request(port, "POST", "/payments", BODY, key="racing"))


threads = [threading.Thread(target=racer) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
statuses = sorted(a[0] for a in answers)
check("four at once on one key: one 201, the others 409 while it runs", statuses == [201, 409, 409, 409], str(statuses))
check("four at once on one key: one charge", len(charges_for(port, "racing")) == 1)

big = b"x" * (64 * 1024 + 1)
too_large = request(port, "POST", "/payments", big, key="big")
check("a body over --body-max: 413", too_large[0] == 413, str(too_large[:1]))
chunked = raw_exchange(port, b"POST /payments HTTP/1.1\r\nHost: t\r\nIdempotency-Key: chunked\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(big) + big + b"\r\n0\r\n\r\n")
check("a chunked body over --body-max: 413 too", chunked[0] == "413", str(chunked[0]))
t0 = time.time()
stalled = raw_exchange(port, b'POST /payments HTTP/1.1\r\nHost: t\r\nIdempotency-Key: slow\r\n'
                             b'Content-Length: 50\r\n\r\n{"amount":')
check("a body that stops arriving: 408 after the read timeout",
      stalled[0] == "408" and 1.5 < time.time() - t0 < 6, f"{stalled} after {time.time() - t0:.1f}s")
stalled_headers = raw_exchange(port, b"POST /payments HTTP/1.1\r\nHost: t\r\nIdem")
check("headers that stop arriving: 400 with a JSON reason", stalled_headers[0] == "400" and "headers" in stalled_headers[1],
      str(stalled_headers))
garbage = raw_exchange(port, b"NOT HTTP AT ALL\r\n\r\n")
check("a request line that is not HTTP: 400", garbage[0] == "400", str(garbage))
unknown = request(port, "GET", "/nowhere")
check("an unknown route: 404 with a JSON error", unknown[0] == 404 and "error" in unknown[2], str(unknown))
lookup = request(port, "GET", "/payments/same-key")
check("GET /payments/{key} of a strategy that answers at once: 405, Allow: POST",
      lookup[0] == 405 and lookup[1].get("allow") == "POST", str(lookup))

health = request(port, "GET", "/health")
check("health: 200, the strategy up", health[0] == 200 and health[2]["strategies"][0]["up"] is True, str(health))

# --- admin faults
bad = request(port, "POST", "/admin/faults", {"fault": "meteor"})
check("an unknown admin fault: 400 naming $.fault", bad[0] == 400 and "$.fault" in bad[2]["error"], str(bad))
bad = request(port, "POST", "/admin/faults", {"fault": "drop_reply", "count": 0})
check("an admin fault with count 0: 400 naming $.count", bad[0] == 400 and "$.count" in bad[2]["error"], str(bad))
bad = request(port, "POST", "/admin/faults", "[1,2")
check("an admin body that is not JSON: 400", bad[0] == 400, str(bad))

armed = request(port, "POST", "/admin/faults", {"fault": "crash_after_charge", "for": "2s"})
check("crash_after_charge is armed", armed[0] == 200, str(armed))
crashed = request(port, "POST", "/payments", BODY, key="crash-key")
check("crash after the charge: the connection closes unanswered", crashed[0] == "closed", str(crashed))
down = request(port, "GET", "/health")
check("while the API is down, health says 503", down[0] == 503 and down[2]["status"] == "down", str(down))
check("the crashed request's charge is in the ledger", len(charges_for(port, "crash-key")) == 1)
deadline = time.time() + 60
retry = None
while time.time() < deadline:
    retry = request(port, "POST", "/payments", BODY, key="crash-key")
    if retry[0] == 201:
        break
    time.sleep(0.5)
check("the client's retry ends in 201 (after the claim's lock_ttl)", retry is not None and retry[0] == 201, str(retry))
check("after the crash and the retries, still one charge for the key", len(charges_for(port, "crash-key")) == 1,
      str(charges_for(port, "crash-key")))

request(port, "POST", "/admin/faults", {"fault": "drop_reply"})
t0 = time.time()
lost = request(port, "POST", "/payments", BODY, key="lost-reply", timeout=2)
check("a lost reply: the client times out", lost[0] == "timeout" and time.time() - t0 >= 1.9, str(lost))
replayed = request(port, "POST", "/payments", BODY, key="lost-reply")
check("the retry after a lost reply replays the charge made", replayed[0] == 201 and
      replayed[1].get("idempotency-replayed") == "true", str(replayed))
check("a lost reply and its retry: one charge", len(charges_for(port, "lost-reply")) == 1)

# A 50x slowdown of a log-normal 200 ms charge: under 1.5 s only for a draw
# under 30 ms, 4.7 sigma below the median.
request(port, "POST", "/admin/faults", {"fault": "slow_processor", "slowdown": 50, "for": "60s"})
t0 = time.time()
slow = request(port, "POST", "/payments", BODY, key="slow-speed", timeout=60)
slowed = time.time() - t0
check("a 50x slow processor slows a charge (median 200 ms) past 1.5 s", slow[0] == 201 and slowed > 1.5,
      f"{slow[0]} after {slowed:.2f}s")
request(port, "POST", "/admin/faults", {"fault": "slow_processor", "slowdown": 1, "errors": "1", "for": "60s"})
failing = request(port, "POST", "/payments", BODY, key="processor-down")
check("a processor failing every charge (errors 1): 503, no charge", failing[0] == 503 and
      not charges_for(port, "processor-down"), str(failing))
request(port, "POST", "/admin/faults", {"fault": "slow_processor", "slowdown": 1, "for": "1ms"})  # ends the episode
time.sleep(0.1)
recovered = request(port, "POST", "/payments", BODY, key="processor-down")
check("once the episode is over, the retry under the same key charges once", recovered[0] == 201 and
      len(charges_for(port, "processor-down")) == 1, str(recovered))

metrics = request(port, "GET", "/metrics")
text = metrics[2] if isinstance(metrics[2], str) else ""
check("metrics: Prometheus text with every family typed", metrics[0] == 200 and
      "# TYPE idemlab_http_requests_total counter" in text and
      "# TYPE idemlab_http_request_duration_seconds histogram" in text, text[:200])
check("metrics count the 422 answered", metric(text, "idemlab_http_requests_total", status="422") == 1)
check("metrics count the replays", metric(text, "idemlab_replays_total") >= 2)
check("metrics count the crash and the lost reply",
      metric(text, "idemlab_connections_unanswered_total", reason="crash") >= 1 and
      metric(text, "idemlab_connections_unanswered_total", reason="drop_reply") == 1, text[-600:])
count = metric(text, "idemlab_http_request_duration_seconds_count")
inf = metric(text, "idemlab_http_request_duration_seconds_bucket", le="+Inf")
check("the latency histogram's +Inf bucket holds every answer", count > 0 and count == inf, f"{count} {inf}")

rc, out, err = stop(proc)
check("SIGTERM: exit 0, the run's data removed", rc == 0 and "data removed" in out, out + err)

# --- several strategies side by side
proc, port = start("--strategy", "db_unique", "--strategy", "baseline", "--strategy", "dedup_queue",
                   "--processing", "20ms")
accepted = request(port, "POST", "/dedup_queue/payments", BODY, key="queued")
check("dedup_queue: 202 at once", accepted[0] == 202, str(accepted))
outcome = None
deadline = time.time() + 30
while time.time() < deadline:
    outcome = request(port, "GET", "/dedup_queue/payments/queued")
    if outcome[0] != 202:
        break
    time.sleep(0.1)
check("dedup_queue: GET /payments/{key} reads the outcome once the consumer charged it: 201",
      outcome[0] == 201 and outcome[2]["status"] == "succeeded", str(outcome))
check("dedup_queue: a GET moves no money: one charge", len(charges_for(port, "queued", "dedup_queue")) == 1)
never = request(port, "GET", "/dedup_queue/payments/never-sent")
check("dedup_queue: GET of a key never sent: 404", never[0] == 404, str(never))
a = request(port, "POST", "/db_unique/payments", BODY, key="k")
b = request(port, "POST", "/db_unique/payments", BODY, key="k")
check("db_unique: the same key twice: one charge, the same answer", a[0] == 201 and b[0] == 201 and a[2] == b[2] and
      len(charges_for(port, "k", "db_unique")) == 1, str((a, b)))
reused = request(port, "POST", "/db_unique/payments", dict(BODY, amount=1), key="k")
check("db_unique: the key reused with another payload: 422", reused[0] == 422, str(reused))
check("db_unique: no key: 400", request(port, "POST", "/db_unique/payments", BODY)[0] == 400)
x = request(port, "POST", "/baseline/payments", BODY, key="k")
y = request(port, "POST", "/baseline/payments", BODY, key="k")
check("baseline ignores the key: two charges (it is the no-idempotency reference)",
      x[0] == 201 and y[0] == 201 and len(ledger(port, "baseline")) == 2, str(ledger(port, "baseline")))
check("each strategy has a ledger of its own", len(ledger(port, "db_unique")) == 1)
ambiguous = request(port, "POST", "/payments", BODY, key="k")
check("with several strategies, /payments says to name one: 404", ambiguous[0] == 404 and "NAME" in ambiguous[2]["error"],
      str(ambiguous))
check("an unknown strategy's path: 404", request(port, "POST", "/saga/payments", BODY, key="k")[0] == 404)
check("an admin fault naming no strategy when several are served: 400 naming $.strategy",
      "$.strategy" in request(port, "POST", "/admin/faults", {"fault": "drop_reply"})[2]["error"])
rc, out, err = stop(proc)
check("several strategies: SIGTERM exits 0", rc == 0, err)

# --- SIGTERM under traffic: what was answered 2xx was charged and is in the final ledger
with tempfile.TemporaryDirectory() as tmp:
    ledger_file = os.path.join(tmp, "ledger.json")
    proc, port = start("--strategy", "idempotency_key", "--processing", "50ms", "--ledger", ledger_file)
    answered = []
    lock = threading.Lock()
    stop_sending = threading.Event()

    def sender(n):
        i = 0
        while not stop_sending.is_set():
            key = f"t{n}-{i}"
            status = request(port, "POST", "/payments", BODY, key=key, timeout=10)[0]
            if status == "refused":  # the server has stopped
                return
            with lock:
                answered.append((key, status))
            i += 1

    senders = [threading.Thread(target=sender, args=(n,)) for n in range(8)]
    for t in senders:
        t.start()
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    stop_sending.set()
    for t in senders:
        t.join()
    ok_keys = {k for k, s in answered if isinstance(s, int) and 200 <= s < 300}
    charged = {line["intent"] for line in json.load(open(ledger_file))}
    check("SIGTERM under traffic: exit 0", proc.returncode == 0, err)
    check("SIGTERM under traffic: requests were answered 201 before it", len(ok_keys) > 20, str(len(ok_keys)))
    check("no request answered 2xx was lost: each is in the final ledger, once", ok_keys <= charged and
          len(json.load(open(ledger_file))) == len(charged), f"{len(ok_keys - charged)} missing")
    check("after the stop, nothing is answered 5xx by the stopping server",
          not any(isinstance(s, int) and s >= 500 for _, s in answered), str([s for _, s in answered if s != 201][:10]))

# --- bad input: one line, exit 2 or 3
def one_line_failure(args, code, needle, env=None):
    r = subprocess.run([IDEMLAB, "serve", *args], capture_output=True, text=True, timeout=60, env=env)
    lines = r.stderr.strip().splitlines()
    check(f"serve {' '.join(args)}: exit {code}, one line naming {needle}",
          r.returncode == code and len(lines) == 1 and needle in lines[0], f"{r.returncode} {r.stderr!r}")


one_line_failure(["--strategy", "nonesuch", "--port", "0"], 2, "nonesuch")
one_line_failure(["--port", "0"], 2, "--strategy")
one_line_failure(["--strategy", "baseline", "--port", "70000"], 2, "--port")
one_line_failure(["--strategy", "baseline", "--port", "0", "--read-timeout", "soon"], 2, "--read-timeout")
one_line_failure(["--strategy", "baseline", "--port", "0", "--processing", "61s"], 2, "--processing")
one_line_failure(["--strategy", "baseline", "--port", "0", "--redis", "redis://127.0.0.1:1/0"], 3, "127.0.0.1:1")
one_line_failure(["--strategy", "baseline", "--port", "0", "--ledger", "/nonexistent-dir/ledger.json"], 2, "/nonexistent-dir")
blocker = socket.socket()
blocker.bind(("127.0.0.1", 0))
blocker.listen(1)
taken = blocker.getsockname()[1]
one_line_failure(["--strategy", "baseline", "--port", str(taken)], 2, f"127.0.0.1:{taken}")
blocker.close()

failed = [r for r in results if not r[1]]
for name, ok, detail in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
print(f"{len(results) - len(failed)} of {len(results)} checks passed")
sys.exit(1 if failed else 0)
