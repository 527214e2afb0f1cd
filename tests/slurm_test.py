#!/usr/bin/env python3
"""A sharded sweep on a real batch scheduler: a private single-node Slurm
cluster (scripts/slurm, Debian's slurm-wlm and munge, on loopback) runs a
4-task job array of shards (scripts/sweep-shard); idemlab merge combines
them, and the result equals the unsharded sweep's file byte for byte.

usage: slurm_test.py IDEMLAB"""
import os
import pathlib
import subprocess
import sys
import tempfile

idemlab = os.path.abspath(sys.argv[1])
repo = pathlib.Path(__file__).resolve().parent.parent
SWEEP = ["--scenario", "crash_after_charge_before_commit", "--scenario", "partial_failure", "--strategy", "baseline",
         "--strategy", "idempotency_key", "--strategy", "get_then_set_claim", "--seeds", "40", "--jobs", "1"]


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, **kwargs)


def fail(what, detail=""):
    print(f"FAIL: {what}\n{detail}")
    sys.exit(1)


with tempfile.TemporaryDirectory(prefix="slurm_test_") as temp:
    t = pathlib.Path(temp)
    # Ports of its own, so that a cluster that scripts/slurm started for a user is left alone.
    env = dict(os.environ, IDEMLAB_SLURM_DIR=str(t / "cluster"), IDEMLAB=idemlab, IDEMLAB_SLURMCTLD_PORT="36827",
               IDEMLAB_SLURMD_PORT="36828")
    try:
        up = run(str(repo / "scripts" / "slurm"), "up", env=env)
        if up.returncode != 0:
            fail("scripts/slurm up", up.stdout + up.stderr)
        conf = run(str(repo / "scripts" / "slurm"), "env", env=env).stdout.strip()
        env["SLURM_CONF"] = conf.split("=", 1)[1]
        whole = run(idemlab, "sweep", *SWEEP, "--json", str(t / "whole.json"))
        if whole.returncode != 0:
            fail("the unsharded sweep", whole.stdout[-500:] + whole.stderr)
        array = run("sbatch", "--array=1-4", "--wait", "--chdir", str(repo), "-o", str(t / "task-%a.log"),
                    str(repo / "scripts" / "sweep-shard"), "4", str(t / "shards"), *SWEEP, env=env, timeout=600)
        logs = "".join(p.read_text() for p in sorted(t.glob("task-*.log")))
        if array.returncode != 0:
            fail("sbatch --array=1-4 --wait", array.stdout + array.stderr + logs[-2000:])
        shards = sorted((t / "shards").glob("shard-*-of-4.json"))
        if len(shards) != 4:
            fail(f"4 shard files, found {len(shards)}", logs[-2000:])
        for i in range(1, 5):
            if f"shard {i}/4 of them" not in logs:
                fail(f"task {i} ran shard {i}/4", logs[-2000:])
        merged = run(idemlab, "merge", *map(str, shards), "-o", str(t / "merged.json"))
        if merged.returncode != 0:
            fail("idemlab merge", merged.stderr)
        if (t / "merged.json").read_bytes() != (t / "whole.json").read_bytes():
            fail("the merged shards differ from the unsharded sweep")
        print("ok: 4 Slurm array tasks, merged, equal to the single run byte for byte")
    finally:
        run(str(repo / "scripts" / "slurm"), "down", env=env)
