"""The load bench/serve_vs_fastapi sends to both APIs: Locust users in a
closed loop, each POSTing its next payment as soon as the last one is
answered, a fresh Idempotency-Key each, and a tenth of them sent again at
once (a double click, answered by the replay). Nothing else is done per
request, so that the load generator, which shares the machine with both
APIs and the servers, takes as little of it as Locust can.
"""
import json
import os
import random

from locust import FastHttpUser, task

_users = 0


class Payer(FastHttpUser):
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self):
        global _users
        _users += 1
        self.number = _users
        self.rng = random.Random(self.number)
        self.sent = 0
        self.prefix = f"{os.getpid()}-{self.number}"
        self.headers = {"Content-Type": "application/json"}

    def post(self, key, body, name):
        headers = dict(self.headers, **{"Idempotency-Key": key})
        with self.client.post("/payments", data=body, headers=headers, name=name, catch_response=True) as r:
            if r.status_code in (200, 201):
                r.success()
            else:
                r.failure(f"status {r.status_code}")

    @task
    def pay(self):
        self.sent += 1
        key = f"{self.prefix}-{self.sent}"
        body = json.dumps({"amount": 100 + self.sent % 900, "currency": "EUR", "customer_id": f"cus_{self.number}"})
        self.post(key, body, "POST /payments")
        if self.rng.random() < 0.1:
            self.post(key, body, "POST /payments (duplicate)")
