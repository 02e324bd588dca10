#!/usr/bin/env bash
# Property-based API fuzzing of the running product from its own OpenAPI document, with
# schemathesis (PyPI): generated requests for every operation; fails on any 5xx.
#
#   tests/fuzz/schemathesis.sh            # bounded: ~10 minutes at most
#   FUZZ_EXAMPLES=200 tests/fuzz/schemathesis.sh
#   FUZZ_ARGS="--endpoint calendar" tests/fuzz/schemathesis.sh   # only some operations
#
# Starts its own private stack (PostgreSQL + Kafka via infra/scripts/stack.sh, migrations,
# topics, every projector, a gateway, the assistant) in a temp folder, registers a user whose token the fuzzer
# sends, runs schemathesis from a venv in ~/.cache/aimi/schemathesis-venv, and removes the stack.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${AIMI_BUILD_DIR:-${ROOT}/build}/bin"
EXAMPLES="${FUZZ_EXAMPLES:-60}"
CHECKS="${FUZZ_CHECKS:-not_a_server_error}"  # "all" adds status codes, content types, response schemas
VENV="${HOME}/.cache/aimi/schemathesis-venv"

"${ROOT}/infra/aimi" build >/dev/null
if [[ ! -x "${VENV}/bin/st" ]]; then
  python3 -m venv "${VENV}"
  # hypothesis-jsonschema 0.23 breaks with hypothesis >= 6.130 ('many' object has no attribute 'more')
  "${VENV}/bin/pip" install -q 'schemathesis>=3.30,<4' 'hypothesis>=6.103,<6.130'
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/aimi-fuzz.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "${ROOT}/infra/scripts/stack.sh" down "${TMP}/stack" --purge >/dev/null 2>&1 || true
  rm -rf "${TMP}"
}
trap cleanup EXIT
"${ROOT}/infra/scripts/stack.sh" up "${TMP}/stack" >/dev/null
# shellcheck disable=SC1091
. "${TMP}/stack/stack.env"
export AIMI_PG_URL AIMI_KAFKA_BOOTSTRAP
export AIMI_JWT_SECRET="fuzz-secret-0123456789abcdef"
export AIMI_MASTER_KEY="abababababababababababababababababababababababababababababababab"
"${BIN}/aimi-admin" migrate >/dev/null 2>&1
"${BIN}/aimi-admin" create-topics >/dev/null 2>&1
for projection in $("${BIN}/aimi-admin" projections); do
  AIMI_PROJECTION="${projection}" "${BIN}/aimi-projector" >"${TMP}/projector-${projection}.log" 2>&1 &
  PIDS+=("$!")
done
AIMI_HTTP_PORT=0 AIMI_HTTP_PORT_FILE="${TMP}/port" AIMI_LOG_REQUESTS=1 "${BIN}/aimi-gateway" >"${TMP}/gateway.log" 2>&1 &
PIDS+=("$!")
# The assistant answers the fuzzer's messages, so ?wait_for_reply is exercised with replies too.
"${BIN}/aimi-assistant" >"${TMP}/assistant.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do [[ -s "${TMP}/port" ]] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "${TMP}/port")"
USER_ID="$(cat /proc/sys/kernel/random/uuid)"
TOKEN="$("${BIN}/aimi-admin" token --sub "${USER_ID}")"
curl -fsS -X POST "${URL}/v1/users" -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
  -d '{"display_name":"Fuzz"}' >/dev/null

status=0
timeout 600 "${VENV}/bin/st" run "${URL}/v1/openapi.json" --base-url "${URL}" \
  --header "Authorization: Bearer ${TOKEN}" --checks "${CHECKS}" \
  --hypothesis-max-examples "${EXAMPLES}" --hypothesis-deadline none --hypothesis-seed 20261202 \
  --exclude-method DELETE --show-trace --experimental=openapi-3.1 ${FUZZ_ARGS:-} || status=$?
echo "gateway 5xx in the log: $(grep -c ' 5[0-9][0-9] [0-9]*us' "${TMP}/gateway.log" || true)"
grep ' 5[0-9][0-9] [0-9]*us' "${TMP}/gateway.log" | head -20 || true
grep -E ' error |critical' "${TMP}/gateway.log" | head -20 || true
exit "${status}"
