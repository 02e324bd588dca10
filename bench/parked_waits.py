#!/usr/bin/env python3
"""Another user's query latency while many requests wait on consistency tokens (stdlib only;
bench/run.sh runs it as phase e).

  1. idle      the measured user sends ITERATIONS sequential GET /v1/chats/<chat>/messages?limit=20
               on one keep-alive connection: the baseline.
  2. parked    the projector is paused (SIGSTOP), each of the waiting users posts one message with
               "Prefer: respond-async" (202 + a token the paused projector cannot reach), and
               WAITERS queries with those tokens are opened (WAITERS / users per user, below the
               per-user cap); once /ready reports them parked, the measured user repeats step 1.
  3. release   the projector resumes (SIGCONT); every parked query must answer 200.

Usage: parked_waits.py --port P --users-file F --projector-pid PID [--waiters 200]
       [--waiting-users 20] [--iterations 1000]
The users file has lines "<chat_id> <token>"; the last line is the measured user.
Prints a table and "RESULT mode=idle|parked n=... p50_ms=... p90_ms=... p99_ms=... mean_ms=... errors=..."
plus "RESULT mode=release waiters=... ok=... other=...". Nothing is asserted.
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import threading
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def request(conn, method, path, token, body=None, headers=None):
    h = {"Authorization": "Bearer " + token}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    response = conn.getresponse()
    return response.status, response.getheader("Consistency-Token"), response.read()


def measure(port, chat, token, iterations):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times, errors = [], 0
    for _ in range(iterations):
        start = time.perf_counter()
        status, _, _ = request(conn, "GET", "/v1/chats/%s/messages?limit=20" % chat, token)
        times.append((time.perf_counter() - start) * 1000)
        errors += status != 200
    conn.close()
    return sorted(times), errors


def parked_count(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/ready")
    body = json.loads(conn.getresponse().read())
    conn.close()
    return body["checks"]["parked_waits"]["count"]


def report(mode, times, errors):
    print("%-8s n=%-5d p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  mean %7.2f ms  errors %d" % (
        mode, len(times), percentile(times, 50), percentile(times, 90), percentile(times, 99),
        statistics.mean(times), errors))
    print("RESULT mode=%s n=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f mean_ms=%.2f errors=%d" % (
        mode, len(times), percentile(times, 50), percentile(times, 90), percentile(times, 99),
        statistics.mean(times), errors))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--users-file", required=True)
    parser.add_argument("--projector-pid", type=int, required=True)
    parser.add_argument("--waiters", type=int, default=200)
    parser.add_argument("--waiting-users", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()

    users = [line.split() for line in open(args.users_file) if line.strip()]
    if len(users) < args.waiting_users + 1:
        sys.exit("need %d users in %s" % (args.waiting_users + 1, args.users_file))
    measured_chat, measured_token = users[-1]
    waiting = users[:args.waiting_users]

    idle, idle_errors = measure(args.port, measured_chat, measured_token, args.iterations)
    report("idle", idle, idle_errors)

    os.kill(args.projector_pid, signal.SIGSTOP)
    results = []
    threads = []
    try:
        tokens = []
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        for chat, token in waiting:
            status, consistency, _ = request(conn, "POST", "/v1/chats/%s/messages" % chat, token,
                                             body=json.dumps({"content": "wait for me"}),
                                             headers={"Prefer": "respond-async"})
            if status != 202:
                sys.exit("async post answered %d" % status)
            tokens.append((chat, token, consistency))
        conn.close()

        lock = threading.Lock()

        def wait(chat, token, consistency):
            c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=180)
            try:
                status, _, _ = request(c, "GET", "/v1/chats/%s/messages?limit=1" % chat, token,
                                       headers={"Consistency-Token": consistency})
            except Exception as e:  # recorded, not raised: the run reports it
                status = repr(e)
            with lock:
                results.append(status)

        for i in range(args.waiters):
            chat, token, consistency = tokens[i % len(tokens)]
            t = threading.Thread(target=wait, args=(chat, token, consistency), daemon=True)
            t.start()
            threads.append(t)
        deadline = time.time() + 60
        while parked_count(args.port) < args.waiters and time.time() < deadline:
            time.sleep(0.05)
        parked_before = parked_count(args.port)
        busy, busy_errors = measure(args.port, measured_chat, measured_token, args.iterations)
        parked_after = parked_count(args.port)
        report("parked", busy, busy_errors)
        print("parked waits during the measurement: %d at start, %d at end" % (parked_before, parked_after))
    finally:
        os.kill(args.projector_pid, signal.SIGCONT)
    for t in threads:
        t.join(120)
    ok = sum(1 for r in results if r == 200)
    print("RESULT mode=release waiters=%d ok=%d other=%d" % (args.waiters, ok, len(results) - ok))
    print("p99 parked / idle: %.2fx" % (percentile(busy, 99) / percentile(idle, 99)))


if __name__ == "__main__":
    main()
