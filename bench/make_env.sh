#!/usr/bin/env bash
#===- bench/make_env.sh - The peers' virtual environment ------------------===#
#
# Creates bench/.venv (or $BENCH_VENV) and installs the peers of bench/run.py
# into it from PyPI, at the exact versions of bench/requirements.txt
# (PyTorch, JAX, optax: a few GB). `make bench-env` runs it, and `make bench`
# on first use. A second run returns at once while the environment matches
# requirements.txt; after a change to the pins it installs the difference.
# Nothing is downloaded unless this script runs: the tests and CI never do.
#
#===----------------------------------------------------------------------===#
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
venv=${BENCH_VENV:-$here/.venv}
requirements=$here/requirements.txt
stamp=$venv/installed-requirements.txt
python=${PYTHON:-python3}

error() {
  echo "bench/make_env.sh: error: $*" >&2
  exit 1
}

if [[ -f "$stamp" ]] && cmp -s "$stamp" "$requirements"; then
  exit 0
fi
command -v "$python" >/dev/null ||
  error "$python not found: the peers' environment is made with Python 3's venv module"
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -c 'import ensurepip, venv' 2>/dev/null ||
    error "$python has no venv module with pip: install Debian's python3-venv (scripts/install-deps.sh does)"
  echo "bench/make_env.sh: creating $venv"
  "$python" -m venv "$venv" && [[ -x "$venv/bin/pip" ]] ||
    error "'$python -m venv $venv' made no environment with pip"
fi
log=$venv/pip-install.log
echo "bench/make_env.sh: installing bench/requirements.txt from PyPI into $venv (a few GB; log: $log)"
if ! "$venv/bin/pip" install --disable-pip-version-check --retries 1 \
    -r "$requirements" >"$log" 2>&1; then
  reason=$(grep -m1 '^ERROR' "$log" || tail -n 1 "$log")
  if grep -q -E 'NewConnectionError|Name or service not known|Temporary failure in name resolution|Network is unreachable|ConnectTimeout' "$log"; then
    reason="PyPI cannot be reached (no network?); pip: $reason"
  fi
  error "cannot install the peers' packages (bench/requirements.txt) from PyPI: ${reason:-pip failed} (log: $log). The environment needs network access to PyPI once; without it, time Loom alone: python3 bench/run.py --peers loom"
fi
cp "$requirements" "$stamp"
echo "bench/make_env.sh: $venv is ready"
