#include "serve/demo_page.h"

namespace idemlab::serve {

const char* demo_page_policy() {
  return "default-src 'none'; connect-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
         "img-src 'self' data:; base-uri 'none'; form-action 'none'";
}

const char* demo_page_html() {
  return R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>idemlab demo: idempotency keys, live</title>
<style>
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; margin: 0 auto;
       max-width: 64rem; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
p.lead { color: #555; margin-top: 0; }
fieldset { border: 1px solid #d0d0d0; border-radius: 6px; padding: .75rem; margin: 0 0 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
label { margin-right: .5rem; }
button { font: inherit; padding: .4rem .8rem; margin: .2rem .3rem .2rem 0; border-radius: 6px;
         border: 1px solid #888; background: #f6f6f6; cursor: pointer; }
button.primary { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
button.fault { background: #fff4e5; border-color: #d97706; }
button:disabled { opacity: .5; cursor: default; }
select, input { font: inherit; padding: .3rem; }
.counters { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem; }
.counter { border: 1px solid #d0d0d0; border-radius: 6px; padding: .5rem; }
.counter output { display: block; font-size: 1.6rem; font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border-bottom: 1px solid #e2e2e2; padding: .25rem .4rem; text-align: left; vertical-align: top; }
td.body { font-family: ui-monospace, monospace; word-break: break-all; max-width: 22rem; }
tr.replayed td { background: #e8f3e8; } tr.lost td { background: #fdecea; } tr.twice td { background: #f9c9c4; }
code { font-family: ui-monospace, monospace; font-size: .85rem; }
#status { min-height: 1.5rem; color: #555; }
</style>
</head>
<body>
<header>
<h1>Idempotency keys, live</h1>
<p class="lead">Submit a payment, submit it again under the same <code>Idempotency-Key</code>, change its amount
under the same key, or lose a reply on the way back, and watch what the strategy answers and what the payment
processor's ledger holds. The strategies run on the live Redis, PostgreSQL and RabbitMQ that <code>idemlab
serve</code> was started on.</p>
</header>
<main>
<fieldset>
<legend>Request</legend>
<label for="strategy">Strategy</label><select id="strategy"></select>
<label for="key">Idempotency-Key</label><input id="key" size="38" readonly>
<label for="amount">Amount (cents)</label><input id="amount" type="number" value="1250" min="1" step="1">
<div>
<button class="primary" id="submit-new" type="button">Submit a new payment</button>
<button id="resubmit" type="button" disabled>Resubmit, same key</button>
<button id="change-amount" type="button" disabled>Change the amount, same key</button>
</div>
<div>
<button class="fault" id="drop-reply" type="button">Lose the next reply</button>
<button class="fault" id="crash" type="button">Crash after the next charge</button>
</div>
<div id="status" role="status" aria-live="polite"></div>
</fieldset>

<h2>Counters</h2>
<div class="counters">
<div class="counter">Total requests<output id="total">0</output></div>
<div class="counter">Duplicates caught<output id="duplicates">0</output></div>
<div class="counter">Unique payments<output id="unique">0</output></div>
<div class="counter">Duplicate rate<output id="rate">0%</output></div>
</div>

<h2>Responses</h2>
<div class="scroll"><table aria-describedby="responses-note">
<thead><tr><th scope="col">#</th><th scope="col">what</th><th scope="col">key</th><th scope="col">amount</th>
<th scope="col">status</th><th scope="col">replayed</th><th scope="col">body</th></tr></thead>
<tbody id="log"></tbody></table></div>
<p id="responses-note" class="lead">A replayed answer (header <code>Idempotency-Replayed: true</code>) is a duplicate
caught; so are 409 (the key is in progress) and 422 (the key was used with another payload).</p>

<h2>The processor's ledger</h2>
<div class="scroll"><table>
<thead><tr><th scope="col">charge</th><th scope="col">intent (the key)</th><th scope="col">amount</th></tr></thead>
<tbody id="ledger"></tbody></table></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const counts = { total: 0, duplicates: 0 };
let key = "";
let sent = 0;

function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

function say(text) { $("status").textContent = text; }

function renderCounters(unique) {
  $("total").textContent = counts.total;
  $("duplicates").textContent = counts.duplicates;
  if (unique !== undefined) $("unique").textContent = unique;
  $("rate").textContent = counts.total ? `${Math.round((100 * counts.duplicates) / counts.total)}%` : "0%";
}

async function refreshLedger() {
  const strategy = $("strategy").value;
  try {
    const r = await fetch(`/admin/ledger?strategy=${encodeURIComponent(strategy)}`);
    const lines = r.ok ? await r.json() : [];
    const body = $("ledger");
    body.replaceChildren();
    const perIntent = {};
    for (const l of lines) if (l.id.startsWith("ch_")) perIntent[l.intent] = (perIntent[l.intent] || 0) + 1;
    for (const l of lines) {
      const row = document.createElement("tr");
      if (perIntent[l.intent] > 1) row.className = "twice";
      cell(row, l.id);
      cell(row, l.intent + (perIntent[l.intent] > 1 && l.id.startsWith("ch_") ? "  (charged twice!)" : ""));
      cell(row, String(l.amount));
      body.appendChild(row);
    }
    renderCounters(Object.keys(perIntent).length);
  } catch (e) {
    say(`The ledger could not be read: ${e.message}`);
  }
}

async function pay(what) {
  const strategy = $("strategy").value;
  if (what === "new") {
    key = newKey();
    $("key").value = key;
  }
  if (what === "changed amount") $("amount").value = String(Number($("amount").value) + 500);
  const amount = Number($("amount").value);
  const number = ++sent;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3000);
  const row = document.createElement("tr");
  let status = "", replayed = false, text = "";
  say(`Sending request ${number}...`);
  try {
    const r = await fetch(`/${strategy}/payments`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key, "X-Intent": key },
      body: JSON.stringify({ amount, currency: "EUR", customer_id: "cus_demo" }),
      signal: controller.signal,
    });
    status = String(r.status);
    replayed = r.headers.get("Idempotency-Replayed") === "true";
    text = await r.text();
  } catch (e) {
    status = controller.signal.aborted ? "no answer in 3 s (the reply was lost)" : "connection closed (the API crashed)";
    row.className = "lost";
  }
  clearTimeout(timer);
  counts.total += 1;
  if (replayed || status === "409" || status === "422") {
    counts.duplicates += 1;
    row.className = "replayed";
  }
  cell(row, String(number));
  cell(row, what);
  cell(row, key.slice(0, 8) + "...");
  cell(row, String(amount));
  cell(row, status);
  cell(row, replayed ? "yes" : "no");
  cell(row, text, "body");
  $("log").prepend(row);
  $("resubmit").disabled = $("change-amount").disabled = false;
  say(`Request ${number}: ${status}${replayed ? " (replayed: the duplicate was caught)" : ""}`);
  await refreshLedger();
}

async function arm(fault) {
  const strategy = $("strategy").value;
  const body = fault === "drop_reply" ? { fault, strategy, count: 1 } : { fault, strategy, for: "1s" };
  const r = await fetch("/admin/faults", { method: "POST", headers: { "Content-Type": "application/json" },
                                           body: JSON.stringify(body) });
  say(r.ok ? `Armed: ${fault} on ${strategy}. Submit or resubmit to meet it.` : `Not armed: ${await r.text()}`);
}

async function start() {
  const health = await (await fetch("/health")).json();
  for (const s of health.strategies) {
    const option = document.createElement("option");
    option.value = option.textContent = s.name;
    $("strategy").appendChild(option);
  }
  $("strategy").addEventListener("change", () => { counts.total = counts.duplicates = 0; renderCounters(0);
                                                   $("log").replaceChildren(); refreshLedger(); });
  $("submit-new").addEventListener("click", () => pay("new"));
  $("resubmit").addEventListener("click", () => pay("same key again"));
  $("change-amount").addEventListener("click", () => pay("changed amount"));
  $("drop-reply").addEventListener("click", () => arm("drop_reply"));
  $("crash").addEventListener("click", () => arm("crash_after_charge"));
  await refreshLedger();
  document.body.dataset.ready = "yes";
}
start().catch((e) => say(`The demo could not start: ${e.message}`));
</script>
</body>
</html>
)HTML";
}

}  // namespace idemlab::serve
