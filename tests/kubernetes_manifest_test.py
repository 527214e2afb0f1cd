#!/usr/bin/env python3
"""The Kubernetes Indexed Job of docs/distributed.md is valid YAML with what an
indexed Job needs (no cluster here): batch/v1 Job, completionMode Indexed,
completions equal to parallelism and to the shard count the command gives
scripts/sweep-shard, restartPolicy Never, a shared volume for the shards'
files; and the command's sweep options are ones idemlab sweep accepts.

usage: kubernetes_manifest_test.py IDEMLAB"""
import pathlib
import subprocess
import sys

import yaml

idemlab = sys.argv[1]
repo = pathlib.Path(__file__).resolve().parent.parent
manifest = repo / "docs" / "kubernetes" / "sweep-indexed-job.yaml"
problems = []


def need(ok, what):
    if not ok:
        problems.append(what)


job = yaml.safe_load(manifest.read_text())
need(job.get("apiVersion") == "batch/v1" and job.get("kind") == "Job", "not a batch/v1 Job")
spec = job.get("spec", {})
need(spec.get("completionMode") == "Indexed", "completionMode is not Indexed")
pod = spec.get("template", {}).get("spec", {})
need(pod.get("restartPolicy") == "Never", "restartPolicy is not Never")
containers = pod.get("containers", [])
need(len(containers) == 1, "not one container")
command = containers[0].get("command", []) if containers else []
need(len(command) >= 3 and command[0] == "scripts/sweep-shard", "the command is not scripts/sweep-shard N DIR ...")
if len(command) >= 3:
    count = int(command[1])
    need(spec.get("completions") == count and spec.get("parallelism") == count,
         f"completions and parallelism are not both {count}, the shard count")
    mounts = [m.get("mountPath") for m in containers[0].get("volumeMounts", [])]
    need(command[2] in mounts, f"the shards' directory {command[2]} is not a mounted volume")
    # The sweep options, checked by idemlab itself on one tiny slice.
    options = command[3:]
    options = [o for i, o in enumerate(options) if o != "--seeds" and (i == 0 or options[i - 1] != "--seeds")]
    check = subprocess.run([idemlab, "sweep", *options, "--seeds", "1", "--strategy", "baseline", "--shard",
                            f"{count}/{count}"], capture_output=True, text=True)
    need(check.returncode == 0, f"idemlab sweep refuses the manifest's options: {check.stderr.strip()}")

for p in problems:
    print(f"FAIL: {manifest.name}: {p}")
print("ok" if not problems else f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
