#!/usr/bin/env python3
"""`idemlab replay --real` and `idemlab validate --real` against the live servers of scripts/infra (URLs in
IDEMLAB_REDIS, IDEMLAB_PG, IDEMLAB_AMQP; scripts/test exports them): the real
run agrees with the simulation on quick catalogue interleavings, a broken
strategy's violation shows on the live servers too, a server that does not
answer is named with its URL and no password (exit 3), and a scenario real
mode cannot run yet is refused with its JSON path (exit 2). Server restarts
and failover go through scripts/infra (IDEMLAB_INFRA), which is left as it
was: the primary a primary, its replica following it, no key of ours left."""
import json
import os
import re
import shutil
import socket
import signal
import subprocess
import sys
import tempfile
import time

IDEMLAB = sys.argv[1]
results = []


def run(*args, env=None):
    return subprocess.run([IDEMLAB, *args], capture_output=True, text=True, env=env, timeout=300)


def check(name, condition, detail=""):
    results.append((name, condition, detail))


for variable in ("IDEMLAB_REDIS", "IDEMLAB_PG", "IDEMLAB_AMQP", "IDEMLAB_INFRA"):
    check(f"{variable} is set (scripts/infra up; export scripts/infra env)", variable in os.environ)

def broker_pid():
    infra_dir = os.environ.get("IDEMLAB_INFRA_DIR", f"/tmp/idemlab-infra-{os.getuid()}")
    try:
        return open(os.path.join(infra_dir, "rabbitmq", "pid")).read().strip()
    except OSError:
        return None


broker_before = broker_pid()

# Quick interleavings (a second or a few each): a crash after the charge, a
# lost reply with a retry in another key order, a key reused with another
# payload; safe strategies and a broken one.
for scenario, strategy, violated in [
    ("crash_after_charge_before_commit", "idempotency_key", None),
    ("crash_after_charge_before_commit", "check_then_insert_charge_first", "at_most_one_charge"),
    ("same_body_other_key_order", "natural", None),
    ("key_reused_with_other_payload", "db_unique", None),
    ("identical_purchases_merged", "natural", "success_was_charged"),
    # Server faults through scripts/infra: a restart without persistence, a
    # PostgreSQL restart inside an open transaction, a failover with a
    # claim the replica had not received yet.
    ("redis_restart_loses_result", "redis_lock_del_in_finally", "at_most_one_charge"),
    ("redis_restart_loses_result", "idempotency_key", None),
    ("postgres_restart_after_charge", "check_then_insert_charge_first", "at_most_one_charge"),
    ("postgres_restart_after_charge", "db_unique", None),
    ("redis_failover_loses_claim", "redis_lock_del_in_finally", "at_most_one_charge"),
    ("redis_failover_loses_claim", "idempotency_key", None),
    # A broker restart while a consumer holds the delivery, and while only
    # publishers are connected.
    ("broker_restart_after_charge", "dedup_queue", None),
    ("broker_restart_after_charge", "saga", None),
]:
    r = run("replay", scenario, "--strategy", strategy, "--real")
    name = f"replay --real {scenario} with {strategy} agrees with the simulation"
    check(name, r.returncode == 0 and r.stdout.rstrip().endswith("agree"), r.stdout[-1500:] + r.stderr)
    real_part = r.stdout.split("\nreal:", 1)[-1]
    if violated is None:
        check(f"{name}: no violation on the live servers", "no invariant violated" in real_part, real_part)
    else:
        check(f"{name}: {violated} on the live servers too", f"VIOLATED {violated}" in real_part, real_part)

check("the broker restarts were real: scripts/infra's RabbitMQ runs as another process now",
      broker_before is not None and broker_pid() not in (None, broker_before), f"{broker_before} -> {broker_pid()}")

