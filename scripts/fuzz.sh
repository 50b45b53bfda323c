#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang (ASan + UBSan, build/fuzz) and runs each
# for the given number of seconds, starting from the committed seed corpus in fuzz/corpus/<target>.
# New inputs go to build/fuzz/corpus/<target>, crashes to build/fuzz/artifacts/.
# Usage: scripts/fuzz.sh [seconds-per-target] [target…]   (default 60 s; targets: framing jsonrpc splitter analyze)
# Exits 1 when a target crashed, leaked, hit undefined behaviour or ran too slowly on an input.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(framing jsonrpc splitter analyze)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DLOCKWARD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "${launcher[@]}" >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

declare -A dict=([framing]=fuzz/jsonrpc.dict [jsonrpc]=fuzz/jsonrpc.dict [splitter]=fuzz/sql.dict [analyze]=fuzz/sql.dict)
mkdir -p build/fuzz/artifacts
failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t"
  log="build/fuzz/$t.log"
  echo "== fuzz_$t for ${seconds}s"
  status=0
  # -timeout: an input that takes 10 s is a finding (a quadratic path, a hang).
  "build/fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -dict="${dict[$t]}" -artifact_prefix="build/fuzz/artifacts/$t-" \
    "build/fuzz/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if ((status)); then
    failed+=("$t")
    grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz_|artifact_prefix|Test unit written)" "$log" | head -20 || true
  fi
  summary+=("$(printf '%-9s %12s executions  %6s new inputs  %-10s %s' "$t" "${runs:-?}" "${added:-?}" "${cov:-}" \
    "$( ((status)) && echo "FAILED (see $log)" || echo ok)")")
done
printf '%s\n' "== fuzz summary (${seconds}s per target)" "${summary[@]}"
((${#failed[@]} == 0)) || { echo "fuzz: failures in ${failed[*]}; reproduce with build/fuzz/fuzz/fuzz_<target> <artifact>"; exit 1; }
