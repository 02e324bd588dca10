#!/usr/bin/env python3
"""Write -> queryable latency against a running gateway (python3 stdlib only; bench/run.sh runs it).

For ITERATIONS rounds, on one keep-alive connection, one request at a time:
  async   POST /v1/chats/<chat>/messages with "Prefer: respond-async" (202 + consistency token), then
          GET /v1/chats/<chat>/messages/recent with "Consistency-Token: <token>" (the gateway holds it
          until the projection applied that position); timed from before the POST to the end of the
          GET, and each half on its own. The GET's body must contain the posted content (a round
          where it does not is counted as an error, never asserted).
  sync    plain POST /v1/chats/<chat>/messages: by design answers 201 only after the projection
          applied the write, so it is a write -> queryable figure too.
  health  GET /health round trip on the same server: the baseline (HTTP + loopback, no work).
Every loop is bounded by ITERATIONS and by --max-seconds per mode.

Usage: write_to_query.py --port P --chat CHAT_ID --token TOKEN [--iterations 500] [--max-seconds 60]
Prints a table and one "RESULT mode=... n=... p50_ms=... p90_ms=... p99_ms=... mean_ms=... errors=..."
line per mode.
"""

import argparse
import http.client
import json
import statistics
import sys
import time


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


class Client:
    def __init__(self, port, token):
        self.port = port
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.token}
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        for attempt in range(2):  # one reconnect if the server closed an idle keep-alive connection
            try:
                self.conn.request(method, path, body=body, headers=h)
                response = self.conn.getresponse()
                return response.status, response.getheader("Consistency-Token"), response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def run_mode(name, iterations, max_seconds, step):
    samples, errors = [], 0
    deadline = time.monotonic() + max_seconds
    for i in range(iterations):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        ok = step(i)
        elapsed = (time.perf_counter() - start) * 1000.0
        if ok:
            samples.append(elapsed)
        else:
            errors += 1
    return name, samples, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--chat", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    client = Client(args.port, args.token)
    messages = "/v1/chats/%s/messages" % args.chat
    recent = messages + "/recent?limit=5"
    run_id = "%x" % int(time.time() * 1000)
    first_error = []

    def note(what):
        if not first_error:
            first_error.append(what)

    def health(_):
        status, _, _ = client.call("GET", "/health")
        if status != 200:
            note("health %d" % status)
        return status == 200

    def sync_post(i):
        body = json.dumps({"content": "sync %s %d" % (run_id, i)})
        status, _, raw = client.call("POST", messages, body)
        if status != 201:
            note("sync POST %d %s" % (status, raw[:200]))
        return status == 201

    split_post, split_get = [], []

    def async_write_then_query(i):
        content = "async %s %d" % (run_id, i)
        t0 = time.perf_counter()
        status, token, raw = client.call("POST", messages, json.dumps({"content": content}),
                                         {"Prefer": "respond-async"})
        t1 = time.perf_counter()
        if status != 202 or not token:
            note("async POST %d %s" % (status, raw[:200]))
            return False
        status, _, raw = client.call("GET", recent, headers={"Consistency-Token": token})
        t2 = time.perf_counter()
        split_post.append((t1 - t0) * 1000.0)
        split_get.append((t2 - t1) * 1000.0)
        if status != 200:
            note("GET recent %d %s" % (status, raw[:200]))
            return False
        items = json.loads(raw).get("items", [])
        if not any(item.get("content") == content for item in items):
            note("GET recent with the token did not show the posted message")
            return False
        return True

    # Warm up connections, pools and caches (not recorded).
    for i in range(args.warmup):
        health(i)
        sync_post(10_000_000 + i)

    results = [
        run_mode("health", args.iterations, args.max_seconds, health),
        run_mode("async_post_then_get", args.iterations, args.max_seconds, async_write_then_query),
        run_mode("sync_post", args.iterations, args.max_seconds, sync_post),
    ]
    # The two halves of async_post_then_get (successful rounds only): the append, and the wait.
    results.insert(2, ("  async POST (202)", split_post, 0))
    results.insert(3, ("  GET with token", split_get, 0))

    print("%-22s %6s %9s %9s %9s %9s %9s %7s" % ("mode", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms",
                                                "errors"))
    for name, samples, errors in results:
        s = sorted(samples)
        mean = statistics.fmean(s) if s else float("nan")
        print("%-22s %6d %9.2f %9.2f %9.2f %9.2f %9.2f %7d" % (name, len(s), percentile(s, 50), percentile(s, 90),
                                                             percentile(s, 99), s[-1] if s else float("nan"), mean,
                                                             errors))
    for name, samples, errors in results:
        s = sorted(samples)
        name = name.strip().split(" (")[0].replace(" ", "_")
        print("RESULT mode=%s n=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f mean_ms=%.2f errors=%d" % (
            name, len(s), percentile(s, 50), percentile(s, 90), percentile(s, 99),
            statistics.fmean(s) if s else float("nan"), errors))
    if first_error:
        print("first error: %s" % first_error[0], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
