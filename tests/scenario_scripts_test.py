#!/usr/bin/env python3
"""The scenario scripts and their schema agree with the loader: every shipped
script validates against scenarios/schema.json; every object in the schema
refuses unknown fields, as the loader does; tests/scenarios/every_field.json
and its open-loop twins (every_field_*.json, for the fields that exclude
each other) set every field the schema names and the loader reads them; bad scripts are
refused with one line naming the file and the JSON path, exit code 2. A run
recorded with --record validates too and replays to the same outcome, and a
tampered schedule is reported; --mermaid writes a sequence diagram."""
import json
import pathlib
import subprocess
import sys
import tempfile

import jsonschema

IDEMLAB = sys.argv[1]
ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "scenarios/schema.json").read_text())
EVERY_FIELD = ROOT / "tests/scenarios/every_field.json"
# Fields that exclude each other (think_mean and arrivals, a rate and a
# profile) are set in twins of every_field.json.
TWINS = sorted((ROOT / "tests/scenarios").glob("every_field_*.json"))
results = []


def check(name, condition, detail=""):
    results.append((name, condition, detail))


def run(*args):
    return subprocess.run([IDEMLAB, *args], capture_output=True, text=True)


def resolve(node):
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].split("/")[-1]]
    return node


def schema_paths(node, path="$"):
    """Every (path, object schema) in the schema, following $refs."""
    node = resolve(node)
    if node.get("type") == "object" and "properties" in node:
        yield path, node
        for key, child in node["properties"].items():
            yield from schema_paths(child, f"{path}.{key}")
    if node.get("type") == "array" and "items" in node:
        yield from schema_paths(node["items"], f"{path}[]")


jsonschema.Draft202012Validator.check_schema(SCHEMA)
validator = jsonschema.Draft202012Validator(SCHEMA)

scripts = sorted((ROOT / "scenarios").glob("*/*.json"))
check("there are shipped scripts", len(scripts) >= 7, str(len(scripts)))
for script in scripts + [EVERY_FIELD] + TWINS:
    errors = [e.message for e in validator.iter_errors(json.loads(script.read_text()))]
    check(f"{script.relative_to(ROOT)} matches the schema", not errors, "; ".join(errors[:3]))

for path, node in schema_paths(SCHEMA):
    check(f"schema object {path} refuses unknown fields", node.get("additionalProperties") is False)