# Recorded schedules: the turnstile makes the live run take effect in the
# recorded order. The lucky double click (seed 150 of get_then_set_claim)
# races live without its schedule, and is served in turn with it.
here = os.path.dirname(os.path.abspath(__file__))
in_turn = os.path.join(here, "scenarios", "double_click_served_in_turn.json")
for scenario, strategy, charges in [
    ("double_click_both_pass_the_check", "get_then_set_claim", 2),
    ("double_click_second_insert_conflicts", "db_unique", 1),
    (in_turn, "get_then_set_claim", 1),
]:
    r = run("replay", scenario, "--strategy", strategy, "--real")
    name = f"replay --real {os.path.basename(scenario)} with {strategy} follows its schedule live and agrees"
    check(name, r.returncode == 0 and r.stdout.rstrip().endswith("agree") and "live followed it" in r.stdout,
          r.stdout[-1500:] + r.stderr)
    real_part = r.stdout.split("\nreal:", 1)[-1]
    check(f"{name}: charged {charges} on the live servers", f"client-1/pi_1: charged {charges}," in real_part, real_part)

with tempfile.TemporaryDirectory() as tmp:
    document = json.load(open(in_turn))
    document["$schema"] = os.path.join(here, "..", "scenarios", "schema.json")
    del document["schedule"]
    unscheduled = os.path.join(tmp, "unscheduled.json")
    json.dump(document, open(unscheduled, "w"))
    r = run("replay", unscheduled, "--strategy", "get_then_set_claim", "--seed", "150", "--real")
    check("without its schedule the same double click races live (charged twice; the simulation once)",
          r.returncode == 1 and "client-1/pi_1: charged 2," in r.stdout.split("\nreal:", 1)[-1], r.stdout + r.stderr)
    document = json.load(open(in_turn))
    document["$schema"] = os.path.join(here, "..", "scenarios", "schema.json")
    document["schedule"]["steps"][1][2] = "kv.del"
    tampered = os.path.join(tmp, "tampered.json")
    json.dump(document, open(tampered, "w"))
    r = run("replay", tampered, "--strategy", "get_then_set_claim", "--real")
    check("a schedule the live run cannot follow: it says where it left it, and DISAGREE (exit 1)",
          r.returncode == 1 and "live LEFT it at step 2" in r.stdout and "the live run left the schedule" in r.stdout,
          r.stdout + r.stderr)


def redis(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True).stdout


primary = int(os.environ.get("IDEMLAB_REDIS", ":36379").rsplit(":", 1)[1].split("/")[0])
check("after the restarts and failovers, scripts/infra's Redis primary is a primary again",
      redis(primary, "role").startswith("master"), redis(primary, "role"))
replica = int(os.environ.get("IDEMLAB_REDIS_REPLICA", ":36380").rsplit(":", 1)[1].split("/")[0])
check("and its replica follows it", redis(replica, "role").startswith("slave"), redis(replica, "role"))
check("and no key of ours is left on either",
      redis(primary, "--scan", "--pattern", "idemlab:*") == "" and redis(replica, "--scan", "--pattern", "idemlab:*") == "")

no_infra = {k: v for k, v in os.environ.items() if k != "IDEMLAB_INFRA"}
live_results = tempfile.mkdtemp(prefix="idemlab_live_results_")
validated = os.path.join(live_results, "validate.json")
# scripts/infra's PostgreSQL trusts loopback: the password is ignored, and must not reach the results file.
pg_with_password = os.environ.get("IDEMLAB_PG", "").replace("postgresql://idemlab@", "postgresql://idemlab:s3cret@")
r = run("validate", "--real", "--scenario", "crash_after_charge_before_commit", "--scenario", "redis_failover_loses_claim",
        "--strategy", "baseline", "--strategy", "db_unique", "--json", validated, "--pg", pg_with_password, env=no_infra)
check("validate --real: one line per run, refused scenarios named, every run agrees",
      r.returncode == 0 and "crash_after_charge_before_commit baseline seed 1: agree (simulated: at_most_one_charge; "
      "real: at_most_one_charge)" in r.stdout and "crash_after_charge_before_commit db_unique seed 1: agree" in r.stdout
      and "redis_failover_loses_claim: not run: $.faults[0]" in r.stdout and r.stdout.rstrip().endswith("every run agrees"),
      r.stdout + r.stderr)
