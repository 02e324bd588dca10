#!/usr/bin/env bash
# Runs python3 from the console tests' venv, creating it on first use with selenium (from PyPI);
# the browser and its driver are Debian's chromium and chromium-driver (infra/scripts/install-deps.sh).
# Concurrent runs share the venv under a lock.
#
#   tests/console/python.sh tests/console/console_browser.py ...
set -Eeuo pipefail
VENV="${AIMI_CONSOLE_VENV:-${HOME}/.cache/aimi/console-venv}"
REQUIREMENT='selenium>=4.20,<5'
mkdir -p "$(dirname "${VENV}")"
exec 9>"${VENV}.lock"
flock 9
if ! "${VENV}/bin/python" -c 'import selenium' 2>/dev/null; then
  rm -rf "${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install -q --disable-pip-version-check "${REQUIREMENT}"
fi
flock -u 9
exec "${VENV}/bin/python" "$@"
