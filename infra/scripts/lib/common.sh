# shellcheck shell=bash
# Shared helpers for stack.sh: logging, ports, the per-DATA_DIR state file, stack.env.
# Sourced by stack.sh after it has set DATA_DIR (absolute).

log() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

# Quote for POSIX shells ('...' with embedded quotes escaped), so stack.env can be
# sourced by sh as well as bash whatever the path contains.
sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Process $1 exists and is not a zombie. Zombies matter: a detached broker is reparented
# to PID 1, which in some containers never reaps, so `kill -0` alone would stay true.
pid_alive() {
  local state
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)"
  [[ -n "${state}" && "${state}" != Z && "${state}" != X ]]
}

# Free = a listening socket can be bound on 127.0.0.1:$1 right now. SO_REUSEADDR
# matches what PostgreSQL and Kafka do, so leftover TIME_WAIT connections do not count.
port_is_free() {
  python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
PY
}

# Something accepts TCP connections on 127.0.0.1:$1.
port_is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Random free port in 20000-45000 that is not in the given list. Random (not "next free")
# so concurrent stacks on one machine are very unlikely to race for the same port.
pick_port() {
  local port taken try
  for ((try = 0; try < 200; try++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 25001))
    for taken in "$@"; do
      [[ "${port}" == "${taken}" ]] && continue 2
    done
    port_is_free "${port}" && { printf '%s\n' "${port}"; return 0; }
  done
  die "no free port found in 20000-45000"
}

# --- state file -------------------------------------------------------------------------
# DATA_DIR/stack.ports holds what must stay stable across restarts of one DATA_DIR:
# the ports (clients keep using stack.env) and Kafka's cluster id / node id (must match
# the formatted log dir).
STATE_FILE_NAME="stack.ports"
state_file() { printf '%s/%s\n' "${DATA_DIR}" "${STATE_FILE_NAME}"; }

# Loads PG_PORT, KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_CLUSTER_ID, KAFKA_NODE_ID.
# Parsed line by line (not sourced) so a stray file cannot run code.
load_state() {
  local file key value
  file="$(state_file)"
  [[ -f "${file}" ]] || return 1
  while IFS='=' read -r key value; do
    case "${key}" in
      PG_PORT | KAFKA_PORT | KAFKA_CONTROLLER_PORT | KAFKA_CLUSTER_ID | KAFKA_NODE_ID)
        printf -v "${key}" '%s' "${value}" ;;
    esac
  done <"${file}"
  [[ -n "${PG_PORT:-}" && -n "${KAFKA_PORT:-}" && -n "${KAFKA_CONTROLLER_PORT:-}" ]] ||
    die "$(state_file) is incomplete; remove it or run: stack.sh down ${DATA_DIR} --purge"
}

require_state() {
  load_state || die "no stack in ${DATA_DIR} (run: stack.sh up ${DATA_DIR})"
}

save_state() {
  local file
  file="$(state_file)"
  cat >"${file}.tmp" <<EOF
PG_PORT=${PG_PORT}
KAFKA_PORT=${KAFKA_PORT}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT}
KAFKA_CLUSTER_ID=${KAFKA_CLUSTER_ID}
KAFKA_NODE_ID=${KAFKA_NODE_ID}
EOF
  mv "${file}.tmp" "${file}"
}

# Stored ports win over the environment: stack.env exports AIMI_PG_PORT/AIMI_KAFKA_PORT,
# and a shell that sourced another stack's stack.env must not move this one.
warn_env_port_ignored() {
  local name="$1" stored="$2"
  if [[ -n "${!name:-}" && "${!name}" != "${stored}" ]]; then
    log "ignoring ${name}=${!name}: ${DATA_DIR} already uses port ${stored}"
  fi
}

# First `up` of a DATA_DIR: ports from AIMI_* env or random; Kafka ids are set by kafka.sh.
init_or_load_state() {
  if load_state; then
    warn_env_port_ignored AIMI_PG_PORT "${PG_PORT}"
    warn_env_port_ignored AIMI_KAFKA_PORT "${KAFKA_PORT}"
    warn_env_port_ignored AIMI_KAFKA_CONTROLLER_PORT "${KAFKA_CONTROLLER_PORT}"
    return 0
  fi
  PG_PORT="${AIMI_PG_PORT:-$(pick_port)}"
  KAFKA_PORT="${AIMI_KAFKA_PORT:-$(pick_port "${PG_PORT}")}"
  KAFKA_CONTROLLER_PORT="${AIMI_KAFKA_CONTROLLER_PORT:-$(pick_port "${PG_PORT}" "${KAFKA_PORT}")}"
  local p
  for p in "${PG_PORT}" "${KAFKA_PORT}" "${KAFKA_CONTROLLER_PORT}"; do
    if ! [[ "${p}" =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "invalid port '${p}'"; fi
    # Check before the ports get stored: a shell that sourced another stack's stack.env
    # exports that stack's AIMI_*_PORT values.
    port_is_free "${p}" || die "port ${p} (from AIMI_PG_PORT/AIMI_KAFKA_PORT/AIMI_KAFKA_CONTROLLER_PORT?) is already in use"
  done
  if [[ "${PG_PORT}" == "${KAFKA_PORT}" || "${PG_PORT}" == "${KAFKA_CONTROLLER_PORT}" ||
    "${KAFKA_PORT}" == "${KAFKA_CONTROLLER_PORT}" ]]; then
    die "ports must differ: pg ${PG_PORT}, kafka ${KAFKA_PORT}, controller ${KAFKA_CONTROLLER_PORT}"
  fi
  KAFKA_CLUSTER_ID=""
  KAFKA_NODE_ID=1
}

# A stopped service's port must be free before we start it; otherwise fail clearly
# instead of letting the server die with a bind error.
require_port_free() {
  local port="$1" what="$2"
  port_is_free "${port}" ||
    die "port ${port} for ${what} is in use by another process (stack.ports in ${DATA_DIR}); stop it or run: stack.sh down ${DATA_DIR} --purge"
}

write_env() {
  local file="${DATA_DIR}/stack.env"
  {
    printf '# Generated by infra/scripts/stack.sh; source it: . %s\n' "${file}"
    printf 'export AIMI_DATA_DIR=%s\n' "$(sh_quote "${DATA_DIR}")"
    printf 'export AIMI_PG_PORT=%s\n' "${PG_PORT}"
    printf 'export AIMI_PG_SOCKET_DIR=%s\n' "$(sh_quote "$(pg_socket_dir)")"
    printf 'export AIMI_PG_URL=%s\n' "$(sh_quote "postgresql://$(pg_superuser)@127.0.0.1:${PG_PORT}/${PG_DATABASE}")"
    printf 'export AIMI_KAFKA_PORT=%s\n' "${KAFKA_PORT}"
    printf 'export AIMI_KAFKA_CONTROLLER_PORT=%s\n' "${KAFKA_CONTROLLER_PORT}"
    printf 'export AIMI_KAFKA_BOOTSTRAP=%s\n' "$(sh_quote "127.0.0.1:${KAFKA_PORT}")"
  } >"${file}.tmp"
  mv "${file}.tmp" "${file}"
}
