#!/usr/bin/env bash
# Ensures the Kafka broker jars (pinned by infra/kafka/pom.xml) are in the local cache and
# prints the directory holding them on stdout. Everything else goes to stderr, so callers
# can do: jars="$(infra/scripts/kafka-jars.sh)".
#
# Cache: ${AIMI_CACHE_DIR:-$HOME/.cache/aimi}/kafka-<kafka.version>/libs
# A marker file is written only after a complete download, so an interrupted download is
# redone on the next call. The marker holds the pom's checksum: editing the pom (e.g. a new
# log4j version) also triggers a fresh download.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$(cd "${script_dir}/../kafka" && pwd)/pom.xml"

die() { printf 'kafka-jars: %s\n' "$*" >&2; exit 1; }

[[ -f "${pom}" ]] || die "missing ${pom}"

# The version lives in the pom only; read it from there.
kafka_version="$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "${pom}" | head -n 1)"
[[ -n "${kafka_version}" ]] || die "no <kafka.version> property in ${pom}"

cache_root="${AIMI_CACHE_DIR:-${HOME:?HOME is not set and AIMI_CACHE_DIR is empty}/.cache/aimi}"
base="${cache_root}/kafka-${kafka_version}"
libs="${base}/libs"
marker="${base}/.complete"
pom_sum="$(sha256sum "${pom}" | cut -d' ' -f1)"

is_complete() {
  [[ -f "${marker}" && "$(cat "${marker}")" == "${pom_sum}" ]] && compgen -G "${libs}/kafka_2.13-*.jar" >/dev/null
}

if ! is_complete; then
  command -v mvn >/dev/null || die "mvn not found (run infra/scripts/install-deps.sh)"
  mkdir -p "${base}"
  # Serialize concurrent callers (parallel CI jobs sharing one cache).
  exec 9>"${base}/.lock"
  flock -w 600 9 || die "timed out waiting for ${base}/.lock"
  if ! is_complete; then
    printf 'kafka-jars: downloading Kafka %s jars into %s\n' "${kafka_version}" "${libs}" >&2
    rm -rf "${base}"/libs.tmp.* # left by a killed download (we hold the lock)
    tmp="$(mktemp -d "${base}/libs.tmp.XXXXXX")"
    trap 'rm -rf "${tmp}"' EXIT
    # mvn -q still prints errors on stdout; keep stdout for the result only. Debian's
    # Maven 3.8 emits bare ANSI resets even in batch mode: strip them (pipefail keeps
    # mvn's exit status).
    mvn -q -B -Dstyle.color=never -f "${pom}" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="${tmp}" </dev/null 2>&1 | sed 's/\x1b\[[0-9;]*m//g; /^$/d' >&2 ||
      die "mvn dependency:copy-dependencies failed"
    compgen -G "${tmp}/kafka_2.13-*.jar" >/dev/null || die "mvn produced no kafka_2.13 jar in ${tmp}"
    rm -f "${marker}"
    rm -rf "${libs}"
    mv "${tmp}" "${libs}"
    trap - EXIT
    printf '%s\n' "${pom_sum}" >"${marker}"
  fi
  exec 9>&-
fi

printf '%s\n' "${libs}"
