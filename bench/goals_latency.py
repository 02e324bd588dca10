#!/usr/bin/env python3
"""Goals-graph query and command latency at 10k goals beside recursive-CTE baselines (stdlib +
psql; bench/run.sh runs it as phase g on aimi-loadgen's layered --goal-graph).

  prerequisites  GET /v1/goals/{g}: the goal with its transitive prerequisites and dependents
                 (depth; the nearest 500 of each, and their totals), for a goal of the last layer
                 (~all goals above it); prerequisites_all: the same with ?limit=100000 (all of them)
  critical_path  GET /v1/goals/{g}/critical-path for a goal of the last layer
  bottlenecks    GET /v1/goals/bottlenecks?limit=10
  plan           GET /v1/goals/plan?limit=200 (the first page of active goals in dependency order)
  add_refused    POST /v1/goals/{first-layer goal}/dependencies with a last-layer parent: a cycle,
                 refused by the fold (409) — the validation end to end
  add_applied    POST a dependency from a random goal to a fresh goal (201, synchronous: answered
                 once the goals-graph projection has recomputed the user's metrics)
Baselines in PostgreSQL (one psql session, \\timing):
  cte_prerequisites  recursive CTE over goals_graph_dependencies: ancestors with their depth
  cte_cycle_check    recursive CTE: does the dependent already reach the parent? (what a naive
                     add-dependency validation asks the database)
Prints "RESULT name=... n=... p50_ms=... p99_ms=..." lines.

Usage: goals_latency.py --port P --token T --goals-file F --layers L --width W --pg-url URL
                        --schema S --user U --iterations N
"""

import argparse
import http.client
import json
import random
import time

from search_latency import Psql, percentile


def main():
    parser = argparse.ArgumentParser()
    for name in ("--token", "--goals-file", "--pg-url", "--schema", "--user"):
        parser.add_argument(name, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--layers", type=int, required=True)
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    goals = [line.strip() for line in open(args.goals_file) if line.strip()]
    first, last = goals[: args.width], goals[-args.width:]
    rng = random.Random(5)
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    headers = {"Authorization": "Bearer " + args.token, "Content-Type": "application/json"}

    def call(method, path, body=None, expect=(200,)):
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        ms = (time.perf_counter() - start) * 1000
        if response.status not in expect:
            raise SystemExit("%s %s -> %d %s" % (method, path, response.status, data[:300]))
        return ms, data

    times = {}
    sizes = {}

    def record(name, ms, data=b""):
        times.setdefault(name, []).append(ms)
        sizes[name] = len(data)

    # Warm-up: first connections, prepared statements, caches.
    for _ in range(5):
        call("GET", "/v1/goals/" + last[0])
        call("GET", "/v1/goals/bottlenecks")
    for _ in range(args.iterations):
        g = rng.choice(last)
        record("prerequisites", *call("GET", "/v1/goals/" + g))
        record("prerequisites_all", *call("GET", "/v1/goals/%s?limit=100000" % g))
        record("critical_path", *call("GET", "/v1/goals/%s/critical-path" % g))
        record("bottlenecks", *call("GET", "/v1/goals/bottlenecks?limit=10"))
    for _ in range(max(5, args.iterations // 10)):
        record("plan", *call("GET", "/v1/goals/plan?limit=200"))
    for _ in range(args.iterations):
        body = json.dumps({"parent_goal_id": rng.choice(last)})
        record("add_refused", *call("POST", "/v1/goals/%s/dependencies" % rng.choice(first), body, (409,)))
    for i in range(max(10, args.iterations // 4)):
        _, created = call("POST", "/v1/goals", json.dumps({"title": "fresh %d %f" % (i, rng.random())}), (201,))
        fresh = json.loads(created)["id"]
        body = json.dumps({"parent_goal_id": rng.choice(goals)})
        record("add_applied", *call("POST", "/v1/goals/%s/dependencies" % fresh, body, (201,)))

    psql = Psql(args.pg_url, args.schema)
    # The baseline must find what the gateway finds.
    probe = last[0]
    _, body = call("GET", "/v1/goals/" + probe)
    expected = json.loads(body)["prerequisites_total"]
    for _ in range(args.iterations):
        g = probe if _ == 0 else rng.choice(last)
        ms, found = psql.timed(
            "WITH RECURSIVE up (goal_id, depth) AS (SELECT '%s'::uuid, 0 UNION "
            "SELECT d.parent_goal_id, u.depth + 1 FROM up u JOIN goals_graph_dependencies d "
            "ON d.user_id = '%s' AND d.dependent_goal_id = u.goal_id AND d.type IN ('requires','enables','blocks')) "
            "SELECT count(*) FROM (SELECT goal_id, min(depth) FROM up WHERE depth > 0 GROUP BY goal_id) a"
            % (g, args.user))
        if g == probe and int(found) != expected:
            raise SystemExit("the CTE found %s prerequisites, the gateway %d" % (found, expected))
        record("cte_prerequisites", ms)
        ms, found = psql.timed(
            "WITH RECURSIVE down (goal_id) AS (SELECT '%s'::uuid UNION "
            "SELECT d.dependent_goal_id FROM down x JOIN goals_graph_dependencies d "
            "ON d.user_id = '%s' AND d.parent_goal_id = x.goal_id) "
            "SELECT EXISTS (SELECT 1 FROM down WHERE goal_id = '%s')"
            % (rng.choice(first), args.user, rng.choice(last)))
        if found != "t":
            raise SystemExit("the cycle-check CTE did not find the path (%s)" % found)
        record("cte_cycle_check", ms)

    for name, values in times.items():
        print("RESULT name=%s n=%d p50_ms=%.2f p99_ms=%.2f bytes=%d"
              % (name, len(values), percentile(values, 50), percentile(values, 99), sizes.get(name, 0)))


if __name__ == "__main__":
    main()
