#!/usr/bin/env bash
# Aimi benchmark suite: one command, its own build and its own private stack (docs/benchmarks.md).
#
#   bench/run.sh 2>&1 | tee /tmp/bench.log
#
# Builds Release binaries in build-bench/ (AIMI_BENCH_BUILD_DIR), starts PostgreSQL + Kafka with
# infra/scripts/stack.sh in a fresh temp folder (removed on exit, whatever happens), and measures,
# each figure beside a baseline taken in the same run:
#   a. fold micro-benchmarks     decode / decode+fold per event   vs  bare simdjson parse
#   b. projector catch-up        events/s from a pre-loaded topic  vs  COPY FROM of the same rows
#   c. gateway commands (wrk)    POST message req/s, p50/p90/p99   vs  GET /health on the same server
#   d. write -> queryable        async POST + GET with token, sync POST  vs  GET /health round trip
#   e. parked waits              another user's query p50/p99 with 200 requests waiting on tokens
#                                vs  the same query with none waiting
#   f. message search            p50/p99 over BENCH_SEARCH_MESSAGES messages of one user and the same
#                                over 100 users, by word frequency  vs  an ILIKE scan of messages;
#                                entity store + search projection catch-up; export of every fact
#   g. goals graph               aimi_goals_bench (rules and walks in memory at 10k goals / 49.5k
#                                edges); then one user's layered graph through Kafka: decide and
#                                project it, and query/command latency through the gateway  vs
#                                recursive CTEs in PostgreSQL over the same rows
#   h. schedule                  aimi_schedule_bench: a year of a daily rule expanded into instants
#                                (wall clock, tzdata, DST rule)  vs  libical alone iterating it
#   i. reminder dispatch         BENCH_REMINDERS reminders (one per calendar event) all due within one
#                                BENCH_REMINDER_WINDOW_S window, delivered on the chat channel by
#                                aimi-reminder-dispatcher: lateness p50/p99/max (sent - due, from the
#                                read model) and reminders/s  vs  the same dispatcher at light load
#                                (BENCH_REMINDER_PILOT reminders over 30 s just before) and the
#                                dispatcher's producer appending as many records of the same kind and
#                                size to a topic like the intake topic
#   j. memory                    aimi_recall_bench: exact scan vs an HNSW index over one user's
#                                10k and 100k clustered vectors (p50/p95, recall@10, build time,
#                                memory); recall through the gateway at 10k and 100k vectors loaded
#                                into memory_vectors, exact vs HNSW gateway; aimi_summarizer_bench
#                                (extractive session summaries vs splitting the same text);
#                                aimi_embedder_bench (MiniLM in C++) vs sentence-transformers
#   k. assistant                 message -> reply queryable (POST ?wait_for_reply) p50/p99 and turns/s
#                                with the rule-based provider at 1, 16 and 64 users in closed loops  vs
#                                the same users' plain message writes; where a turn's time goes
#   l. goals graph as SVG        aimi_goal_graph_bench: Graphviz layout + SVG render of 3-300 goals
#                                (GET /v1/goals/graph?format=svg)  vs  the same graph as DOT text
# Phase b also runs the projector with AIMI_PUBLISH_FACTS=0 (no fact staging) as the baseline of
# what publishing facts costs.
# and prints a results table at the end. Nothing is asserted about timings.
#
# Knobs (environment): BENCH_USERS (100), BENCH_MESSAGES_PER_USER (1000), BENCH_PARTITIONS (6),
# BENCH_MIN_TIME (0.5 s per fold benchmark repetition, 5 repetitions), BENCH_WRK_THREADS (2),
# BENCH_WRK_CONNECTIONS ("16 64"), BENCH_WRK_DURATION (20s), BENCH_WRK_USERS (64),
# BENCH_LATENCY_ITERATIONS (500), BENCH_WAITERS (200), BENCH_SEARCH_MESSAGES (1000000),
# BENCH_SEARCH_ITERATIONS (100), BENCH_GOAL_LAYERS/WIDTH/PARENTS/ITERATIONS (100/100/5/100),
# BENCH_REMINDERS (100000), BENCH_REMINDER_USERS (1000), BENCH_REMINDER_WINDOW_S (60),
# BENCH_REMINDER_PILOT (1000; 0 = none), BENCH_REMINDER_LEAD_S (auto: seconds from the start of loading
# to the first trigger, 60 + BENCH_REMINDERS / 1000), BENCH_RECALL_VECTORS ("10000 100000"),
# BENCH_RECALL_ITERATIONS (300), BENCH_ASSISTANT_CONCURRENCY ("1 16 64"), BENCH_ASSISTANT_SECONDS (20),
# BENCH_PHASES ("a b c d e f g h i j k l"),
# AIMI_BENCH_BUILD_DIR.
set -Eeuo pipefail
trap 'printf "bench: error: exit %s at %s:%s: %s\n" "$?" "${BASH_SOURCE[0]##*/}" "${LINENO}" "${BASH_COMMAND}" >&2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${AIMI_BENCH_BUILD_DIR:-${ROOT}/build-bench}"
BIN="${BUILD_DIR}/bin"
STACK="${ROOT}/infra/scripts/stack.sh"

USERS="${BENCH_USERS:-100}"
MESSAGES_PER_USER="${BENCH_MESSAGES_PER_USER:-1000}"
PARTITIONS="${BENCH_PARTITIONS:-6}"
MIN_TIME="${BENCH_MIN_TIME:-0.5}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
WRK_CONNECTIONS="${BENCH_WRK_CONNECTIONS:-16 64}"  # one health + one POST run per value
WRK_DURATION="${BENCH_WRK_DURATION:-20s}"
WRK_USERS="${BENCH_WRK_USERS:-64}"
LATENCY_ITERATIONS="${BENCH_LATENCY_ITERATIONS:-500}"
WAITERS="${BENCH_WAITERS:-200}"
SEARCH_MESSAGES="${BENCH_SEARCH_MESSAGES:-1000000}"
SEARCH_ITERATIONS="${BENCH_SEARCH_ITERATIONS:-100}"
PHASES="${BENCH_PHASES:-a b c d e f g h i j k l}"
ASSISTANT_CONCURRENCY="${BENCH_ASSISTANT_CONCURRENCY:-1 16 64}"
ASSISTANT_SECONDS="${BENCH_ASSISTANT_SECONDS:-20}"
ASSISTANT_WARMUP_SECONDS="${BENCH_ASSISTANT_WARMUP_SECONDS:-30}"
RECALL_VECTORS="${BENCH_RECALL_VECTORS:-10000 100000}"
RECALL_ITERATIONS="${BENCH_RECALL_ITERATIONS:-300}"
GOAL_LAYERS="${BENCH_GOAL_LAYERS:-100}"
GOAL_WIDTH="${BENCH_GOAL_WIDTH:-100}"
GOAL_PARENTS="${BENCH_GOAL_PARENTS:-5}"
GOAL_ITERATIONS="${BENCH_GOAL_ITERATIONS:-100}"
REMINDERS="${BENCH_REMINDERS:-100000}"
REMINDER_USERS="${BENCH_REMINDER_USERS:-1000}"
REMINDER_WINDOW_S="${BENCH_REMINDER_WINDOW_S:-60}"
REMINDER_PILOT="${BENCH_REMINDER_PILOT:-1000}"
REMINDER_LEAD_S="${BENCH_REMINDER_LEAD_S:-$((60 + REMINDERS / 1000))}"
JWT_SECRET="bench-secret-0123456789abcdef"
export AIMI_MASTER_KEY="${AIMI_MASTER_KEY:-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}"
CATCH_UP_TIMEOUT_S=240  # bounds every wait for the projector

