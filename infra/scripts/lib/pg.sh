# shellcheck shell=bash
# Private PostgreSQL cluster for stack.sh, loopback only, data under DATA_DIR/pg.
#
# initdb/postgres/pg_ctl refuse to run as root, so as root every server command runs as
# the `postgres` system user (runuser) and the cluster belongs to it; otherwise everything
# runs as the current user. If the postgres user cannot reach DATA_DIR (e.g. a 0700
# `mktemp -d` parent) or the socket path would exceed the Unix socket limit, the cluster
# lives in /var/tmp/aimi-pg-<hash of DATA_DIR>/ and DATA_DIR/pg is a symlink to it.

PG_BIN="${AIMI_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATABASE=aimi
PG_EXTERNAL_PREFIX=/var/tmp/aimi-pg-

pg_link() { printf '%s/pg\n' "${DATA_DIR}"; }
# Real location (symlink resolved): clients and the server get short, direct paths.
pg_home() { readlink -m -- "$(pg_link)"; }
pg_data() { printf '%s/data\n' "$(pg_home)"; }
pg_socket_dir() { printf '%s/socket\n' "$(pg_home)"; }
pg_log() { printf '%s/postgres.log\n' "$(pg_home)"; }

# OS user running the server == superuser role created by initdb == user in AIMI_PG_URL.
pg_superuser() {
  if ((EUID == 0)); then printf 'postgres\n'; else id -un; fi
}

# Runs a PostgreSQL binary as the cluster owner. `cd /` because runuser keeps the cwd,
# which the postgres user often cannot read (e.g. /root), and initdb/pg_ctl complain.
pg_as_owner() {
  local bin="$1"
  shift
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "${PG_BIN}/${bin}" "$@")
  else
    "${PG_BIN}/${bin}" "$@"
  fi
}

pg_check_bin() {
  [[ -x "${PG_BIN}/initdb" ]] || die "PostgreSQL binaries not found in ${PG_BIN} (install postgresql-15 or set AIMI_PG_BIN)"
  if ((EUID == 0)); then
    id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user"
  fi
}

pg_is_running() {
  [[ -f "$(pg_data)/PG_VERSION" ]] && pg_as_owner pg_ctl status -D "$(pg_data)" >/dev/null 2>&1
}

