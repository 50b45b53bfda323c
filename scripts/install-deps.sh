#!/usr/bin/env bash
# Installs everything lockward needs to build, test and trace on Debian 12, from Debian's
# archive only. Idempotent: packages already present are skipped by apt. Needs root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libpq-dev nlohmann-json3-dev libboost-dev libspdlog-dev catch2
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

# libpg_query 17 (PostgreSQL 17.4's grammar): Debian 12 packages only 15 (15.1's grammar, which
# rejects what PostgreSQL 16 and 17 accept). The npm package libpg-query@17.1.0 carries its
# static library for linux-x64 with pg_query.h and pg_query.proto; the tarball is pinned by its
# sha512 and unpacked into lockward's cache, where CMake looks for it (LOCKWARD_PG_QUERY_DIR).
pgq_version=17.1.0
pgq_integrity='sha512-PsQ6SOGNEn4Qsv71jd1i90DcTajBuHN2RCE5L7tXi/WmOoOTZItxC9s5vHrfnlnG+Lg6NPTVpfG/WJHWXqzZrg=='
pgq_dir=${LOCKWARD_PG_QUERY_DIR:-/var/cache/lockward/libpg-query-$pgq_version}
if [[ ! -f $pgq_dir/linux/libpg_query.a || ! -f $pgq_dir/include/pg_query.h ]]; then
  parent=$(dirname "$pgq_dir")
  mkdir -p "$parent" 2>/dev/null || true
  [[ -w $parent ]] || { echo "install-deps: cannot write $parent for libpg_query (run as root, or set LOCKWARD_PG_QUERY_DIR)" >&2; exit 2; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "libpg-query@$pgq_version" --silent >/dev/null)
  got=$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' \
    "$tmp/libpg-query-$pgq_version.tgz")
  if [[ $got != "$pgq_integrity" ]]; then
    echo "install-deps: libpg-query-$pgq_version.tgz has $got, expected $pgq_integrity" >&2
    exit 1
  fi
  tar xzf "$tmp/libpg-query-$pgq_version.tgz" -C "$tmp" package/libpg_query package/LICENSE
  rm -rf "$pgq_dir"
  mkdir -p "$pgq_dir"
  cp -r "$tmp/package/libpg_query/include" "$tmp/package/libpg_query/linux" "$tmp/package/libpg_query/protobuf" \
    "$tmp/package/LICENSE" "$pgq_dir/"
  echo "install-deps: libpg_query $pgq_version (PostgreSQL 17 grammar) in $pgq_dir"
fi
echo "install-deps: all packages present"
