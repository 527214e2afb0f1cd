// The demo page `idemlab serve` answers GET / with: submit a payment, submit
// it again under the same Idempotency-Key, change its amount under the same
// key, arm a fault (a lost reply, a crash after the charge), and see each
// answer, the processor's ledger and the counters (requests, duplicates
// caught, unique payments, duplicate rate). Plain HTML, CSS and JavaScript
// in one text, using only serve's own endpoints: nothing is fetched from
// elsewhere (its Content-Security-Policy says so to the browser).
#pragma once

namespace idemlab::serve {

const char* demo_page_html();
// The Content-Security-Policy header the page is served with.
const char* demo_page_policy();

}  // namespace idemlab::serve
