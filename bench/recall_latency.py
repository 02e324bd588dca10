#!/usr/bin/env python3
"""Recall latency through the gateway (stdlib only; bench/run.sh runs it as phase j).

GET /v1/memory/search?q=<words>&limit=10 for one user whose N vectors bench/run.sh loaded straight
into memory_vectors, against two gateways on the same schema: one that always scans exactly
(AIMI_RECALL_HNSW_MIN beyond N) and one that builds an HNSW index. For each: the first query (the
gateway reads the user's vectors), then, for the HNSW one, the wait until its answers say
vector_index=hnsw, then ITERATIONS queries. Prints "RESULT mode=... n=... first_ms=... p50_ms=...
p95_ms=... build_s=..." lines.

Usage: recall_latency.py --exact-port P --hnsw-port P --token T --vectors N --iterations K
"""

import argparse
import http.client
import json
import random
import time

WORDS = ["plan", "run", "sister", "budget", "trip", "book", "sleep", "coffee", "meeting", "goal",
         "spanish", "marathon", "doctor", "kitchen", "holiday", "garden", "music", "friend"]


def query(conn, token, words):
    started = time.perf_counter()
    conn.request("GET", "/v1/memory/search?limit=10&q=" + "%20".join(words),
                 headers={"Authorization": "Bearer " + token})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit("search answered %d: %s" % (response.status, body[:300]))
    return elapsed, json.loads(body)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exact-port", type=int, required=True)
    ap.add_argument("--hnsw-port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--vectors", type=int, required=True)
    ap.add_argument("--iterations", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(7)
    for mode, port in (("exact", args.exact_port), ("hnsw", args.hnsw_port)):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        first, answer = query(conn, args.token, ["plan"])
        build_s = 0.0
        if mode == "hnsw":
            started = time.perf_counter()
            while answer["vector_index"] != "hnsw":
                if time.perf_counter() - started > 600:
                    raise SystemExit("no HNSW index after 600 s")
                time.sleep(1)
                _, answer = query(conn, args.token, ["plan"])
            build_s = time.perf_counter() - started
        times = []
        for _ in range(args.iterations):
            elapsed, answer = query(conn, args.token, rng.sample(WORDS, 2))
            if answer["vector_index"] != mode:
                raise SystemExit("expected %s, the gateway used %s" % (mode, answer["vector_index"]))
            times.append(elapsed)
        print("RESULT mode=%s n=%d first_ms=%.1f p50_ms=%.2f p95_ms=%.2f build_s=%.1f" % (
            mode, args.vectors, first, percentile(times, 0.5), percentile(times, 0.95), build_s), flush=True)


if __name__ == "__main__":
    main()