# Must the cluster live outside DATA_DIR?
pg_needs_external_home() {
  # "<dir>/pg/socket/.s.PGSQL.NNNNN" must fit in sun_path (108 bytes incl. NUL).
  ((${#DATA_DIR} + 25 > 100)) && return 0
  ((EUID == 0)) || return 1
  # access(2) as postgres also checks every parent directory on the way; x is enough
  # because root creates DATA_DIR/pg and hands it to postgres.
  ! (cd / && runuser -u postgres -- test -x "${DATA_DIR}")
}

pg_external_home_for() {
  printf '%s%s\n' "${PG_EXTERNAL_PREFIX}" "$(printf '%s' "${DATA_DIR}" | sha256sum | cut -c1-16)"
}

# True if $1 (a pg home) has a live postmaster. Works without pg_ctl (no root issue).
pg_home_has_live_server() {
  local pid
  pid="$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)" || return 1
  [[ "${pid}" =~ ^[0-9]+$ ]] && pid_alive "${pid}"
}

# Removes /var/tmp/aimi-pg-* dirs whose DATA_DIR is gone (e.g. a CI temp dir deleted
# without `down --purge`) and which have no running server.
pg_gc_external_homes() {
  local dir owner
  for dir in "${PG_EXTERNAL_PREFIX}"*; do
    [[ -d "${dir}" && ! -L "${dir}" && -O "${dir}/owner" ]] || continue
    owner="$(cat "${dir}/owner" 2>/dev/null)" || continue
    [[ "$(readlink -m -- "${owner}/pg")" == "${dir}" && -L "${owner}/pg" ]] && continue
    pg_home_has_live_server "${dir}" && continue
    log "removing orphaned PostgreSQL dir ${dir} (its data dir ${owner} is gone)"
    rm -rf -- "${dir}"
  done
}

pg_make_external_home() {
  local home
  home="$(pg_external_home_for)"
  if [[ -e "${home}" ]]; then
    # Same DATA_DIR path used before without `down --purge`: stale, unless still running.
    pg_home_has_live_server "${home}" && die "${home} has a running PostgreSQL but ${DATA_DIR}/pg does not point to it"
    rm -rf -- "${home}"
  fi
  # 0711 so the owner-only data dir stays private but the socket dir is reachable.
  install -d -m 0711 "${home}"
  # Link first, then the owner file: pg_gc_external_homes of a concurrent run only
  # considers dirs with an owner file, and then sees the link already in place.
  ln -sfn -- "${home}" "$(pg_link)"
  printf '%s\n' "${DATA_DIR}" >"${home}/owner"
}

# Creates DATA_DIR/pg (dir, or symlink to an external dir) once; later runs keep the choice.
pg_prepare_home() {
  local link
  link="$(pg_link)"
  if [[ -L "${link}" ]]; then
    [[ -d "$(pg_home)" ]] || pg_make_external_home # /var/tmp was cleaned: start over
  elif [[ ! -e "${link}" ]]; then
    if pg_needs_external_home; then
      pg_make_external_home
    else
      install -d -m 0711 "${link}"
    fi
  fi
  # Socket dir world-traversable so any local user can connect over the socket too.
  install -d -m 0755 "$(pg_socket_dir)"
  if ((EUID == 0)); then
    chown postgres:postgres "$(pg_home)" "$(pg_socket_dir)"
  fi
  # Discoverable next to kafka.log.
  ln -sfn -- "$(pg_log)" "${DATA_DIR}/logs/postgres.log"
}

# initdb into data.tmp and rename, so an interrupted initdb never leaves a half cluster.
pg_init() {
  local data tmp
  data="$(pg_data)"
  [[ -f "${data}/PG_VERSION" ]] && return 0
  tmp="$(pg_home)/data.tmp"
  rm -rf -- "${tmp}" "${data}"
  log "initdb $(pg_data)"
  # Loopback-only private cluster: trust auth is fine. C.UTF-8: UTF8, codepoint order.
  if ! pg_as_owner initdb -D "${tmp}" --encoding=UTF8 --locale=C.UTF-8 --auth=trust \
    >"$(pg_home)/initdb.log" 2>&1; then
    cat "$(pg_home)/initdb.log" >&2
    die "initdb failed"
  fi
  mv -- "${tmp}" "${data}"
}

pg_start() {
  pg_is_running && return 0
  [[ "$(pg_socket_dir)" != *"'"* ]] || die "PostgreSQL socket path must not contain a single quote: $(pg_socket_dir)"
  require_port_free "${PG_PORT}" PostgreSQL
  # fsync stays on: durability tests depend on it. fd 9 (stack.sh's lock) must not leak
  # into the postmaster, or the lock would be held for the server's lifetime.
  local opts
  opts="-c listen_addresses=127.0.0.1 -p ${PG_PORT} -k '$(pg_socket_dir)'"
  opts+=" -c fsync=on -c shared_buffers=128MB -c max_connections=200"
  if ! pg_as_owner pg_ctl start -D "$(pg_data)" -l "$(pg_log)" -w -t 60 -s -o "${opts}" 9>&-; then
    tail -n 30 "$(pg_log)" >&2 || true
    die "PostgreSQL did not start (log: $(pg_log))"
  fi
}

pg_psql() {
  pg_as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_socket_dir)" -p "${PG_PORT}" "$@"
}

pg_create_database() {
  local exists
  exists="$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${PG_DATABASE}'")"
  [[ "${exists}" == 1 ]] && return 0
  pg_psql -d postgres -c "CREATE DATABASE ${PG_DATABASE}"
}

# Full bring-up; each step is a no-op when already done.
pg_up() {
  pg_check_bin
  pg_prepare_home
  pg_init
  pg_start
  pg_create_database
}

pg_stop() {
  [[ -e "$(pg_link)" ]] || return 0
  pg_is_running || return 0
  pg_as_owner pg_ctl stop -D "$(pg_data)" -m fast -w -t 60 -s ||
    die "PostgreSQL did not stop (log: $(pg_log))"
}

# Like a power cut for the database: backends are killed without a checkpoint, and WAL not yet
# flushed (asynchronous commits) is lost; the next start runs crash recovery.
pg_crash() {
  [[ -e "$(pg_link)" ]] || return 0
  pg_is_running || return 0
  pg_as_owner pg_ctl stop -D "$(pg_data)" -m immediate -w -t 60 -s ||
    die "PostgreSQL did not stop (log: $(pg_log))"
}

pg_purge() {
  local link home
  link="$(pg_link)"
  if [[ -L "${link}" ]]; then
    home="$(pg_home)"
    # Only ever delete our own external dirs.
    [[ "${home}" == "${PG_EXTERNAL_PREFIX}"* ]] && rm -rf -- "${home}"
    rm -f -- "${link}"
  else
    rm -rf -- "${link}"
  fi
}
