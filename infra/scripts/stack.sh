#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local test stack: a private PostgreSQL cluster and a single-node KRaft Kafka broker,
# both on 127.0.0.1 only, all state under one DATA_DIR. Several stacks (different
# DATA_DIRs) can run side by side: ports are random unless given.
#
# Usage: stack.sh up DATA_DIR                 start (or reuse) the stack, write DATA_DIR/stack.env
#        stack.sh down DATA_DIR [--purge]     stop both; --purge also deletes the data
#        stack.sh status DATA_DIR             exit 0 if both run, 3 otherwise
#        stack.sh pg-stop|pg-start DATA_DIR   stop/start PostgreSQL only (same port)
#        stack.sh pg-crash DATA_DIR           stop PostgreSQL as a crash would (immediate: no
#                                             checkpoint, unflushed WAL lost); pg-start recovers
#        stack.sh kafka-stop|kafka-start DATA_DIR
#
# Ports on first `up`: AIMI_PG_PORT, AIMI_KAFKA_PORT, AIMI_KAFKA_CONTROLLER_PORT, else random
# free ports in 20000-45000. They are kept in DATA_DIR/stack.ports (with Kafka's cluster id)
# and reused by every later command on that DATA_DIR.
# Other knobs: AIMI_PG_BIN, AIMI_JAVA, AIMI_KAFKA_HEAP_OPTS, AIMI_KAFKA_READY_TIMEOUT,
# AIMI_KAFKA_LOG4J_CONFIG (e.g. a verbose log4j2 file for debugging),
# AIMI_CACHE_DIR (Kafka jar cache, see kafka-jars.sh).
set -Eeuo pipefail
# set -e exits silently; say where (-E: also inside functions and $(...)).
trap 'printf "stack: error: unexpected failure (exit %s) at %s:%s: %s\n" "$?" "${BASH_SOURCE[0]##*/}" "${LINENO}" "${BASH_COMMAND}" >&2' ERR

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(cd "${SCRIPT_DIR}/.." && pwd)"
# shellcheck source=lib/common.sh
. "${SCRIPT_DIR}/lib/common.sh"
# shellcheck source=lib/pg.sh
. "${SCRIPT_DIR}/lib/pg.sh"
# shellcheck source=lib/kafka.sh
. "${SCRIPT_DIR}/lib/kafka.sh"

usage() {
  sed -n 's/^# \{0,1\}//; 7,11p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# One command at a time per DATA_DIR (e.g. two test processes calling `up` together).
lock_data_dir() {
  exec 9>"${DATA_DIR}/.stack.lock"
  flock -w 300 9 || die "timed out waiting for another stack.sh on ${DATA_DIR}"
}

summary() {
  log "up in ${SECONDS}s: postgres 127.0.0.1:${PG_PORT} (db ${PG_DATABASE}, user $(pg_superuser)), kafka 127.0.0.1:${KAFKA_PORT}; env: ${DATA_DIR}/stack.env"
}

cmd_up() {
  mkdir -p "${DATA_DIR}/run" "${DATA_DIR}/logs"
  lock_data_dir
  init_or_load_state
  if pg_is_running && kafka_is_running && port_is_open "${KAFKA_PORT}"; then
    write_env
    log "already running, reused"
    summary
    return 0
  fi
  pg_gc_external_homes
  # Kafka's JVM takes longest to boot: launch it first, bring PostgreSQL up meanwhile.
  kafka_start
  pg_up
  kafka_wait_ready
  write_env
  summary
}

cmd_down() {
  local purge="${1:-}"
  [[ -z "${purge}" || "${purge}" == --purge ]] || usage
  if [[ ! -d "${DATA_DIR}" ]]; then
    log "nothing at ${DATA_DIR}"
    return 0
  fi
  lock_data_dir
  kafka_stop
  pg_stop
  if [[ "${purge}" == --purge ]]; then
    kafka_purge
    pg_purge
    # Only what stack.sh created: a mistyped DATA_DIR never loses unrelated files.
    rm -rf -- "${DATA_DIR}/run" "${DATA_DIR}/logs"
    rm -f -- "$(state_file)" "${DATA_DIR}/stack.env" "${DATA_DIR}/.stack.lock"
    rmdir -- "${DATA_DIR}" 2>/dev/null || true
    log "stopped and purged ${DATA_DIR}"
  else
    log "stopped ${DATA_DIR}"
  fi
}

cmd_status() {
  local ok=0 pid
  load_state || { PG_PORT=-; KAFKA_PORT=-; }
  if [[ -e "$(pg_link)" ]] && pg_is_running; then
    printf 'postgres: running (127.0.0.1:%s)\n' "${PG_PORT}"
  else
    printf 'postgres: stopped\n'
    ok=3
  fi
  if pid="$(kafka_pid)"; then
    printf 'kafka: running (127.0.0.1:%s, pid %s)\n' "${KAFKA_PORT}" "${pid}"
  else
    printf 'kafka: stopped\n'
    ok=3
  fi
  exit "${ok}" # not return: the ERR trap would report status 3 as a failure
}

cmd_pg_start() {
  lock_data_dir
  require_state
  pg_up
}

cmd_pg_stop() {
  lock_data_dir
  pg_stop
}

cmd_pg_crash() {
  lock_data_dir
  pg_crash
}

cmd_kafka_start() {
  lock_data_dir
  require_state
  kafka_start
  kafka_wait_ready
}

cmd_kafka_stop() {
  lock_data_dir
  kafka_stop
}

main() {
  (($# >= 2)) || usage
  local cmd="$1"
  [[ -n "$2" ]] || usage
  DATA_DIR="$(realpath -m -- "$2")"
  shift 2
  case "${cmd}" in
    up) (($# == 0)) || usage; cmd_up ;;
    down) (($# <= 1)) || usage; cmd_down "$@" ;;
    status) (($# == 0)) || usage; cmd_status ;;
    pg-start | pg-stop | pg-crash | kafka-start | kafka-stop)
      (($# == 0)) || usage
      [[ -d "${DATA_DIR}" ]] || die "no stack in ${DATA_DIR}"
      "cmd_${cmd//-/_}"
      ;;
    *) usage ;;
  esac
}

main "$@"
