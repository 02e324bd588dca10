#!/usr/bin/env python3
"""Message search latency beside an ILIKE scan (stdlib + psql; bench/run.sh runs it as phase f).

For each user set (one user with many messages; many users with fewer) and each word class
(a common, a middling and a rare word of aimi-loadgen's Zipf vocabulary):
  http     GET /v1/search/messages?q=<word>&limit=20 through the gateway (best first, snippets)
  sql      the ranked tsquery on search_messages (GIN), 20 best, in one psql session (\\timing)
  ilike    SELECT ... FROM messages WHERE user_id = U AND content ILIKE '%<word>%' ORDER BY
           created_at DESC LIMIT 20: what a search without the read model would do
Prints a table and "RESULT set=... class=... mode=... n=... p50_ms=... p99_ms=... hits=..." lines.

Usage: search_latency.py --port P --pg-url URL --schema S --users-file F --iterations N
The users file has lines "<set> <user_id> <token>".
"""

import argparse
import http.client
import json
import random
import subprocess
import time
import urllib.parse

SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "gu",
             "ba", "fe", "zo", "vi", "ha", "yu", "we", "co", "ja", "xi"]
CLASSES = {"common": 5, "middling": 200, "rare": 5000}


def word(rank):  # aimi-loadgen's word(rank)
    out, n = "", rank
    while True:
        out += SYLLABLES[n % 20]
        n //= 20
        if n == 0:
            return out + "n"


def percentile(values, p):
    values = sorted(values)
    rank = max(1, min(len(values), int(-(-p * len(values) // 100))))
    return values[rank - 1]


class Psql:
    """One psql session; returns the server round trip of each query (\\timing)."""

    def __init__(self, url, schema):
        self.proc = subprocess.Popen(["psql", url, "-X", "-A", "-t", "-q"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.send("SET search_path TO %s;" % schema)
        self.send("\\timing on")

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def timed(self, sql):
        self.send(sql + ";")
        value = None
        while True:
            line = self.proc.stdout.readline()
            if line.startswith("Time: "):
                return float(line.split()[1]), value
            if line.strip():
                value = line.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--users-file", required=True)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()

    sets = {}
    for line in open(args.users_file):
        name, user, token = line.split()
        sets.setdefault(name, []).append((user, token))
    psql = Psql(args.pg_url, args.schema)
    rng = random.Random(1)
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
    print("%-8s %-9s %-6s %6s %9s %9s %8s" % ("set", "class", "mode", "n", "p50 ms", "p99 ms", "hits"))
    for set_name, users in sets.items():
        for class_name, rank in CLASSES.items():
            w = word(rank)
            times = {"http": [], "sql": [], "ilike": []}
            hits = {"http": 0, "sql": 0, "ilike": 0}
            for _ in range(args.iterations):
                user, token = rng.choice(users)
                start = time.perf_counter()
                conn.request("GET", "/v1/search/messages?limit=20&q=" + urllib.parse.quote(w),
                             headers={"Authorization": "Bearer " + token})
                response = conn.getresponse()
                body = json.loads(response.read())
                times["http"].append((time.perf_counter() - start) * 1000)
                hits["http"] = len(body.get("items", []))
                ms, n = psql.timed(
                    "SELECT count(*) FROM (SELECT message_id FROM search_messages, "
                    "websearch_to_tsquery('english', '%s') q WHERE user_id = '%s' AND document @@ q "
                    "ORDER BY ts_rank_cd(document, q) DESC LIMIT 20) s" % (w, user))
                times["sql"].append(ms)
                hits["sql"] = int(n)
                ms, n = psql.timed(
                    "SELECT count(*) FROM (SELECT id FROM messages WHERE user_id = '%s' AND content ILIKE '%%%s%%' "
                    "ORDER BY created_at DESC LIMIT 20) s" % (user, w))
                times["ilike"].append(ms)
                hits["ilike"] = int(n)
            for mode in ("http", "sql", "ilike"):
                p50, p99 = percentile(times[mode], 50), percentile(times[mode], 99)
                print("%-8s %-9s %-6s %6d %9.2f %9.2f %8d" % (set_name, class_name, mode, len(times[mode]), p50, p99,
                                                             hits[mode]))
                print("RESULT set=%s class=%s mode=%s n=%d p50_ms=%.2f p99_ms=%.2f hits=%d" % (
                    set_name, class_name, mode, len(times[mode]), p50, p99, hits[mode]))


if __name__ == "__main__":
    main()