v = json.load(open(validated)) if os.path.exists(validated) else {}
check("validate --json: every run with both verdicts and latencies, the tallies, the scenario not run",
      v.get("format") == "idemlab-validate/1" and len(v.get("runs", [])) == 2
      and all(x["agree"] and x["simulated"]["latency_ns"]["samples"] > 0 and x["real"]["latency_ns"]["samples"] > 0
              for x in v["runs"])
      and [(s["strategy"], s["runs"], s["agreeing"]) for s in v["strategies"]] == [("baseline", 1, 1), ("db_unique", 1, 1)]
      and v["runs"][0]["simulated"]["violated"] == v["runs"][0]["real"]["violated"] == ["at_most_one_charge"]
      and [n["scenario"] for n in v["not_run"]] == ["redis_failover_loses_claim"], v)
written_text = open(validated).read() if os.path.exists(validated) else ""
check("validate --json records the command with the URL's password as ***",
      "s3cret" in pg_with_password and written_text and "s3cret" not in written_text
      and "idemlab:***@" in v.get("command", ""), v.get("command"))

env = dict(os.environ, IDEMLAB_PG="postgresql://idemlab:s3cret@127.0.0.1:1/idemlab")
r = run("replay", "crash_after_charge_before_commit", "--strategy", "idempotency_key", "--real", env=env)
lines = r.stderr.strip().splitlines()
check("an unreachable PostgreSQL: exit 3, one line naming it by URL without the password",
      r.returncode == 3 and len(lines) == 1 and "PostgreSQL at postgresql://idemlab:***@127.0.0.1:1/idemlab" in lines[0]
      and "s3cret" not in r.stderr + r.stdout, f"exit {r.returncode}: {r.stderr!r}")

# A silent endpoint: a port that accepts connections and never answers.
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(64)
silent_port = silent.getsockname()[1]
for flag, url, service in [("--redis", f"redis://127.0.0.1:{silent_port}/0", "Redis"),
                           ("--pg", f"postgresql://idemlab:pw@127.0.0.1:{silent_port}/idemlab", "PostgreSQL"),
                           ("--amqp", f"amqp://guest:pw@127.0.0.1:{silent_port}/", "RabbitMQ")]:
    started = time.monotonic()
    r = run("replay", "partial_failure", "--strategy", "baseline", "--real", flag, url, "--connect-timeout", "2s")
    took = time.monotonic() - started
    lines = r.stderr.strip().splitlines()
    check(f"a silent {service} endpoint: exit 3 within the connect deadline, naming it without the password",
          r.returncode == 3 and len(lines) == 1 and lines[0].startswith(f"idemlab: error: {service} at ")
          and "pw@" not in r.stderr and took < 10, f"exit {r.returncode} after {took:.1f} s: {r.stderr!r}")
silent.close()

r = run("replay", "crash_after_charge_before_commit", "--strategy", "idempotency_key", "--real",
        "--redis", "redis://127.0.0.1:notaport/0")
check("a malformed --redis URL: exit 2 naming the flag", r.returncode == 2 and "--redis" in r.stderr, r.stderr)

r = run("replay", "redis_failover_loses_claim", "--strategy", "idempotency_key", "--real", env=no_infra)
check("without scripts/infra, a Redis failover is refused with its JSON path and what it needs (exit 2)",
      r.returncode == 2 and re.search(r"\$\.faults\[\d+\]: failover_redis restarts a server: .*--infra", r.stderr)
      is not None, r.stderr)

r = run("replay", "redis_failover_loses_claim", "--strategy", "idempotency_key", "--real", "--infra", "/nonexistent/infra")
check("an --infra script that cannot run: exit 3 naming it",
      r.returncode == 3 and "/nonexistent/infra" in r.stderr, f"exit {r.returncode}: {r.stderr!r}")

