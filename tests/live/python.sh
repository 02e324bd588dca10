#!/usr/bin/env bash
# Runs python3 from the integration tests' venv, creating it on first use with the WebSocket
# client the live tests use (websockets, from PyPI). Concurrent runs share it under a lock.
#
#   tests/live/python.sh tests/live/live_client.py ...
set -Eeuo pipefail
VENV="${AIMI_TEST_VENV:-${HOME}/.cache/aimi/test-venv}"
REQUIREMENT='websockets>=14,<16'
mkdir -p "$(dirname "${VENV}")"
exec 9>"${VENV}.lock"
flock 9
if ! "${VENV}/bin/python" -c 'import websockets, sys; sys.exit(int(websockets.__version__.split(".")[0]) < 14)' 2>/dev/null; then
  rm -rf "${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install -q --disable-pip-version-check "${REQUIREMENT}"
fi
flock -u 9
exec "${VENV}/bin/python" "$@"
