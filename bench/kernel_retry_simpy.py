#!/usr/bin/env python3
"""The client-retry model of bench/kernel, in SimPy 2.3 (Debian's
python3-simpy), so that the kernel's speed is compared on the same model.

60 clients; a server with 8 slots and exponential service time of mean 1; a
client waits at most 3 for a slot, else backs off 0.5 * 2^k * U(0.5, 1.5) and
retries, at most 4 retries; between payments it thinks for an exponential time
of mean 10. Prints one JSON object per line, like bench/kernel.

Usage: kernel_retry_simpy.py [UNTIL]   (simulated time units, default 20000)
"""
import json
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, release, request, simulate

CLIENTS = 60
SLOTS = 8
SERVICE_MEAN = 1.0
PATIENCE = 3.0
RETRIES_MAX = 4
THINK_MEAN = 10.0


class Stats:
    completed = 0
    gave_up = 0


class Client(Process):
    def run(self, server, rng):
        while True:
            yield hold, self, rng.expovariate(1.0 / THINK_MEAN)
            for attempt in range(RETRIES_MAX + 1):
                yield (request, self, server), (hold, self, PATIENCE)
                if self.acquired(server):
                    yield hold, self, rng.expovariate(1.0 / SERVICE_MEAN)
                    yield release, self, server
                    Stats.completed += 1
                    break
                if attempt == RETRIES_MAX:
                    Stats.gave_up += 1
                    break
                yield hold, self, 0.5 * 2 ** attempt * rng.uniform(0.5, 1.5)


def main():
    until = float(sys.argv[1]) if len(sys.argv) > 1 else 20000.0
    rng = random.Random(1)
    initialize()
    server = Resource(capacity=SLOTS, name="server")
    for i in range(CLIENTS):
        client = Client(name=f"client-{i}")
        activate(client, client.run(server, rng))
    start = time.perf_counter()
    simulate(until=until)
    seconds = time.perf_counter() - start
    for metric, value, unit in (
        ("simpy_payments_per_s", Stats.completed / seconds, "payments/s"),
        ("simpy_payments", Stats.completed, "payments"),
        ("simpy_gave_up", Stats.gave_up, "payments"),
        ("simpy_wall_s", seconds, "s"),
    ):
        print(json.dumps({"bench": "kernel", "metric": metric, "value": value, "unit": unit}))


if __name__ == "__main__":
    main()