with tempfile.TemporaryDirectory() as folder:
    failing = os.path.join(folder, "infra")
    with open(failing, "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = failover-redis ]; then echo "no replica today" >&2; exit 1; fi\n'
                f'exec {os.environ.get("IDEMLAB_INFRA", "false")} "$@"\n')
    os.chmod(failing, 0o755)
    r = run("replay", "redis_failover_loses_claim", "--strategy", "idempotency_key", "--real", "--infra", failing)
    check("a server fault that fails mid-run: exit 3 naming the command, and the run's keys are removed",
          r.returncode == 3 and f"{failing} failover-redis failed (exit 1)" in r.stderr
          and redis(primary, "--scan", "--pattern", "idemlab:*") == "", f"exit {r.returncode}: {r.stderr!r}")

r = run("replay", "key_deleted_on_error_after_charge", "--strategy", "baseline", "--real")
check("a lost reply on the processor link is taken at the port, and the double charge shows live too",
      r.returncode == 0 and "drop_reply at reply:api<-processor (at the port, after:processor.*@api) #1 on api" in r.stdout
      and "VIOLATED at_most_one_charge" in r.stdout.split("\nreal:", 1)[-1], r.stdout + r.stderr)

with tempfile.TemporaryDirectory() as folder:
    calibration = os.path.join(folder, "calibration.json")
    calibrated = os.path.join(live_results, "calibrate.json")
    r = run("calibrate", "--real", "-o", calibration, "--samples", "20", "--compare", "--strategy", "db_unique",
            "--real-runs", "1", "--sim-seeds", "1", "--json", calibrated)
    c = json.load(open(calibrated)) if os.path.exists(calibrated) else {}
    check("calibrate --json: every operation's percentiles alone and under load, and the comparison",
          c.get("format") == "idemlab-calibrate/1" and len(c.get("operations", [])) == 12
          and all(o["alone_ns"]["samples"] == 20 and o["under_load_ns"]["samples"] == 20 for o in c["operations"])
          and [s["strategy"] for s in c["compare"]["strategies"]] == ["db_unique"], c)
    r_plot = run("plot", validated, calibrated, "-o", os.path.join(live_results, "fig"))
    drawn = {f["name"] for f in json.load(open(os.path.join(live_results, "fig", "figures.json")))["figures"]} \
        if r_plot.returncode == 0 else set()
    check("plot draws the live results: agreement, latency and error, operations",
          {"validate-agreement", "validate-latency", "validate-error", "calibrate-operations", "calibrate-latency",
           "calibrate-error"} <= drawn, r_plot.stderr + str(drawn))
    written = json.load(open(calibration)) if os.path.exists(calibration) else {}
    ops = written.get("operations", {})
    loaded = written.get("operations_under_load", {})
    check("calibrate --real writes every operation's samples in the simulator's format, alone and under load",
          written.get("format") == "idemlab-calibration/1" and len(ops) == 12 and sorted(loaded) == sorted(ops)
          and all(len(v.get("samples_ns", [])) == 20 for v in [*ops.values(), *loaded.values()]),
          f"{r.stdout}{r.stderr}{written}")
    check("calibrate --compare prints each strategy's simulated and real percentiles",
          re.search(r"^db_unique +[\d.]+ +[\d.]+ +[-+]\d+% +[\d.]+ +[\d.]+ +[-+]\d+% +(met|MISSED)$", r.stdout, re.M)
          is not None, r.stdout + r.stderr)
    r = run("run", "steady_no_faults", "--strategy", "db_unique", "-q", "--calibration", calibration)
    check("run --calibration takes the file", r.returncode == 0 and "attempt latency p50" in r.stdout, r.stdout + r.stderr)
    with open(calibration, "w") as f:
        json.dump({"format": "idemlab-calibration/1", "operations": {"loopback.rtt": {"constant_ns": 5}}}, f)
    r = run("run", "steady_no_faults", "--strategy", "db_unique", "-q", "--calibration", calibration)
    check("a calibration without samples: exit 2 naming the file and the operation",
          r.returncode == 2 and f"{calibration}: $.operations.loopback.rtt: needs samples_ns" in r.stderr, r.stderr)

