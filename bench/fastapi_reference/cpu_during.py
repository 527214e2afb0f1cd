#!/usr/bin/python3
"""Runs a command (a Locust run) and says where the machine's CPU went meanwhile.

    cpu_during.py API_PID -- COMMAND...

Prints one line of CPU seconds: the API process (all its threads),
PostgreSQL (every postgres process, and the backends that exited), Redis
(every redis-server), the command itself (Locust, with its children) and the
whole machine (busy time of all cores, from /proc/stat), then the wall
seconds. On a machine the load generator, the API and the servers share,
this is how one sees which of them a point's payments a second are bound by.
Exits with the command's status.
"""
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid, with_children=False):
    """utime + stime of a process (and of its reaped children), or 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the ")" closing comm, fields[0] is field 3 (state): utime is field 14.
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def seconds_of(comm):
    """CPU seconds of every process named `comm`, with the children each reaped."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != comm:
                    continue
        except OSError:
            continue
        total += process_seconds(entry, with_children=True)
    return total


def machine_busy_seconds():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]  # idle, iowait
    return (sum(cpu[:8]) - idle) / TICK


def snapshot(api_pid):
    return (process_seconds(api_pid), seconds_of("postgres"), seconds_of("redis-server"), machine_busy_seconds(),
            time.monotonic())


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print("usage: cpu_during.py API_PID -- COMMAND...", file=sys.stderr)
        return 2
    api_pid = sys.argv[1]
    before = snapshot(api_pid)
    status = subprocess.call(sys.argv[3:])
    after = snapshot(api_pid)
    command = resource.getrusage(resource.RUSAGE_CHILDREN)
    api, pg, redis, machine, wall = (a - b for a, b in zip(after, before))
    print(f"{api:.2f} {pg:.2f} {redis:.2f} {command.ru_utime + command.ru_stime:.2f} {machine:.2f} {wall:.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
