#!/usr/bin/env bash
# Installs everything lockward needs to build, test and trace on Debian 12, from Debian's
# archive only. Idempotent: packages already present are skipped by apt. Needs root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libpg-query-dev libpq-dev nlohmann-json3-dev libboost-dev libspdlog-dev catch2
  libcli11-dev libtomlplusplus-dev libbenchmark-dev
  libmimalloc-dev  # the lockward binary's malloc (CMakeLists.txt: LOCKWARD_MIMALLOC)
  postgresql-15 postgresql-client-15
  neovim emacs-nox elpa-eglot
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer and clang's sanitizer runtimes
  help2man dpkg-dev file unzip # scripts/package.sh and test-packages.sh: man page, cpack's .deb (shlibdeps), .vsix
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node.js and npm build the VS Code extension and fetch other PostgreSQL versions; the
# machine image ships them, a bare Debian gets Debian's.
if ! command -v npm >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || { echo "install-deps: npm missing (run as root to install it)" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "install-deps: all packages present"
