#!/usr/bin/env bash
#===- scripts/install-deps.sh - Install what Loom needs ------------------===#
#
# Installs the Debian 12 packages Loom builds and tests with, but only those
# that are missing: a second run checks and returns in well under a second.
# Runs apt-get as root, or through sudo when available.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

PACKAGES=(
  # toolchain and build
  g++ make cmake ninja-build ccache python3
  # LLVM / MLIR 19: headers, libraries, mlir-tblgen, FileCheck and lit
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  # CPU kernels, utilities, tests, benchmarks, distribution
  libdnnl-dev libabsl-dev googletest libgtest-dev libgmock-dev
  # the sanitizer + fuzzing build (asan preset): clang 19 with its runtimes
  clang-19 libclang-rt-19-dev
  libbenchmark-dev openmpi-bin libopenmpi-dev
  # `ip netns`: tests/e2e/two_hosts.test runs 2 ranks as 2 hosts over TCP
  iproute2
  # reading gzipped IDX data; JSON (recipes, checkpoint metadata, metrics)
  zlib1g-dev nlohmann-json3-dev
  # real data the examples and end-to-end tests train on: Fashion-MNIST
  # (IDX files), iris and wine (the CSV files python3-sklearn ships)
  dataset-fashion-mnist python3-sklearn
  # the text examples/gpt.loom trains on (`make demo`): Debian's fortune cookies
  fortunes
  # `make bench-env` makes the benchmark peers' virtual environment (bench/)
  python3-venv
  # `loom inspect --graph -o F.svg` lays the graph out with Graphviz's dot;
  # the tests check that dot reads the DOT that --graph writes
  graphviz
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