def present(value, path):
    """Every schema path the document sets."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield f"{path}.{key}"
            if path != "$.expect":
                yield from present(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from present(child, f"{path}[]")


every = json.loads(EVERY_FIELD.read_text())
set_paths = set(present(every, "$"))
for twin in TWINS:
    set_paths |= set(present(json.loads(twin.read_text()), "$"))
for path, node in schema_paths(SCHEMA):
    for key in node["properties"]:
        if path.startswith("$.schedule") or f"{path}.{key}" == "$.schedule":
            continue  # written by --record; checked by the round trip below
        check(f"every_field.json sets {path}.{key}", f"{path}.{key}" in set_paths)

for document in [EVERY_FIELD] + TWINS:
    r = run("run", str(document), "--strategy", "idempotency_key", "--seed", "3", "-q")
    check(f"the loader reads every field of {document.name}", r.returncode in (0, 1) and "scenario every_field" in r.stdout,
          f"exit {r.returncode}: {r.stderr.strip()}")


def refused(name, mutate, must_mention):
    document = json.loads(EVERY_FIELD.read_text())
    mutate(document)
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "bad.json"
        path.write_text(json.dumps(document))
        r = run("run", str(path), "--strategy", "baseline", "-q")
    lines = r.stderr.strip().splitlines()
    check(f"refused: {name}", r.returncode == 2 and len(lines) == 1 and str(path) in lines[0]
          and must_mention in lines[0] and r.stdout == "", f"exit {r.returncode}, stderr {r.stderr!r}")


refused("unknown top-level field", lambda d: d.update(colour="blue"), "$.colour: unknown field")
refused("unknown nested field", lambda d: d["client"]["retry"].update(bas="1s"), "$.client.retry.bas: unknown field")
refused("bad duration", lambda d: d["client"].update(request_timeout="1.5 s"), "$.client.request_timeout")
refused("bad probability", lambda d: d["workload"].update(double_click="3/2"), "$.workload.double_click")
refused("two latency forms", lambda d: d["postgres"].update(commit_time={"constant": "1ms", "exponential": "1ms"}),
        "$.postgres.commit_time")
refused("unknown strategy", lambda d: d["expect"].update(idempotent_key=[]), "$.expect.idempotent_key")
refused("unknown invariant", lambda d: d["expect"].update(baseline=["no_double_charge"]), "$.expect.baseline[0]")
refused("unknown invariant selected", lambda d: d["invariants"].update(exclude=["no_double_charge"]),
        "$.invariants.exclude[0]")
refused("an empty selection", lambda d: d["invariants"].update(only=[]), "$.invariants.only")
refused("an expectation of an invariant not judged", lambda d: d["expect"].update(baseline=["no_stuck_key"]),
        "$.expect.baseline[0]: expects an invariant that $.invariants leaves out")
refused("unknown action", lambda d: d["faults"][0].update(action="explode"), "$.faults[0].action")
refused("unknown port operation", lambda d: d["faults"][0].update(at="after:processor.charg"), "$.faults[0].at")
refused("unknown node", lambda d: d["faults"].append({"at": "reply:client-9<-api", "action": "drop_reply"}),
        "$.faults[2].at")
refused("drop_reply before the operation", lambda d: d["faults"].append({"at": "before:kv.set", "action": "drop_reply"}),
        "$.faults[2].at")
refused("an amount on a fault that is not a delay", lambda d: d["faults"][0].update(delay="1s"), "$.faults[0].delay")
refused("a delay of nothing", lambda d: d["faults"][1].update(delay="0s"), "$.faults[1].delay")
refused("wrong format", lambda d: d.update(format="idemlab-scenario/2"), "$.format")
refused("run limit inside the fault phase", lambda d: d.update(run_limit="10s"), "$.run_limit")
refused("not JSON", lambda d: d.clear() or d.update({"format": float("nan")}), "not JSON")
refused("think_mean beside arrivals", lambda d: d["workload"].update(arrivals={"rate_per_s": 5}), "$.workload.think_mean")
refused("a rate and a profile", lambda d: d["workload"].pop("think_mean") and d["workload"].update(
    arrivals={"rate_per_s": 5, "profile": [{"at": "0s", "rate_per_s": 5}]}), "$.workload.arrivals")
refused("a profile out of order", lambda d: d["workload"].pop("think_mean") and d["workload"].update(
    arrivals={"profile": [{"at": "2s", "rate_per_s": 5}, {"at": "1s", "rate_per_s": 5}]}),
    "$.workload.arrivals.profile[1].at")
refused("arrivals that never come", lambda d: d["workload"].pop("think_mean") and d["workload"].update(
    arrivals={"rate_per_s": 0}), "$.workload.arrivals")
refused("a breaker without its threshold", lambda d: d["client"]["breaker"].pop("failures_to_open"),
        "$.client.breaker.failures_to_open")
refused("a shed status other than 429 or 503", lambda d: d["service"].update(shed_status=500), "$.service.shed_status")
refused("overlapping episodes", lambda d: d["episodes"].append({"at": "6s", "for": "1s", "processor": {"errors": "1"}}),
        "$.episodes[1].at")
refused("an episode that changes nothing", lambda d: d["episodes"][0].update(processor={}), "$.episodes[0].processor")



def trace_hash(output):
    for line in output.splitlines():
        if line.startswith("trace hash "):
            return line.split()[-1]
    return None


with tempfile.TemporaryDirectory() as tmp:
    recorded = pathlib.Path(tmp) / "recorded.json"
    diagram = pathlib.Path(tmp) / "run.mmd"
    first = run("run", "crash_after_charge_before_commit", "--strategy", "setex_processing_del_on_error", "--seed", "5",
                "-q", "--record", str(recorded), "--mermaid", str(diagram))
    check("--record writes the script", first.returncode == 1 and recorded.exists(), first.stderr.strip())
    document = json.loads(recorded.read_text())
    errors = [e.message for e in validator.iter_errors(document)]
    check("the recorded script matches the schema", not errors, "; ".join(errors[:3]))
    check("the recorded schedule has steps, a tape and the fault taken",
          len(document["schedule"]["steps"]) > 3 and len(document["schedule"]["tape"]) > 10
          and document["schedule"]["faults_taken"] == ["crash at after:processor.charge #1 on api"])
    check("a handler's steps name the request and the attempt it serves",
          ["api", "POST /payments client-1/pi_1 #1", "processor.charge"] in document["schedule"]["steps"])
    replay = run("run", str(recorded), "--strategy", "setex_processing_del_on_error", "-q")
    check("the recorded schedule replays to the same outcome",
          replay.returncode == 1 and trace_hash(replay.stdout) == trace_hash(first.stdout)
          and "schedule followed" in replay.stdout and "VIOLATED at_most_one_charge" in replay.stdout,
          replay.stdout[-400:])
    other = run("run", str(recorded), "--strategy", "idempotency_key", "-q")
    check("a schedule is refused for another strategy", other.returncode == 2 and "$.schedule.strategy" in other.stderr,
          other.stderr.strip())
    document["schedule"]["steps"][1][2] = "kv.del"
    tampered = pathlib.Path(tmp) / "tampered.json"
    tampered.write_text(json.dumps(document))
    diverged = run("run", str(tampered), "--strategy", "setex_processing_del_on_error", "-q")
    check("a schedule the run does not follow is reported",
          diverged.returncode == 1 and "SCHEDULE NOT FOLLOWED: step 2: expected kv.del" in diverged.stdout,
          diverged.stdout[-300:])
    document["schedule"]["tape"][0] = [2, 5, "order"]
    tampered.write_text(json.dumps(document))
    bad_tape = run("run", str(tampered), "--strategy", "setex_processing_del_on_error", "-q")
    check("a malformed tape is named by its JSON path",
          bad_tape.returncode == 2 and "$.schedule.tape[0]" in bad_tape.stderr, bad_tape.stderr.strip())
    text = diagram.read_text() if diagram.exists() else ""
    check("--mermaid writes a sequence diagram with the calls and the crash",
          text.startswith("sequenceDiagram\n") and "client_1->>api: POST /payments client-1/pi_1" in text
          and "fault crash at after:processor.charge" in text, text[:200])

failed = [r for r in results if not r[1]]
for name, ok, detail in results:
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""))
print(f"{len(results) - len(failed)}/{len(results)} passed")
sys.exit(1 if failed else 0)