def schemas():
    pg = os.environ.get("IDEMLAB_PG", "")
    return subprocess.run(["psql", pg, "-qAt", "-c", "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'idemlab%'"],
                          capture_output=True, text=True).stdout.split()


before = schemas()
# The processor takes 70 s here: Ctrl-C must not wait for it.
p = subprocess.Popen([IDEMLAB, "replay", "lock_ttl_expires_while_charging", "--strategy", "baseline", "--real"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(5)
p.send_signal(signal.SIGINT)
try:
    out, err = p.communicate(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    out, err = p.communicate()
check("Ctrl-C during a real run: exit 130 within seconds, saying so, and nothing of the run is left",
      p.returncode == 130 and "interrupted" in err and schemas() == before
      and redis(primary, "--scan", "--pattern", "idemlab:*") == "", f"exit {p.returncode}: {err!r} {schemas()}")



def psql(sql):
    return subprocess.run(["psql", os.environ.get("IDEMLAB_PG", ""), "-qAt", "-c", sql],
                          capture_output=True, text=True).stdout.split()


# A run killed with SIGKILL leaves its namespaces behind; once its lease has
# lapsed, `idemlab clean --real` removes them and nothing else: not a live
# run's (a lease far from lapsing), not foreign data.
live_run = "r1x00000000000000live"
psql("SELECT 1 FROM idemlab_registry.leases LIMIT 0")  # the registry exists once any run has been made
psql(f"INSERT INTO idemlab_registry.leases (run_id, expires_at) VALUES ('{live_run}', now() + interval '1 hour'); "
     f"CREATE SCHEMA idemlab_{live_run}; CREATE SCHEMA shop_untouched")
redis(primary, "SET", f"idemlab:{live_run}:k", "live")
redis(primary, "SET", "customer:untouched", "precious")
p = subprocess.Popen([IDEMLAB, "replay", "lock_ttl_expires_while_charging", "--strategy", "idempotency_key", "--real",
                      "--lease-ttl", "2s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(6)
p.kill()
p.communicate()
killed = [name for name in psql("SELECT run_id FROM idemlab_registry.leases") if name != live_run]
left_schemas = [s_ for s_ in schemas() if killed and killed[0] in s_]
left_keys = [k for k in redis(primary, "--scan", "--pattern", "idemlab:*").split() if killed and killed[0] in k]
check("a run killed with SIGKILL leaves its lease, its two schemas and its keys",
      len(killed) == 1 and len(left_schemas) == 2 and left_keys, f"{killed} {left_schemas} {left_keys}")
time.sleep(3)  # its lease lapses
r = run("clean", "--real")
check("clean --real removes exactly the killed run's leftovers",
      r.returncode == 0 and "1 abandoned runs cleaned up" in r.stdout
      and not [s_ for s_ in schemas() if killed and killed[0] in s_]
      and not [k for k in redis(primary, "--scan", "--pattern", "idemlab:*").split() if killed and killed[0] in k]
      and f"idemlab_{live_run}" in schemas() and redis(primary, "GET", f"idemlab:{live_run}:k").strip() == "live"
      and redis(primary, "GET", "customer:untouched").strip() == "precious" and "shop_untouched" in psql("SELECT nspname FROM pg_namespace")
      and psql("SELECT run_id FROM idemlab_registry.leases") == [live_run],
      r.stdout + r.stderr)
psql(f"DELETE FROM idemlab_registry.leases WHERE run_id = '{live_run}'; DROP SCHEMA idemlab_{live_run}; "
     "DROP SCHEMA shop_untouched")
redis(primary, "DEL", f"idemlab:{live_run}:k", "customer:untouched")

r = run("replay", "crash_after_charge_before_commit", "--strategy", "idempotency_key")
check("replay without --real says what it needs (exit 2)", r.returncode == 2 and "--real" in r.stderr, r.stderr)

shutil.rmtree(live_results, ignore_errors=True)
failed = [r for r in results if not r[1]]
for name, _, detail in failed:
    print(f"FAIL: {name}: {detail}")
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
