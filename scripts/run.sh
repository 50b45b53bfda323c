#!/usr/bin/env bash
# Builds lockward and runs its main job on the bundled example migrations: the static check,
# then the trace that verifies it in a local throwaway PostgreSQL 15 cluster (no Docker).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOCKWARD_BUILD_TESTS=OFF -DLOCKWARD_BUILD_BENCH=OFF >/dev/null
cmake --build build/release -j "$(nproc)"
echo "== lockward check examples/"
./build/release/server/lockward check examples/
echo
echo "== lockward trace --pg-version 15 examples/"
./build/release/server/lockward trace --pg-version 15 examples/
