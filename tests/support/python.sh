#!/usr/bin/env bash
# Runs python3 from the integration tests' venv, creating it (again) whenever a requirement is
# missing: websockets (the live tests' WebSocket client) and selenium (the console's browser tests,
# driving Debian's chromium and chromium-driver), both from PyPI. Concurrent runs share the venv
# under a lock.
#
#   tests/support/python.sh tests/live/live_client.py ...
set -Eeuo pipefail
VENV="${AIMI_TEST_VENV:-${HOME}/.cache/aimi/test-venv}"
REQUIREMENTS=('websockets>=14,<16' 'selenium>=4.20,<5')
CHECK='import sys, websockets, selenium; sys.exit(int(websockets.__version__.split(".")[0]) < 14)'
mkdir -p "$(dirname "${VENV}")"
exec 9>"${VENV}.lock"
flock 9
if ! "${VENV}/bin/python" -c "${CHECK}" 2>/dev/null; then
  rm -rf "${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install -q --disable-pip-version-check "${REQUIREMENTS[@]}"
fi
flock -u 9
exec "${VENV}/bin/python" "$@"