log() { printf '\n== bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
# Seconds between two `now` values, 3 decimals.
elapsed() { python3 -c 'import sys; print("%.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
has_phase() { [[ " ${PHASES} " == *" $1 "* ]]; }

# ---- results, printed as one table at the end -------------------------------------------------
RESULTS=()
result() { RESULTS+=("$(printf '%-6s| %-42s| %-24s| %-48s| %s' "$@")"); }
# PREFIX_<benchmark name, '/' as '_'>=<median real time in us> for each benchmark of a Google
# Benchmark JSON file (run with --benchmark_repetitions and aggregates), for eval.
gbench_medians() {
  python3 -c '
import json, sys
for b in json.load(open(sys.argv[2]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        us = b["real_time"] / 1000.0 if b["time_unit"] == "ns" else b["real_time"]
        print("%s_%s=%.1f" % (sys.argv[1], b["run_name"].replace("/", "_"), us))' "$1" "$2"
}

# ---- build ------------------------------------------------------------------------------------
log "building Release binaries in ${BUILD_DIR}"
build_start=$(now)
if [[ ! -f "${BUILD_DIR}/build.ninja" ]]; then
  cmake -S "${ROOT}" -B "${BUILD_DIR}" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAIMI_BUILD_TESTS=OFF -DAIMI_BUILD_BENCH=ON >/dev/null
fi
ninja -C "${BUILD_DIR}" aimi_fold_bench aimi_goals_bench aimi_schedule_bench aimi-loadgen aimi-admin aimi-projector aimi-gateway \
  aimi-reminder-dispatcher aimi-assistant aimi_recall_bench aimi_summarizer_bench aimi_embedder_bench \
  aimi_goal_graph_bench | tail -n 2
printf 'build: %ss\n' "$(elapsed "${build_start}" "$(now)")"
for tool in wrk psql curl python3; do command -v "${tool}" >/dev/null || die "${tool} is required"; done

run_start=$(now)
printf 'machine: %s, %s cores (nproc), %s; load average at start:%s\n' \
  "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)" "$(nproc)" \
  "$(free -g | awk '/^Mem:/ {print $2 " GiB RAM"}')" "$(uptime | sed 's/.*load average://')"
printf 'date: %s, commit: %s%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git -C "${ROOT}" rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$(git -C "${ROOT}" diff --quiet HEAD 2>/dev/null || echo ' (working tree has changes)')"

# ---- private stack and children, all removed on exit ------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/aimi-bench.XXXXXX")"
DATA="${TMP}/stack"
LOGS="${TMP}/logs"
mkdir -p "${DATA}" "${LOGS}"
PIDS=()
STACK_STARTED=0

stop_pid() {
  local pid="$1"
  kill -0 "${pid}" 2>/dev/null || return 0
  kill -TERM "${pid}" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - ERR
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "${pid}"; done
  if ((status != 0)); then
    for f in "${LOGS}"/*.log; do
      [[ -f "${f}" ]] || continue
      printf '==> %s <==\n' "${f##*/}" >&2
      tail -n 15 "${f}" >&2
    done
  fi
  if ((STACK_STARTED)); then "${STACK}" down "${DATA}" --purge >/dev/null 2>&1 || true; fi
  rm -rf -- "${TMP}"
  exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_child VAR NAME BINARY [NAME=VALUE...]: starts BINARY with the extra environment, logs to
# LOGS/NAME.log; its pid lands in the variable VAR (and in PIDS, for the EXIT trap).
start_child() {
  local var="$1" name="$2" binary="$3"
  shift 3
  env "$@" "${binary}" >>"${LOGS}/${name}.log" 2>&1 &
  PIDS+=("$!")
  printf -v "${var}" '%s' "$!"
}

sql() { psql "${AIMI_PG_URL}" -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }

# Polls go through one long-lived psql session (start_poller, after the stack is up): starting a
# psql every 100 ms would itself take ~30% of a core on this 2-core machine, beside the projector.
start_poller() {
  coproc POLL { psql "${AIMI_PG_URL}" -X -A -t -q 2>&1; }
  PIDS+=("${POLL_PID}")
}
poll() {
  local line
  printf '%s;\n' "$1" >&"${POLL[1]}"
  IFS= read -r -t 30 line <&"${POLL[0]}" || die "no answer from the polling psql session"
  printf '%s\n' "${line}"
}

# Sum of next_offset for a projection over a topic = records applied (fresh topic: offsets from 0).
applied_records() { poll "SELECT coalesce(sum(next_offset), 0) FROM $1.projection_offsets WHERE projection = 'entity_store' AND topic = '$2'"; }

# Waits (bounded) until schema $1 has applied $3 records of topic $2 (projector pid $4 must stay
# alive); sets CAUGHT_UP_AT to the `now` at which it saw it (polls every 50 ms).
wait_caught_up() {
  local schema="$1" topic="$2" total="$3" pid="$4" deadline=$((SECONDS + CATCH_UP_TIMEOUT_S)) applied
  while ((SECONDS < deadline)); do
    kill -0 "${pid}" 2>/dev/null || die "the projector (pid ${pid}) exited"
    applied="$(applied_records "${schema}" "${topic}")"
    if ((applied >= total)); then CAUGHT_UP_AT="$(now)"; return 0; fi
    sleep 0.05
  done
  die "projector did not catch up within ${CATCH_UP_TIMEOUT_S}s (${applied:-?} of ${total} records)"
}

# cpu_snapshot LABEL=PID...: one line "LABEL=seconds ..." of CPU time (user+sys) used so far by each
# PID with all its descendants (live ones, and reaped ones through cutime/cstime), plus
# all=<busy seconds of the whole machine> from /proc/stat (so other load shows up too).
cpu_snapshot() {
  python3 - "$@" <<'EOF'
import os, sys
tck = os.sysconf("SC_CLK_TCK")
procs = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            raw = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        f = raw[raw.rindex(")") + 2:].split()
        procs[int(d)] = (int(f[1]), sum(int(x) for x in f[11:15]))  # ppid, utime+stime+cutime+cstime
children = {}
for pid, (ppid, _) in procs.items():
    children.setdefault(ppid, []).append(pid)
def total(pid):
    todo, ticks = [pid], 0
    while todo:
        p = todo.pop()
        if p in procs:
            ticks += procs[p][1]
            todo.extend(children.get(p, []))
    return ticks / tck
out = []
for arg in sys.argv[1:]:
    label, pid = arg.split("=")
    out.append("%s=%.2f" % (label, total(int(pid)) if pid.isdigit() else 0.0))
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:]]
out.append("all=%.2f" % ((sum(cpu[:8]) - cpu[3] - cpu[4]) / tck))  # minus idle and iowait
print(" ".join(out))
EOF
}

# cpu_report BEFORE AFTER SECONDS [EVENTS]: CPU seconds per label between two snapshots, as % of one
# core over the window and (with EVENTS) as microseconds of CPU per event; "other" = all - labels.
cpu_report() {
  python3 - "$@" <<'EOF'
import sys
before = dict(kv.split("=") for kv in sys.argv[1].split())
after = dict(kv.split("=") for kv in sys.argv[2].split())
window = float(sys.argv[3])
events = float(sys.argv[4]) if len(sys.argv) > 4 else 0
used = {k: float(after[k]) - float(before.get(k, 0)) for k in after}
used["other"] = used["all"] - sum(v for k, v in used.items() if k != "all")
parts = []
for k in [k for k in after if k != "all"] + ["other", "all"]:
    part = "%s %.1f s (%.0f%%" % (k, used[k], 100 * used[k] / window)
    if events:
        part += ", %.0f us/event" % (1e6 * used[k] / events)
    parts.append(part + ")")
print("CPU over %.1f s (%% of one core; 2 cores = 200%%): " % window + ", ".join(parts))
EOF
}

# Writes into $1 (a file) the fields of a wrk --latency report: rps p50 p90 p99 (ms) requests non2xx.
parse_wrk() {
  python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    n, unit = float(m.group(1)), m.group(2)
    return n * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
pct = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
reqs = re.search(r"(\d+) requests in", text).group(1)
non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errs = re.search(r"Socket errors:.*", text)
print(rps, "%.2f" % pct["50"], "%.2f" % pct["90"], "%.2f" % pct["99"], reqs, non.group(1) if non else 0,
      "'" + (errs.group(0) if errs else "") + "'")
EOF
}

# ---- a. fold micro-benchmarks (no stack needed) -----------------------------------------------
if has_phase a; then
  # Repetitions of all benchmarks interleaved in random order: a burst of load from elsewhere
  # hits figures and baselines alike instead of one benchmark's repetitions.
  log "a. fold micro-benchmarks (aimi_fold_bench, min_time ${MIN_TIME}s x 5 interleaved repetitions, medians)"
  "${BIN}/aimi_fold_bench" --benchmark_min_time="${MIN_TIME}" --benchmark_repetitions=5 \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_out="${TMP}/fold.json" --benchmark_out_format=json
  # FOLD_<name> = median items/s, FOLD_CV_<name> = coefficient of variation over the repetitions
  eval "$(python3 - "${TMP}/fold.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
for b in data["benchmarks"]:
    name = b["run_name"].replace("BM_", "").replace("/", "_")
    if b.get("aggregate_name") == "median":
        print("FOLD_%s=%.0f" % (name, b["items_per_second"]))
    elif b.get("aggregate_name") == "cv":
        print("FOLD_CV_%s=%.0f%%" % (name, 100 * b["items_per_second"]))
EOF
)"
  ratio() { python3 -c 'import sys; print("%.1fx" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
  per() { python3 -c 'import sys; print("%.2f us/event" % (1e6 / float(sys.argv[1])))' "$1"; }
  result a "decode (message.posted envelope)" "$(printf "%'d ev/s" "${FOLD_Decode}")" \
    "simdjson parse $(printf "%'d/s" "${FOLD_SimdjsonParse}") (fresh parser $(printf "%'d/s" "${FOLD_SimdjsonParseFresh}"))" \
    "$(per "${FOLD_Decode}"); parse is $(ratio "${FOLD_SimdjsonParse}" "${FOLD_Decode}") faster; cv ${FOLD_CV_Decode}/${FOLD_CV_SimdjsonParse}"
  result a "decode+fold, batch 100" "$(printf "%'d ev/s" "${FOLD_DecodeAndFold_100}")" \
    "simdjson parse $(printf "%'d/s" "${FOLD_SimdjsonParse}")" "$(per "${FOLD_DecodeAndFold_100}"); fold only $(printf "%'d/s" "${FOLD_FoldOnly_100}"); cv ${FOLD_CV_DecodeAndFold_100}"
  result a "decode+fold, batch 2000" "$(printf "%'d ev/s" "${FOLD_DecodeAndFold_2000}")" \
    "simdjson parse $(printf "%'d/s" "${FOLD_SimdjsonParse}")" "$(per "${FOLD_DecodeAndFold_2000}"); fold only $(printf "%'d/s" "${FOLD_FoldOnly_2000}"); cv ${FOLD_CV_DecodeAndFold_2000}"
fi

if has_phase b || has_phase c || has_phase d || has_phase e || has_phase f || has_phase g || has_phase i || has_phase j || has_phase k; then
  log "starting a private stack in ${DATA}"
  STACK_STARTED=1
  "${STACK}" up "${DATA}"
  # shellcheck disable=SC1091
  . "${DATA}/stack.env"
  export AIMI_PG_URL AIMI_KAFKA_BOOTSTRAP
  start_poller
  PG_PID="$(head -n 1 "$(readlink -m "${DATA}/pg")/data/postmaster.pid")"
  KAFKA_PID="$(cat "${DATA}/run/kafka.pid")"
fi

# ---- b. projector catch-up vs COPY --------------------------------------------------------------
if has_phase b; then
  SCHEMA=bench_projector
  TOPIC="bench.projector.$$"
  log "b. projector throughput: ${USERS} users x ${MESSAGES_PER_USER} messages into topic ${TOPIC} (${PARTITIONS} partitions), schema ${SCHEMA}"
  AIMI_PG_SCHEMA="${SCHEMA}" "${BIN}/aimi-admin" migrate
  AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_FACTS_TOPIC="${TOPIC}.facts" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" \
    "${BIN}/aimi-admin" create-topics
  "${BIN}/aimi-loadgen" --topic "${TOPIC}" --users "${USERS}" --messages-per-user "${MESSAGES_PER_USER}" \
    --timeout-s 180 | tee "${TMP}/loadgen.out"
  TOTAL="$(sed -n 's/^RESULT records=\([0-9]*\) .*/\1/p' "${TMP}/loadgen.out")"
  LOADGEN_RPS="$(sed -n 's/^RESULT .*records_per_s=\([0-9]*\).*/\1/p' "${TMP}/loadgen.out")"
  MESSAGES_TOTAL=$((USERS * MESSAGES_PER_USER))

  log "b. projector catch-up over ${TOTAL} records"
  sql "CHECKPOINT"  # as before the COPY baseline: both start with no dirty buffers to write back
  cpu_before="$(cpu_snapshot projector=none postgres="${PG_PID}" kafka="${KAFKA_PID}")"
  t_start=$(now)
  start_child PROJECTOR_PID projector-b "${BIN}/aimi-projector" AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="${TOPIC}" \
    AIMI_FACTS_TOPIC="${TOPIC}.facts"
  wait_caught_up "${SCHEMA}" "${TOPIC}" "${TOTAL}" "${PROJECTOR_PID}"
  t_end="${CAUGHT_UP_AT}"
  # Facts published: the relay empties the outbox shortly after the last commit.
  for _ in $(seq 1 600); do [[ "$(poll "SELECT count(*) FROM ${SCHEMA}.fact_outbox")" == 0 ]] && break; sleep 0.05; done
  FACTS_DONE_S="$(elapsed "${t_end}" "$(now)")"
  cpu_after="$(cpu_snapshot projector="${PROJECTOR_PID}" postgres="${PG_PID}" kafka="${KAFKA_PID}")"
  t_cpu=$(now)
  stop_pid "${PROJECTOR_PID}"
  # First batch's transaction start (applied_at = now() of the batch's transaction): excludes
  # process start and the consumer-group join, which are not throughput.
  t_first="$(sql "SELECT extract(epoch FROM min(applied_at)) FROM ${SCHEMA}.batch_outcomes")"
  wall_s="$(elapsed "${t_start}" "${t_end}")"
  steady_s="$(elapsed "${t_first}" "${t_end}")"
  counts="$(sql "SELECT (SELECT count(*) FROM ${SCHEMA}.messages) || ' ' || (SELECT count(*) FROM ${SCHEMA}.batch_outcomes) || ' ' || (SELECT count(*) FROM ${SCHEMA}.batch_outcomes WHERE outcome <> 'applied') || ' ' || (SELECT count(*) FROM ${SCHEMA}.dead_letters)")"
  read -r n_messages n_outcomes n_not_applied n_dead <<<"${counts}"
  printf 'projector: %s records applied in %ss from process start, %ss from the first batch; messages %s, outcomes %s (not applied %s), dead letters %s\n' \
    "${TOTAL}" "${wall_s}" "${steady_s}" "${n_messages}" "${n_outcomes}" "${n_not_applied}" "${n_dead}"
  cpu_report "${cpu_before}" "${cpu_after}" "$(elapsed "${t_start}" "${t_cpu}")" "${TOTAL}"
  [[ "${n_messages}" == "${MESSAGES_TOTAL}" && "${n_not_applied}" == 0 && "${n_dead}" == 0 ]] ||
    printf 'bench: WARNING: the projection does not hold what was appended (expected %s messages)\n' "${MESSAGES_TOTAL}"
  printf 'facts: outbox empty %ss after the last batch committed\n' "${FACTS_DONE_S}"

  log "b. baseline: the same catch-up without staging facts (AIMI_PUBLISH_FACTS=0), schema ${SCHEMA}_nf"
  AIMI_PG_SCHEMA="${SCHEMA}_nf" "${BIN}/aimi-admin" migrate
  sql "CHECKPOINT"
  t0=$(now)
  start_child PROJECTOR_NF_PID projector-b-nf "${BIN}/aimi-projector" AIMI_PG_SCHEMA="${SCHEMA}_nf" \
    AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_PUBLISH_FACTS=0
  wait_caught_up "${SCHEMA}_nf" "${TOPIC}" "${TOTAL}" "${PROJECTOR_NF_PID}"
  stop_pid "${PROJECTOR_NF_PID}"
  t_first_nf="$(sql "SELECT extract(epoch FROM min(applied_at)) FROM ${SCHEMA}_nf.batch_outcomes")"
  NF_EPS="$(python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' \
    "${TOTAL}" "${t_first_nf}" "${CAUGHT_UP_AT}")"
  printf 'projector without facts: %s records, %s ev/s from the first batch\n' "${TOTAL}" "${NF_EPS}"
  sql "SET client_min_messages = warning; DROP SCHEMA ${SCHEMA}_nf CASCADE"

  log "b. baseline: COPY FROM of the rows the projector wrote (same server, same run)"
  sql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy;
       CREATE TABLE bench_copy.messages (LIKE ${SCHEMA}.messages INCLUDING ALL);
       CREATE TABLE bench_copy.batch_outcomes (LIKE ${SCHEMA}.batch_outcomes INCLUDING ALL);
       -- LIKE copies indexes, defaults and checks, not foreign keys: add the ones messages has.
       ALTER TABLE bench_copy.messages ADD FOREIGN KEY (user_id) REFERENCES ${SCHEMA}.users (id),
         ADD FOREIGN KEY (chat_id) REFERENCES ${SCHEMA}.chats (id),
         ADD FOREIGN KEY (session_id) REFERENCES ${SCHEMA}.sessions (id);"
  psql "${AIMI_PG_URL}" -X -q -v ON_ERROR_STOP=1 -c "\\copy ${SCHEMA}.messages TO '${TMP}/messages.copy'"
  psql "${AIMI_PG_URL}" -X -q -v ON_ERROR_STOP=1 -c "\\copy ${SCHEMA}.batch_outcomes TO '${TMP}/batch_outcomes.copy'"
  sql "CHECKPOINT"
  # \timing reports the server round trip of the \copy (no psql start-up in it).
  copy_ms() {
    psql "${AIMI_PG_URL}" -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c "\\copy bench_copy.$1 FROM '${TMP}/$1.copy'" |
      sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
  }
  copy_messages_ms="$(copy_ms messages)"
  copy_outcomes_ms="$(copy_ms batch_outcomes)"
  copy_rows_m="$(sql "SELECT count(*) FROM bench_copy.messages")"
  copy_rows_o="$(sql "SELECT count(*) FROM bench_copy.batch_outcomes")"
  sql "SET client_min_messages = warning; DROP SCHEMA bench_copy CASCADE"
  eval "$(python3 - "${TOTAL}" "${wall_s}" "${steady_s}" "${copy_rows_m}" "${copy_messages_ms}" "${copy_rows_o}" "${copy_outcomes_ms}" <<'EOF'
import sys
total, wall, steady, rows_m, ms_m, rows_o, ms_o = map(float, sys.argv[1:])
proj = total / steady
copy_m = rows_m / (ms_m / 1000)
copy_o = rows_o / (ms_o / 1000)
# Both tables: what the projector must write per message record (one message + one outcome row).
copy_both = min(rows_m, rows_o) / ((ms_m + ms_o) / 1000)
print("PROJ_EPS=%.0f PROJ_WALL_EPS=%.0f COPY_M=%.0f COPY_O=%.0f COPY_BOTH=%.0f RATIO=%.1f" % (
    proj, total / wall, copy_m, copy_o, copy_both, copy_both / proj))
EOF
)"
  printf 'COPY FROM: messages %s rows in %s ms (%s rows/s), batch_outcomes %s rows in %s ms (%s rows/s)\n' \
    "${copy_rows_m}" "${copy_messages_ms}" "${COPY_M}" "${copy_rows_o}" "${copy_outcomes_ms}" "${COPY_O}"
  result b "aimi-loadgen append (async, acks=all)" "$(printf "%'d rec/s" "${LOADGEN_RPS}")" "-" "${TOTAL} records, ${PARTITIONS} partitions"
  result b "projector catch-up, staging + relaying facts" "$(printf "%'d ev/s" "${PROJ_EPS}")" \
    "no facts (PUBLISH_FACTS=0) $(printf "%'d ev/s" "${NF_EPS}")" "outbox empty ${FACTS_DONE_S}s after the last commit"
  result b "projector catch-up (from first batch)" "$(printf "%'d ev/s" "${PROJ_EPS}")" \
    "COPY msgs+outcomes $(printf "%'d/s" "${COPY_BOTH}")" "COPY is ${RATIO}x; from process start $(printf "%'d ev/s" "${PROJ_WALL_EPS}")"
  result b "  COPY FROM messages" "-" "$(printf "%'d rows/s" "${COPY_M}")" "${copy_rows_m} rows, ${copy_messages_ms} ms"
  result b "  COPY FROM batch_outcomes" "-" "$(printf "%'d rows/s" "${COPY_O}")" "${copy_rows_o} rows, ${copy_outcomes_ms} ms"
  # Dropped so that autovacuum on 200k fresh rows does not run into the gateway phases.
  sql "SET client_min_messages = warning; DROP SCHEMA ${SCHEMA} CASCADE"
fi

# ---- c/d. gateway: wrk throughput, then write -> queryable latency ---------------------------
if has_phase c || has_phase d || has_phase e; then
  SCHEMA=bench_gateway
  TOPIC="bench.gateway.$$"
  log "c. gateway on schema ${SCHEMA}, topic ${TOPIC}"
  AIMI_PG_SCHEMA="${SCHEMA}" "${BIN}/aimi-admin" migrate
  AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" "${BIN}/aimi-admin" create-topics
  GW_ENV=(AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_JWT_SECRET="${JWT_SECRET}")
  start_child PROJECTOR_PID projector-c "${BIN}/aimi-projector" "${GW_ENV[@]}"
  start_child GATEWAY_PID gateway "${BIN}/aimi-gateway" "${GW_ENV[@]}" AIMI_LOG_REQUESTS=0 AIMI_HTTP_PORT=0 AIMI_HTTP_PORT_FILE="${TMP}/gateway.port"
  for _ in $(seq 1 100); do [[ -s "${TMP}/gateway.port" ]] && break; sleep 0.1; done
  [[ -s "${TMP}/gateway.port" ]] || die "the gateway did not start"
  PORT="$(cat "${TMP}/gateway.port")"
  URL="http://127.0.0.1:${PORT}"
  curl -fsS "${URL}/health" >/dev/null

  # Users with one chat each: wrk's connections post as different users.
  : >"${TMP}/users.txt"
  for i in $(seq 1 "${WRK_USERS}"); do
    uid="$(cat /proc/sys/kernel/random/uuid)"
    token="$(AIMI_JWT_SECRET="${JWT_SECRET}" "${BIN}/aimi-admin" token --sub "${uid}")"
    curl -fsS --max-time 15 -X POST "${URL}/v1/users" -H "Authorization: Bearer ${token}" \
      -H 'Content-Type: application/json' -d "{\"display_name\":\"Bench ${i}\",\"time_zone\":\"UTC\"}" >/dev/null
    chat="$(curl -fsS --max-time 15 -X POST "${URL}/v1/chats" -H "Authorization: Bearer ${token}" \
      -H 'Content-Type: application/json' -d '{"title":"bench"}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')"
    printf '%s %s\n' "${chat}" "${token}" >>"${TMP}/users.txt"
  done
  printf 'registered %s users with one chat each\n' "${WRK_USERS}"
fi

if has_phase c; then
  for conns in ${WRK_CONNECTIONS}; do
    WRK=(wrk -t "${WRK_THREADS}" -c "${conns}" -d "${WRK_DURATION}" --timeout 15s --latency)
    log "c. baseline: ${WRK[*]} ${URL}/health"
    "${WRK[@]}" "${URL}/health" | tee "${TMP}/wrk-health.txt"
    log "c. ${WRK[*]} -s bench/wrk/post_message.lua ${URL} (POST /v1/chats/<chat>/messages, ${WRK_USERS} users)"
    before="$(sql "SELECT count(*) FROM ${SCHEMA}.messages")"
    cpu_before="$(cpu_snapshot gateway="${GATEWAY_PID}" projector="${PROJECTOR_PID}" postgres="${PG_PID}" kafka="${KAFKA_PID}")"
    t_start=$(now)
    "${WRK[@]}" -s "${ROOT}/bench/wrk/post_message.lua" "${URL}" -- "${TMP}/users.txt" "${WRK_THREADS}" |
      tee "${TMP}/wrk-post.txt"
    cpu_after="$(cpu_snapshot gateway="${GATEWAY_PID}" projector="${PROJECTOR_PID}" postgres="${PG_PID}" kafka="${KAFKA_PID}")"
    t_stop=$(now)
    read -r h_rps h_p50 h_p90 h_p99 _ _ _ <<<"$(parse_wrk "${TMP}/wrk-health.txt")"
    read -r p_rps p_p50 p_p90 p_p99 p_n p_non p_err <<<"$(parse_wrk "${TMP}/wrk-post.txt")"
    p_202="$(sed -n 's/^Status 201: [0-9]*, status 202: \([0-9]*\)$/\1/p' "${TMP}/wrk-post.txt")"
    # Every 201 was applied before it was answered; wait (bounded) for the requests wrk cut off
    # at the end of the run (and any 202) to be applied too.
    last=-1
    for _ in $(seq 1 60); do
      cur="$(applied_records "${SCHEMA}" "${TOPIC}")"
      [[ "${cur}" == "${last}" ]] && break
      last="${cur}"
      sleep 0.5
    done
    after="$(sql "SELECT count(*) FROM ${SCHEMA}.messages")"
    cpu_report "${cpu_before}" "${cpu_after}" "$(elapsed "${t_start}" "${t_stop}")" "${p_n}" | sed 's/^/POST run: /'
    p_err="${p_err//\'/}"
    printf 'POST run (%s connections): %s responses, %s non-2xx, %s were 202%s; messages stored during the run: %s\n' \
      "${conns}" "${p_n}" "${p_non}" "${p_202:-?}" "${p_err:+, ${p_err}}" "$((after - before))"
    result c "POST message, ${conns} conns: req/s" "$(printf "%'.0f req/s" "${p_rps}")" \
      "$(printf "GET /health %'.0f req/s" "${h_rps}")" "non-2xx ${p_non}, 202 ${p_202:-?}, stored $((after - before))"
    result c "  latency p50/p90/p99" "${p_p50}/${p_p90}/${p_p99} ms" "${h_p50}/${h_p90}/${h_p99} ms" "wrk --latency, ${WRK_THREADS} threads"
  done
fi

if has_phase d; then
  log "d. write -> queryable latency (${LATENCY_ITERATIONS} iterations, one connection, sequential)"
  read -r chat token <"${TMP}/users.txt"
  python3 "${ROOT}/bench/write_to_query.py" --port "${PORT}" --chat "${chat}" --token "${token}" \
    --iterations "${LATENCY_ITERATIONS}" --max-seconds 60 | tee "${TMP}/latency.txt"
  field() { sed -n "s/^RESULT mode=$1 .*$2=\([^ ]*\).*/\1/p" "${TMP}/latency.txt"; }
  hb="$(field health p50_ms)/$(field health p90_ms)/$(field health p99_ms) ms"
  result d "async POST + GET w/ token p50/p90/p99" \
    "$(field async_post_then_get p50_ms)/$(field async_post_then_get p90_ms)/$(field async_post_then_get p99_ms) ms" \
    "health ${hb}" "n=$(field async_post_then_get n), errors $(field async_post_then_get errors)"
  result d "  of which POST answered 202 (append)" "$(field async_POST p50_ms)/$(field async_POST p90_ms)/$(field async_POST p99_ms) ms" \
    "health ${hb}" "decide + Kafka append (acks=all)"
  result d "  of which GET w/ token (projection wait)" "$(field GET_with_token p50_ms)/$(field GET_with_token p90_ms)/$(field GET_with_token p99_ms) ms" \
    "health ${hb}" "until the projector committed + query"
  result d "sync POST (returns when applied) p50/p90/p99" \
    "$(field sync_post p50_ms)/$(field sync_post p90_ms)/$(field sync_post p99_ms) ms" \
    "health ${hb}" "n=$(field sync_post n), errors $(field sync_post errors)"
fi

if has_phase e; then
  log "e. another user's query while ${WAITERS} requests wait on consistency tokens (projector paused)"
  head -n 21 "${TMP}/users.txt" >"${TMP}/waiters.txt"
  python3 "${ROOT}/bench/parked_waits.py" --port "${PORT}" --users-file "${TMP}/waiters.txt" \
    --projector-pid "${PROJECTOR_PID}" --waiters "${WAITERS}" --waiting-users 20 \
    --iterations "${LATENCY_ITERATIONS}" | tee "${TMP}/parked.txt"
  pfield() { sed -n "s/^RESULT mode=$1 .*$2=\([^ ]*\).*/\1/p" "${TMP}/parked.txt"; }
  result e "GET messages, ${WAITERS} waits parked p50/p99" "$(pfield parked p50_ms)/$(pfield parked p99_ms) ms" \
    "idle $(pfield idle p50_ms)/$(pfield idle p99_ms) ms" \
    "errors $(pfield parked errors); afterwards $(pfield release ok) of $(pfield release waiters) waits answered 200"
fi

# ---- f. message search over a large read model, and exporting every fact ------------------------
if has_phase f; then
  SCHEMA=bench_search
  TOPIC="bench.search.$$"
  F_ENV=(AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_FACTS_TOPIC="${TOPIC}.facts" AIMI_JWT_SECRET="${JWT_SECRET}")
  log "f. search: ${SEARCH_MESSAGES} messages of one user + ${SEARCH_MESSAGES} over 100 users (12 words each)"
  env "${F_ENV[@]}" "${BIN}/aimi-admin" migrate
  env "${F_ENV[@]}" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" "${BIN}/aimi-admin" create-topics
  "${BIN}/aimi-loadgen" --topic "${TOPIC}" --users 1 --messages-per-user "${SEARCH_MESSAGES}" --words 12 \
    --users-out "${TMP}/search-one.txt" --timeout-s 900 | tail -n 1
  "${BIN}/aimi-loadgen" --topic "${TOPIC}" --users 100 --messages-per-user "$((SEARCH_MESSAGES / 100))" --words 12 \
    --users-out "${TMP}/search-many.txt" --timeout-s 900 | tail -n 1
  search_total=$((SEARCH_MESSAGES * 2))
  t0=$(now)
  start_child SEARCH_ES_PID projector-f "${BIN}/aimi-projector" "${F_ENV[@]}"
  start_child SEARCH_MS_PID projector-f-search "${BIN}/aimi-projector" "${F_ENV[@]}" AIMI_PROJECTION=message_search
  deadline=$((SECONDS + 3600))
  es_done=""
  while ((SECONDS < deadline)); do
    n="$(poll "SELECT count(*) FROM ${SCHEMA}.search_messages")"
    [[ -z "${es_done}" && "$(poll "SELECT count(*) FROM ${SCHEMA}.messages")" == "${search_total}" ]] && es_done="$(elapsed "${t0}" "$(now)")"
    [[ "${n}" == "${search_total}" ]] && break
    sleep 3
  done
  ms_done="$(elapsed "${t0}" "$(now)")"
  [[ "${n}" == "${search_total}" ]] || die "search projection did not catch up (${n} of ${search_total})"
  printf 'search: entity store held %s messages after %ss, search_messages after %ss (both from process start, concurrently)\n' \
    "${search_total}" "${es_done}" "${ms_done}"
  sql "VACUUM ANALYZE ${SCHEMA}.search_messages"
  sql "VACUUM ANALYZE ${SCHEMA}.messages"
  start_child SEARCH_GW_PID gateway-f "${BIN}/aimi-gateway" "${F_ENV[@]}" AIMI_LOG_REQUESTS=0 AIMI_HTTP_PORT=0 \
    AIMI_HTTP_PORT_FILE="${TMP}/gateway-f.port"
  for _ in $(seq 1 100); do [[ -s "${TMP}/gateway-f.port" ]] && break; sleep 0.1; done
  : >"${TMP}/search-users.txt"
  while read -r uid; do
    printf 'one %s %s\n' "${uid}" "$(AIMI_JWT_SECRET="${JWT_SECRET}" "${BIN}/aimi-admin" token --sub "${uid}")" >>"${TMP}/search-users.txt"
  done <"${TMP}/search-one.txt"
  while read -r uid; do
    printf 'many %s %s\n' "${uid}" "$(AIMI_JWT_SECRET="${JWT_SECRET}" "${BIN}/aimi-admin" token --sub "${uid}")" >>"${TMP}/search-users.txt"
  done <"${TMP}/search-many.txt"
  python3 "${ROOT}/bench/search_latency.py" --port "$(cat "${TMP}/gateway-f.port")" --pg-url "${AIMI_PG_URL}" \
    --schema "${SCHEMA}" --users-file "${TMP}/search-users.txt" --iterations "${SEARCH_ITERATIONS}" | tee "${TMP}/search.txt"
  sfield() { sed -n "s/^RESULT set=$1 class=$2 mode=$3 .*$4=\([^ ]*\).*/\1/p" "${TMP}/search.txt"; }
  for set in one many; do
    for class in common middling rare; do
      result f "search ${set}: ${class} word p50/p99" \
        "$(sfield "${set}" "${class}" http p50_ms)/$(sfield "${set}" "${class}" http p99_ms) ms" \
        "ILIKE $(sfield "${set}" "${class}" ilike p50_ms)/$(sfield "${set}" "${class}" ilike p99_ms) ms" \
        "SQL alone $(sfield "${set}" "${class}" sql p50_ms)/$(sfield "${set}" "${class}" sql p99_ms) ms"
    done
  done
  result f "catch-up of $(printf "%'d" "${search_total}") messages" "search ${ms_done}s" "entity store ${es_done}s" "both projectors at once, from process start"

  log "f. aimi-admin export of every fact of ${TOPIC}.facts"
  t0=$(now)
  env "${F_ENV[@]}" "${BIN}/aimi-admin" export >"${TMP}/facts.jsonl" 2>"${TMP}/export.err"
  export_s="$(elapsed "${t0}" "$(now)")"
  export_lines="$(wc -l <"${TMP}/facts.jsonl")"
  tail -n 1 "${TMP}/export.err"
  result f "aimi-admin export (facts, JSON lines)" "$(printf "%'d" "${export_lines}") in ${export_s}s" \
    "-" "$(python3 -c 'import sys; print("%.0f records/s, %.0f MB" % (float(sys.argv[1]) / float(sys.argv[2]), float(sys.argv[3]) / 1e6))' "${export_lines}" "${export_s}" "$(stat -c %s "${TMP}/facts.jsonl")")"
  rm -f "${TMP}/facts.jsonl"
fi

# ---- g. goals graph at 10k goals ---------------------------------------------------------------
if has_phase g; then
  SCHEMA=bench_goals
  TOPIC="bench.goals.$$"
  G_ENV=(AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_FACTS_TOPIC="${TOPIC}.facts" AIMI_JWT_SECRET="${JWT_SECRET}")
  log "g. aimi_goals_bench: the fold's add-dependency validation and the graph walks, in memory"
  "${BIN}/aimi_goals_bench" --benchmark_min_time=1 --benchmark_format=json >"${TMP}/goals-bench.json"
  while read -r name p50 p99; do
    result g "in memory: ${name} p50/p99" "${p50}/${p99} us" "-" "10k goals, 49.5k edges (aimi_goals_bench)"
  done < <(python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    print(b["name"].replace("BM_", ""), "%.0f" % b["p50_us"], "%.0f" % b["p99_us"])' "${TMP}/goals-bench.json")
  log "g. goals graph: ${GOAL_LAYERS}x${GOAL_WIDTH} goals, ${GOAL_PARENTS} requires-parents each, one user"
  env "${G_ENV[@]}" "${BIN}/aimi-admin" migrate
  env "${G_ENV[@]}" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" "${BIN}/aimi-admin" create-topics
  "${BIN}/aimi-loadgen" --topic "${TOPIC}" --users 1 --messages-per-user 0 --goal-graph "${GOAL_LAYERS}x${GOAL_WIDTH}" \
    --goal-parents "${GOAL_PARENTS}" --users-out "${TMP}/goals-user.txt" --goals-out "${TMP}/goals.txt" \
    --timeout-s 300 | tee "${TMP}/loadgen-g.out"
  g_total="$(sed -n 's/^RESULT records=\([0-9]*\) .*/\1/p' "${TMP}/loadgen-g.out")"
  g_user="$(head -n 1 "${TMP}/goals-user.txt")"
  g_edges=$(( (GOAL_LAYERS - 1) * GOAL_WIDTH * GOAL_PARENTS ))
  t0=$(now)
  start_child GOALS_ES_PID projector-g "${BIN}/aimi-projector" "${G_ENV[@]}"
  start_child GOALS_GG_PID projector-g-goals "${BIN}/aimi-projector" "${G_ENV[@]}" AIMI_PROJECTION=goals_graph
  wait_caught_up "${SCHEMA}" "${TOPIC}" "${g_total}" "${GOALS_ES_PID}"
  es_s="$(elapsed "${t0}" "${CAUGHT_UP_AT}")"
  deadline=$((SECONDS + CATCH_UP_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    [[ "$(poll "SELECT count(*) FROM ${SCHEMA}.goals_graph_dependencies")" == "${g_edges}" ]] && break
    sleep 0.2
  done
  gg_s="$(elapsed "${t0}" "$(now)")"
  [[ "$(poll "SELECT count(*) FROM ${SCHEMA}.goals_graph_dependencies")" == "${g_edges}" ]] || die "goals_graph did not catch up"
  [[ "$(poll "SELECT count(*) FROM ${SCHEMA}.batch_outcomes WHERE outcome <> 'applied'")" == 0 ]] || die "some goal records were not applied"
  printf 'goals: %s records decided in %ss, goals-graph read model complete after %ss (from process start)\n' "${g_total}" "${es_s}" "${gg_s}"
  sql "VACUUM ANALYZE ${SCHEMA}.goals_graph_goals"
  sql "VACUUM ANALYZE ${SCHEMA}.goals_graph_dependencies"
  start_child GOALS_GW_PID gateway-g "${BIN}/aimi-gateway" "${G_ENV[@]}" AIMI_LOG_REQUESTS=0 AIMI_HTTP_PORT=0 \
    AIMI_HTTP_PORT_FILE="${TMP}/gateway-g.port"
  for _ in $(seq 1 100); do [[ -s "${TMP}/gateway-g.port" ]] && break; sleep 0.1; done
  python3 "${ROOT}/bench/goals_latency.py" --port "$(cat "${TMP}/gateway-g.port")" \
    --token "$(AIMI_JWT_SECRET="${JWT_SECRET}" "${BIN}/aimi-admin" token --sub "${g_user}")" \
    --goals-file "${TMP}/goals.txt" --layers "${GOAL_LAYERS}" --width "${GOAL_WIDTH}" --pg-url "${AIMI_PG_URL}" \
    --schema "${SCHEMA}" --user "${g_user}" --iterations "${GOAL_ITERATIONS}" | tee "${TMP}/goals-latency.txt"
  gfield() { sed -n "s/^RESULT name=$1 .*$2=\([^ ]*\).*/\1/p" "${TMP}/goals-latency.txt"; }
  gpair() { printf '%s/%s ms' "$(gfield "$1" p50_ms)" "$(gfield "$1" p99_ms)"; }
  result g "goals: decide ${g_total} records" "$(python3 -c "print('%.0f records/s' % (${g_total} / ${es_s}))")" "-" "graph read model complete after ${gg_s}s"
  result g "GET goal + prerequisites p50/p99" "$(gpair prerequisites)" "recursive CTE $(gpair cte_prerequisites)" "$(gfield prerequisites bytes) bytes; nearest 500 + totals"
  result g "GET goal + all prerequisites p50/p99" "$(gpair prerequisites_all)" "recursive CTE $(gpair cte_prerequisites)" "$(gfield prerequisites_all bytes) bytes; ~9.6k entries"
  result g "GET critical path p50/p99" "$(gpair critical_path)" "-" "precomputed chain, pointer walk"
  result g "GET bottlenecks p50/p99" "$(gpair bottlenecks)" "-" "precomputed counts, index"
  result g "GET plan p50/p99" "$(gpair plan)" "-" "$(gfield plan bytes) bytes, every active goal"
  result g "POST dependency, refused cycle p50/p99" "$(gpair add_refused)" "cycle-check CTE $(gpair cte_cycle_check)" "decided in the fold, end to end"
  result g "POST dependency, applied p50/p99" "$(gpair add_applied)" "-" "answered once the read model recomputed"
fi

# ---- h. schedule: occurrence expansion (no stack needed) ------------------------------------------
if has_phase h; then
  log "h. aimi_schedule_bench: occurrence expansion vs libical alone (5 interleaved repetitions, medians)"
  "${BIN}/aimi_schedule_bench" --benchmark_min_time="${MIN_TIME}" --benchmark_repetitions=5 \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_out="${TMP}/schedule.json" --benchmark_out_format=json
  eval "$(gbench_medians SCHED "${TMP}/schedule.json")"
  result h "a year of FREQ=DAILY, Europe/Berlin" "${SCHED_ScheduleYearOfDaily} us" "libical alone ${SCHED_LibicalAloneYearOfDaily} us" "365 occurrences with instants, DST rule"
  result h "a week of FREQ=DAILY three years on" "${SCHED_ScheduleWeekOfDailyThreeYearsOn} us" "-" "libical starts at the window"
fi

# ---- l. the goals graph drawn as SVG (no stack needed) ---------------------------------------------
if has_phase l; then
  log "l. aimi_goal_graph_bench: Graphviz layout + SVG vs DOT text (5 interleaved repetitions, medians)"
  "${BIN}/aimi_goal_graph_bench" --benchmark_min_time="${MIN_TIME}" --benchmark_repetitions=5 \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_out="${TMP}/goal_graph.json" --benchmark_out_format=json
  eval "$(gbench_medians GRAPH "${TMP}/goal_graph.json")"
  for n in 3 30 100 300; do
    dot_var="GRAPH_BM_GoalGraph_Dot_${n}" svg_var="GRAPH_BM_GoalGraph_Svg_${n}"
    result l "goals graph as SVG, ${n} goals" "${!svg_var} us" "DOT text ${!dot_var} us" "Graphviz dot layout + SVG, one shared context"
  done
fi

# ---- i. reminder dispatch: BENCH_REMINDERS reminders due within one window ------------------------
if has_phase i; then
  SCHEMA=bench_reminders
  TOPIC="bench.reminders.$$"
  I_ENV=(AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_FACTS_TOPIC="${TOPIC}.facts")
  PILOT_SPAN_S=30
  log "i. reminder dispatch: ${REMINDERS} reminders over ${REMINDER_USERS} users due within ${REMINDER_WINDOW_S}s (pilot: ${REMINDER_PILOT} over ${PILOT_SPAN_S}s before), lead ${REMINDER_LEAD_S}s, topic ${TOPIC}"
  env "${I_ENV[@]}" "${BIN}/aimi-admin" migrate
  env "${I_ENV[@]}" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" "${BIN}/aimi-admin" create-topics
  # The window is fixed before loading: the queue plans at fact time and skips triggers already past,
  # so every event must be decided and planned before the first trigger (the pilot's, if any).
  load_t0=$(now)
  WINDOW_START=$(( $(date +%s) + REMINDER_LEAD_S ))
  PILOT_START=$(( WINDOW_START - PILOT_SPAN_S - 10 ))
  FIRST_DUE="${WINDOW_START}"  # the first trigger: planning must be done 5 s before it
  ((REMINDER_PILOT > 0)) && FIRST_DUE="${PILOT_START}"
  quiet_from=$(( (10#$(date -u -d "@${WINDOW_START}" +%H) + 12) % 24 ))  # quiet hours, 12 h away from the window
  QUIET="$(printf '%02d:00-%02d:00' "${quiet_from}" $(( (quiet_from + 1) % 24 )))"
  WINDOWS=(--reminders "${REMINDERS}@${WINDOW_START}+${REMINDER_WINDOW_S}")
  ((REMINDER_PILOT > 0)) && WINDOWS=(--reminders "${REMINDER_PILOT}@${PILOT_START}+${PILOT_SPAN_S}" "${WINDOWS[@]}")
  printf 'window: %s .. +%ss (UTC); first trigger (pilot or window) %s; offsets_minutes [5], quiet hours %s\n' \
    "$(date -u -d "@${WINDOW_START}" +%H:%M:%S)" "${REMINDER_WINDOW_S}" "$(date -u -d "@${FIRST_DUE}" +%H:%M:%S)" "${QUIET}"
  # The decider and the queue run while the records arrive, as they would behind the gateway.
  start_child REM_ES_PID projector-i "${BIN}/aimi-projector" "${I_ENV[@]}"
  start_child REM_RQ_PID projector-i-queue "${BIN}/aimi-projector" "${I_ENV[@]}" AIMI_PROJECTION=reminder_queue
  env "${I_ENV[@]}" "${BIN}/aimi-loadgen" --topic "${TOPIC}" --users "${REMINDER_USERS}" --messages-per-user 0 \
    "${WINDOWS[@]}" --reminder-offset-min 5 --quiet-hours "${QUIET}" --timeout-s 300 | tee "${TMP}/loadgen-i.out"
  load_appended_s="$(elapsed "${load_t0}" "$(now)")"
  i_total="$(sed -n 's/^RESULT records=\([0-9]*\) .*/\1/p' "${TMP}/loadgen-i.out")"
  i_load_rps="$(sed -n 's/^RESULT .*records_per_s=\([0-9]*\).*/\1/p' "${TMP}/loadgen-i.out")"
  i_planned=$((REMINDERS + REMINDER_PILOT))
  # Decided (entity store), then planned (queue); all before the first trigger, else the figures
  # would mix in reminders skipped as past.
  es_s="" queued=0 skipped=0
  while (($(date +%s) < FIRST_DUE - 5)); do
    kill -0 "${REM_ES_PID}" 2>/dev/null && kill -0 "${REM_RQ_PID}" 2>/dev/null || die "a phase i projector exited"
    [[ -z "${es_s}" && "$(applied_records "${SCHEMA}" "${TOPIC}")" -ge "${i_total}" ]] && es_s="$(elapsed "${load_t0}" "$(now)")"
    read -r queued skipped <<<"$(poll "SELECT count(*) || ' ' || count(*) FILTER (WHERE status <> 'scheduled') FROM ${SCHEMA}.reminder_queue")"
    ((queued >= i_planned)) && break
    sleep 0.5
  done
  planned_s="$(elapsed "${load_t0}" "$(now)")"
  ((queued >= i_planned)) ||
    die "the queue held ${queued} of ${i_planned} reminders ${planned_s}s after loading began, too late for the window: raise BENCH_REMINDER_LEAD_S (${REMINDER_LEAD_S})"
  ((skipped == 0)) || die "${skipped} reminders were planned as skipped (past or quiet hours)"
  printf 'load: %s records appended %ss after the start, decided by the entity store after %ss, %s reminders planned after %ss; %ss left before the first trigger\n' \
    "${i_total}" "${load_appended_s}" "${es_s:-?}" "${queued}" "${planned_s}" "$((FIRST_DUE - $(date +%s)))"

  start_child REM_DISPATCHER_PID dispatcher-i "${BIN}/aimi-reminder-dispatcher" "${I_ENV[@]}"
  for _ in $(seq 1 300); do
    grep -q "reminder partitions owned: ${PARTITIONS}" "${LOGS}/dispatcher-i.log" && break
    sleep 0.1
  done
  grep -q "reminder partitions owned: ${PARTITIONS}" "${LOGS}/dispatcher-i.log" || die "the dispatcher does not own the ${PARTITIONS} partitions"
  cpu_labels() { printf '%s ' dispatcher="${REM_DISPATCHER_PID}" entity_store="${REM_ES_PID}" queue="${REM_RQ_PID}" \
    postgres="${PG_PID}" kafka="${KAFKA_PID}"; }
  python3 -c 'import sys, time; time.sleep(max(0.0, float(sys.argv[1]) - time.time()))' "${WINDOW_START}"
  # shellcheck disable=SC2046
  cpu_before="$(cpu_snapshot $(cpu_labels))"
  t_window=$(now)
  log "i. main window open: ${REMINDERS} reminders due until +${REMINDER_WINDOW_S}s"
  deadline=$((WINDOW_START + REMINDER_WINDOW_S + 600))
  next_report=$((SECONDS + 10))
  while (($(date +%s) < deadline)); do
    kill -0 "${REM_DISPATCHER_PID}" 2>/dev/null || die "the dispatcher exited"
    logged="$(poll "SELECT count(*) FROM ${SCHEMA}.reminder_logs WHERE channel = 'chat'")"
    ((logged >= i_planned)) && break
    if ((SECONDS >= next_report)); then
      next_report=$((SECONDS + 10))
      printf '  +%ss: %s of %s chat records in reminder_logs\n' "$(($(date +%s) - WINDOW_START))" "${logged}" "${i_planned}"
    fi
    sleep 0.5
  done
  t_done=$(now)
  # shellcheck disable=SC2046
  cpu_after="$(cpu_snapshot $(cpu_labels))"
  ((logged >= i_planned)) ||
    printf 'bench: WARNING: only %s of %s reminders delivered %ss after the window; figures below are of those\n' \
      "${logged}" "${i_planned}" "$(($(date +%s) - WINDOW_START - REMINDER_WINDOW_S))"
  cpu_report "${cpu_before}" "${cpu_after}" "$(elapsed "${t_window}" "${t_done}")" "${REMINDERS}" | sed 's/^/dispatch: /'
  stop_pid "${REM_DISPATCHER_PID}"
  stop_pid "${REM_RQ_PID}"
  stop_pid "${REM_ES_PID}"
  # A record in flight longer than the dispatcher's patience is appended again; the fold keeps one.
  i_outcomes="$(sql "SELECT coalesce(string_agg(outcome || ' ' || n, ', ' ORDER BY outcome), 'none')
                     FROM (SELECT outcome, count(*) AS n FROM ${SCHEMA}.batch_outcomes
                           WHERE idempotency_key LIKE 'reminder:%' GROUP BY outcome) o")"
  i_not_applied="$(sql "SELECT count(*) FROM ${SCHEMA}.batch_outcomes WHERE idempotency_key LIKE 'reminder:%' AND outcome <> 'applied'")"
  printf 'dispatch: outcomes of the records the dispatcher appended: %s; dead letters %s\n' \
    "${i_outcomes}" "$(sql "SELECT count(*) FROM ${SCHEMA}.dead_letters")"

  # Due time: the queue row's trigger_at (a one-off event's row stays, status sent). Sent time:
  # reminder_logs.at of the chat record = the time of the reminder.delivered fact = the dispatcher's
  # clock when it built the record. Applied: the entity store's transaction that made the chat
  # message queryable (batch_outcomes.applied_at).
  psql "${AIMI_PG_URL}" -X -q -v ON_ERROR_STOP=1 -c "\\copy (
    SELECT CASE WHEN q.trigger_at >= to_timestamp(${WINDOW_START}) THEN 'main' ELSE 'pilot' END,
           extract(epoch FROM q.trigger_at), extract(epoch FROM l.at), extract(epoch FROM o.applied_at),
           coalesce(l.status, ''), coalesce(l.reason, '')
    FROM ${SCHEMA}.reminder_queue q
    LEFT JOIN ${SCHEMA}.reminder_logs l ON l.user_id = q.user_id AND l.reminder_id = q.reminder_id AND l.channel = 'chat'
    LEFT JOIN ${SCHEMA}.batch_outcomes o ON o.user_id = q.user_id AND o.outcome = 'applied'
         AND o.idempotency_key = 'reminder:' || q.reminder_id || ':chat'
  ) TO '${TMP}/reminders.csv' CSV"
  python3 "${ROOT}/bench/reminder_stats.py" --csv "${TMP}/reminders.csv" --window-start "${WINDOW_START}" \
    --window-s "${REMINDER_WINDOW_S}" | tee "${TMP}/reminder-stats.txt"
  rfield() { sed -n "s/^RESULT name=$1 .*[ ]$2=\([^ ]*\).*/\1/p" "${TMP}/reminder-stats.txt"; }

  log "i. baseline: the dispatcher's producer appending ${REMINDERS} records like its chat records to ${TOPIC}.append (${PARTITIONS} partitions)"
  AIMI_EVENTS_TOPIC="${TOPIC}.append" AIMI_FACTS_TOPIC="${TOPIC}.append.facts" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" \
    "${BIN}/aimi-admin" create-topics
  "${BIN}/aimi-loadgen" --topic "${TOPIC}.append" --users "${REMINDER_USERS}" --dispatch-like "${REMINDERS}" --chunk 0 \
    --timeout-s 300 | tee "${TMP}/append-all.out"
  "${BIN}/aimi-loadgen" --topic "${TOPIC}.append" --users "${REMINDER_USERS}" --dispatch-like "${REMINDERS}" --chunk 500 \
    --timeout-s 300 | tee "${TMP}/append-500.out"
  append_all="$(sed -n 's/^RESULT .*records_per_s=\([0-9]*\).*/\1/p' "${TMP}/append-all.out")"
  append_500="$(sed -n 's/^RESULT .*records_per_s=\([0-9]*\).*/\1/p' "${TMP}/append-500.out")"
  append_bytes="$(sed -n 's/^RESULT .*bytes=\([0-9]*\).*/\1/p' "${TMP}/append-all.out")"

  n_fmt="$(printf "%'d" "${REMINDERS}")"
  triple() { printf '%s/%s/%s s' "$(rfield "$1" "$2p50_s")" "$(rfield "$1" "$2p99_s")" "$(rfield "$1" "$2max_s")"; }
  pilot_cmp="-"
  ((REMINDER_PILOT > 0)) && pilot_cmp="pilot $(triple pilot "")"
  result i "${n_fmt} due in ${REMINDER_WINDOW_S}s: lateness p50/p99/max" "$(triple main "")" "${pilot_cmp}" \
    "target p99 < 1 s; $(rfield main under_1s_pct)% under 1 s; sent = fact time"
  pilot_cmp="-"
  ((REMINDER_PILOT > 0)) && pilot_cmp="pilot $(triple pilot vis_)"
  result i "  chat message applied - due p50/p99/max" "$(triple main vis_)" "${pilot_cmp}" "entity store's transaction (batch_outcomes)"
  result i "dispatch rate, chat channel" "$(printf "%'.0f rem/s" "$(rfield main rate)")" \
    "$(printf "append alone %'d/s, by 500 %'d/s" "${append_all}" "${append_500}")" \
    "due $(printf "%'d" $((REMINDERS / REMINDER_WINDOW_S)))/s; busiest 5 s $(printf "%'.0f" "$(rfield main peak5_rate)")/s; last sent $(rfield main drain_s) s after the window"
  result i "  chat messages applied (entity store)" "$(printf "%'.0f rem/s" "$(rfield main applied_rate)")" "-" \
    "first to last applied; records ~$((append_bytes / REMINDERS)) B"
  result i "  records appended again (not applied)" "${i_not_applied}" "-" "${i_outcomes}"
  result i "load: ${i_planned} events decided + planned" "${planned_s} s" "$(printf "loadgen append %'d rec/s" "${i_load_rps}")" \
    "entity store done after ${es_s:-?} s (from load start)"
fi

# ---- j. memory: recall, summarizer, embedder ---------------------------------------------------
if has_phase j; then
  log "j. aimi_recall_bench: exact scan vs HNSW over one user's clustered vectors (in memory)"
  "${BIN}/aimi_recall_bench" ${RECALL_VECTORS} | tee "${TMP}/recall.txt"
  rv() { sed -n "s/^RECALL_$1=//p" "${TMP}/recall.txt"; }
  for n in ${RECALL_VECTORS}; do
    result j "in memory, ${n} vectors: HNSW ef=64 p50/p95" "$(rv "HNSW_${n}_EF64_P50")/$(rv "HNSW_${n}_EF64_P95") ms" \
      "exact $(rv "EXACT_${n}_P50")/$(rv "EXACT_${n}_P95") ms" "recall@10 $(rv "HNSW_${n}_EF64_AT10"); ef=128: $(rv "HNSW_${n}_EF128_P50")/$(rv "HNSW_${n}_EF128_P95") ms, @10 $(rv "HNSW_${n}_EF128_AT10")"
    result j "  HNSW build, memory (${n} vectors)" "$(rv "HNSW_${n}_BUILD_S") s, $(rv "HNSW_${n}_MIB") MiB" "-" "2 threads, M=16, ef_construction=100"
  done

  log "j. recall through the gateway (vectors loaded into memory_vectors; exact vs HNSW gateway)"
  SCHEMA=bench_memory
  J_ENV=(AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="bench.memory.$$" AIMI_FACTS_TOPIC="bench.memory.$$.facts"
    AIMI_JWT_SECRET="${JWT_SECRET}" AIMI_EMBEDDER=hashed AIMI_LOG_REQUESTS=0 AIMI_HTTP_PORT=0)
  env "${J_ENV[@]}" "${BIN}/aimi-admin" migrate
  env "${J_ENV[@]}" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" "${BIN}/aimi-admin" create-topics
  for n in ${RECALL_VECTORS}; do
    j_user="$(python3 -c 'import uuid; print(uuid.uuid4())')"
    "${BIN}/aimi_recall_bench" --copy "${n}" "${j_user}" hashed/hashed-ngram/v1-d384 |
      psql "${AIMI_PG_URL}" -X -q -v ON_ERROR_STOP=1 -c "COPY ${SCHEMA}.memory_vectors (user_id, item_id, source_kind, source_id, model, revision, dimensions, vector, chat_id, occurred_at, created_at, change_seq) FROM STDIN"
    sql "INSERT INTO ${SCHEMA}.memory_vector_users VALUES ('${j_user}', ${n})"
    sql "INSERT INTO ${SCHEMA}.memory_vector_models VALUES ('${j_user}', 'hashed/hashed-ngram/v1-d384', 384, ${n})"
    rm -f "${TMP}/gateway-j-exact.port" "${TMP}/gateway-j-hnsw.port"
    start_child J_EXACT_PID gateway-j-exact "${BIN}/aimi-gateway" "${J_ENV[@]}" AIMI_RECALL_HNSW_MIN=1000000000 \
      AIMI_HTTP_PORT_FILE="${TMP}/gateway-j-exact.port"
    start_child J_HNSW_PID gateway-j-hnsw "${BIN}/aimi-gateway" "${J_ENV[@]}" AIMI_RECALL_HNSW_MIN=1000 \
      AIMI_HTTP_PORT_FILE="${TMP}/gateway-j-hnsw.port"
    for _ in $(seq 1 100); do [[ -s "${TMP}/gateway-j-exact.port" && -s "${TMP}/gateway-j-hnsw.port" ]] && break; sleep 0.1; done
    python3 "${ROOT}/bench/recall_latency.py" --exact-port "$(cat "${TMP}/gateway-j-exact.port")" \
      --hnsw-port "$(cat "${TMP}/gateway-j-hnsw.port")" --vectors "${n}" --iterations "${RECALL_ITERATIONS}" \
      --token "$(AIMI_JWT_SECRET="${JWT_SECRET}" "${BIN}/aimi-admin" token --sub "${j_user}")" | tee "${TMP}/recall-gw.txt"
    stop_pid "${J_EXACT_PID}"
    stop_pid "${J_HNSW_PID}"
    jf() { sed -n "s/^RESULT mode=$1 .*$2=\([^ ]*\).*/\1/p" "${TMP}/recall-gw.txt"; }
    result j "gateway recall, ${n} vectors: HNSW p50/p95" "$(jf hnsw p50_ms)/$(jf hnsw p95_ms) ms" \
      "exact $(jf exact p50_ms)/$(jf exact p95_ms) ms" "first query (reads the user) $(jf exact first_ms) ms; index built after $(jf hnsw build_s) s"
  done

  log "j. aimi_summarizer_bench: extractive session summaries vs splitting the same text"
  "${BIN}/aimi_summarizer_bench" --benchmark_min_time="${MIN_TIME}" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_out="${TMP}/summarizer.json" --benchmark_out_format=json >/dev/null
  eval "$(python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        print("SUM_%s=%.0f" % (b["run_name"].replace("/", "_"), b["items_per_second"]))' "${TMP}/summarizer.json")"
  result j "extractive summary of a 20-message session" "EN ${SUM_ExtractiveSession_0}/s, RU ${SUM_ExtractiveSession_1}/s" \
    "split only EN ${SUM_SplitOnly_0}/s, RU ${SUM_SplitOnly_1}/s" "sessions/s, one thread"
  result j "hashed embedder, chat messages" "EN ${SUM_HashedEmbedMessages_0}/s, RU ${SUM_HashedEmbedMessages_1}/s" "-" "messages/s, one thread"

  log "j. aimi_embedder_bench (MiniLM in C++) vs sentence-transformers on the same messages"
  "${BIN}/aimi_embedder_bench" --benchmark_min_time="${MIN_TIME}" --benchmark_repetitions=5 \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_out="${TMP}/embedder.json" --benchmark_out_format=json >/dev/null
  eval "$(python3 -c '
import json, re, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        key = re.sub(r"[^A-Za-z0-9]+", "_", b["run_name"]).strip("_")
        print("EMB_%s=%.0f" % (key, b["items_per_second"]))' "${TMP}/embedder.json")"
  # The reference needs torch (about 6 GB from PyPI, once): a venv kept between runs.
  ST_VENV="${BENCH_REFERENCE_VENV:-${HOME}/.cache/aimi/sentence-transformers-venv}"
  if [[ ! -x "${ST_VENV}/bin/python" ]] || ! "${ST_VENV}/bin/python" -c 'import sentence_transformers' 2>/dev/null; then
    log "j. installing sentence-transformers into ${ST_VENV} (PyPI; once)"
    python3 -m venv "${ST_VENV}"
    "${ST_VENV}/bin/pip" install --quiet --disable-pip-version-check sentence-transformers
  fi
  HF_HUB_OFFLINE=1 TORCH_THREADS=2 "${ST_VENV}/bin/python" "${ROOT}/bench/embedder_reference.py" "${BIN}/aimi_embedder_bench" |
    tee "${TMP}/embedder-reference.txt"
  st() { sed -n "s/^sentence-transformers lang:$1 batch:$2 *\([0-9.]*\) messages.*/\1/p" "${TMP}/embedder-reference.txt"; }
  result j "MiniLM, EN messages, batches of 32" "${EMB_Embed_lang_0_batch_32_threads_2_blas_1_real_time} msg/s" \
    "sentence-transformers $(st en 32) msg/s" "2 threads per call, OpenBLAS 1; torch 2 threads"
  result j "MiniLM, EN messages, one by one" "${EMB_Embed_lang_0_batch_1_threads_1_blas_1_real_time} msg/s" \
    "sentence-transformers $(st en 1) msg/s" "two callers at once: ${EMB_Embed_lang_0_batch_1_threads_1_blas_1_real_time_threads_2} msg/s"
  result j "MiniLM, RU messages, batches of 32" "${EMB_Embed_lang_1_batch_32_threads_2_blas_1_real_time} msg/s" \
    "sentence-transformers $(st ru 32) msg/s" "~4x the tokens of EN (English vocabulary)"
fi

# ---- k. the assistant: message -> reply queryable ------------------------------------------------
if has_phase k; then
  SCHEMA=bench_assistant
  TOPIC="bench.assistant.$$"
  K_ENV=(AIMI_PG_SCHEMA="${SCHEMA}" AIMI_EVENTS_TOPIC="${TOPIC}" AIMI_FACTS_TOPIC="${TOPIC}.facts"
    AIMI_JWT_SECRET="${JWT_SECRET}" AIMI_EMBEDDER=hashed)
  log "k. assistant turns (rule-based provider) at ${ASSISTANT_CONCURRENCY} users, ${ASSISTANT_SECONDS}s each, topic ${TOPIC}"
  env "${K_ENV[@]}" "${BIN}/aimi-admin" migrate
  env "${K_ENV[@]}" AIMI_EVENTS_PARTITIONS="${PARTITIONS}" "${BIN}/aimi-admin" create-topics
  for projection in entity_store goals_graph schedule reminder_queue memory memory_vectors message_search; do
    start_child K_PROJ_PID "projector-k-${projection}" "${BIN}/aimi-projector" "${K_ENV[@]}" AIMI_PROJECTION="${projection}"
  done
  rm -f "${TMP}/gateway-k.port"
  start_child K_GW_PID gateway-k "${BIN}/aimi-gateway" "${K_ENV[@]}" AIMI_LOG_REQUESTS=0 AIMI_HTTP_PORT=0 \
    AIMI_HTTP_PORT_FILE="${TMP}/gateway-k.port"
  K_METRICS_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  start_child K_AS_PID assistant-k "${BIN}/aimi-assistant" "${K_ENV[@]}" AIMI_METRICS_PORT="${K_METRICS_PORT}"
  for _ in $(seq 1 100); do [[ -s "${TMP}/gateway-k.port" ]] && break; sleep 0.1; done
  K_PORT="$(cat "${TMP}/gateway-k.port")"
  max_users=0
  for c in ${ASSISTANT_CONCURRENCY}; do ((c > max_users)) && max_users=$c; done
  : >"${TMP}/assistant-users.txt"
  for i in $(seq 1 "${max_users}"); do
    uid="$(python3 -c 'import uuid; print(uuid.uuid4())')"
    token="$(AIMI_JWT_SECRET="${JWT_SECRET}" "${BIN}/aimi-admin" token --sub "${uid}")"
    curl -sf -X POST "http://127.0.0.1:${K_PORT}/v1/users" -H "Authorization: Bearer ${token}" \
      -H 'Content-Type: application/json' -d "{\"display_name\":\"U${i}\",\"time_zone\":\"Europe/Berlin\"}" >/dev/null
    chat="$(curl -sf -X POST "http://127.0.0.1:${K_PORT}/v1/chats" -H "Authorization: Bearer ${token}" \
      -H 'Content-Type: application/json' -d '{"title":"bench"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')"
    printf '%s %s\n' "${token}" "${chat}" >>"${TMP}/assistant-users.txt"
  done
  # Warm-up, not measured: the broker's JVM compiles its hot paths in the first minute of load (a
  # cold broker added ~10 ms to every turn at 1 user), and every user gets some history.
  python3 "${ROOT}/bench/assistant_latency.py" --mode reply --port "${K_PORT}" --users-file "${TMP}/assistant-users.txt" \
    --concurrency 16 --seconds "${ASSISTANT_WARMUP_SECONDS}" >/dev/null
  python3 "${ROOT}/bench/assistant_latency.py" --mode reply --port "${K_PORT}" --users-file "${TMP}/assistant-users.txt" \
    --concurrency "${ASSISTANT_CONCURRENCY}" --seconds "${ASSISTANT_SECONDS}" | tee "${TMP}/assistant.txt"
  curl -s "http://127.0.0.1:${K_METRICS_PORT}/metrics" >"${TMP}/assistant-metrics.txt"
  # The baseline with the assistant stopped: its turns would otherwise compete with the writes.
  stop_pid "${K_AS_PID}"
  python3 "${ROOT}/bench/assistant_latency.py" --mode plain_write --port "${K_PORT}" \
    --users-file "${TMP}/assistant-users.txt" --concurrency "${ASSISTANT_CONCURRENCY}" --seconds "${ASSISTANT_SECONDS}" |
    tee -a "${TMP}/assistant.txt"
  kf() { sed -n "s/^RESULT name=$1 concurrency=$2 .*$3=\([^ ]*\).*/\1/p" "${TMP}/assistant.txt"; }
  for c in ${ASSISTANT_CONCURRENCY}; do
    result k "message -> reply queryable, ${c} users p50/p99" "$(kf reply "${c}" p50_ms)/$(kf reply "${c}" p99_ms) ms" \
      "plain write $(kf plain_write "${c}" p50_ms)/$(kf plain_write "${c}" p99_ms) ms" \
      "$(kf reply "${c}" per_s) turns/s (plain writes $(kf plain_write "${c}" per_s)/s)"
  done
  shares="$(python3 -c '
import re, sys
sums = {}
for line in open(sys.argv[1]):
    m = re.match(r"aimi_assistant_turn_phase_seconds_sum\{phase=\"(\w+)\"\} (\S+)", line)
    if m: sums[m.group(1)] = float(m.group(2))
turn = sums.get("turn", 0) or 1
print(", ".join("%s %.0f%%" % (p, 100 * sums.get(p, 0) / turn) for p in ("context", "provider", "tools", "reply")))' "${TMP}/assistant-metrics.txt")"
  result k "where a turn's time goes" "${shares}" "-" "of the orchestrator's time per turn (metrics sums)"
fi

# ---- results ----------------------------------------------------------------------------------
printf '\n== results (run took %ss after the build; load average at end:%s)\n\n' \
  "$(elapsed "${run_start}" "$(now)")" "$(uptime | sed 's/.*load average://')"
printf '%-6s| %-42s| %-24s| %-48s| %s\n' phase measure figure "baseline (same run)" notes
printf '%s\n' "------+-------------------------------------------+-------------------------+-------------------------------------------------+------------------------------"
for line in "${RESULTS[@]}"; do printf '%s\n' "${line}"; done
