#!/usr/bin/env python3
"""The assistant's turn latency (stdlib only; bench/run.sh runs it as phase k).

For each concurrency C in --concurrency, C users (each with a chat) send messages in closed loops for
--seconds; each POST /v1/chats/{id}/messages?wait_for_reply=30000 returns when the reply is applied,
so its time is message -> reply queryable (--mode reply). The baseline, in the same run, is the same
users posting plain messages (synchronous: answered once the entity store applied them) with the
assistant stopped (--mode plain_write): what the write alone costs. Messages rotate over requests that act (a reminder, a task, a
check-in) and ones that only answer (the schedule, the fallback).
Prints "RESULT name=... concurrency=... n=... p50_ms=... p99_ms=... per_s=..." lines.

Usage: assistant_latency.py --mode reply|plain_write --port P --users-file F (lines "<token> <chat id>")
                            --concurrency "1 16 64" --seconds S
"""

import argparse
import http.client
import json
import threading
import time

PHRASES = [
    "remind me to stretch in 2 hours",
    "add a task to water the plants",
    "I feel great today",
    "what's on today?",
    "what is the weather like?",
    "напомни через час выпить воды",
]


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(port, users, seconds, wait_reply):
    times, errors = [], []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def loop(user, index):
        token, chat = user
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        path = "/v1/chats/%s/messages%s" % (chat, "?wait_for_reply=30000" if wait_reply else "")
        k = index
        while time.perf_counter() < stop_at:
            body = json.dumps({"content": PHRASES[k % len(PHRASES)]})
            k += 1
            start = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            ms = (time.perf_counter() - start) * 1000
            ok = response.status == 201 and (not wait_reply or json.loads(data).get("reply") is not None)
            with lock:
                (times if ok else errors).append(ms if ok else (response.status, data[:200]))

    threads = [threading.Thread(target=loop, args=(u, i)) for i, u in enumerate(users)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors, time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--users-file", required=True, help="lines: <token> <chat id>")
    parser.add_argument("--concurrency", default="1 16 64")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--mode", choices=("reply", "plain_write"), required=True,
                        help="reply: with the assistant running; plain_write: with it stopped (else every "
                             "plain write queues a turn that the next reply would wait behind)")
    args = parser.parse_args()
    users = [tuple(line.split()) for line in open(args.users_file) if line.strip()]
    for c in [int(x) for x in args.concurrency.split()]:
        for name, wait in ((args.mode, args.mode == "reply"),):
            times, errors, wall = run(args.port, users[:c], args.seconds, wait)
            if errors:
                print("ERRORS name=%s concurrency=%d count=%d first=%r" % (name, c, len(errors), errors[0]))
            print("RESULT name=%s concurrency=%d n=%d p50_ms=%.1f p99_ms=%.1f per_s=%.1f" % (
                name, c, len(times), percentile(times, 50), percentile(times, 99), len(times) / wall), flush=True)


if __name__ == "__main__":
    main()
