#!/usr/bin/env bash
# Installs each package from dist/ (scripts/package.sh) the way a user would and runs it:
#   .deb   apt-get install ./lockward_*.deb; check, explain, trace and an LSP round-trip with
#          /usr/bin/lockward; man page and editor files in place, Neovim and Emacs load the
#          plugin from there; apt-get remove again
#   npm    npm install of both tarballs into a scratch project; npx lockward check, an LSP
#          round-trip through the launcher; its message when the platform package or a
#          shared library is missing
#   .vsix  unzip; only the expected files ship; the extension's protocol test against the
#          binary inside it
#   source with BUILD_DIR: cmake --install --strip into a scratch prefix; check from there
# Needs root (apt). Usage: scripts/test-packages.sh [DIST_DIR [BUILD_DIR]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dist=$(realpath "${1:-dist}")
[[ $(id -u) -eq 0 ]] || { echo "test-packages: needs root (apt-get install of the .deb)" >&2; exit 2; }
deb=$(ls "$dist"/lockward_*_amd64.deb)
version=$(basename "$deb" | sed -E 's/^lockward_(.*)_amd64\.deb$/\1/')
scratch=$(mktemp -d)
installed=
# A failing check must not leave the package installed.
trap 'rm -rf "$scratch"; [[ -z $installed ]] || apt-get remove -y -qq lockward >/dev/null 2>&1 || true' EXIT

fail() { echo "test-packages: $*" >&2; exit 1; }
expect() {  # expect PATTERN OUTPUT WHAT
  grep -q -- "$1" <<<"$2" || { printf '%s\n' "$2" >&2; fail "$3: no '$1' in the output above"; }
}

echo "== .deb: apt-get install $(basename "$deb")"
export DEBIAN_FRONTEND=noninteractive
installed=1
apt-get install -y -qq "$deb" >/dev/null
[[ $(command -v lockward) == /usr/bin/lockward ]] || fail "lockward on PATH is $(command -v lockward), not /usr/bin/lockward"
[[ $(/usr/bin/lockward --version) == "$version" ]] || fail "/usr/bin/lockward --version is not $version"
out=$(/usr/bin/lockward check examples/)
expect "add-column-volatile-default" "$out" "lockward check examples/"
out=$(/usr/bin/lockward explain "CREATE INDEX i ON users (email)")
expect "SHARE" "$out" "lockward explain"
# The examples' predictions, proven on Debian's PostgreSQL 15 (the package recommends it).
out=$(/usr/bin/lockward trace --pg-version 15 --ci --max-risk critical examples/)
expect " 0 mismatches" "$out" "lockward trace"
node scripts/lsp-smoke.js /usr/bin/lockward 2>/dev/null
for f in /usr/share/man/man1/lockward.1 /usr/share/emacs/site-lisp/lockward.el \
         /usr/share/nvim/site/pack/lockward/start/lockward/lua/lockward/init.lua \
         /usr/share/doc/lockward/helix/languages.toml; do
  [[ -f $f ]] || fail "$f is not installed"
done
grep -q '^\.SS "lockward trace"' /usr/share/man/man1/lockward.1 || fail "the man page has no section for lockward trace"
# The editor files load from where the package put them, with no configuration.
out=$(HOME=$scratch timeout 30 nvim --headless -u NORC \
  +'lua io.stdout:write(tostring(pcall(require, "lockward")) .. "\n")' +q 2>&1)
expect "^true" "$out" "Neovim: require('lockward') from /usr/share/nvim/site"
out=$(HOME=$scratch timeout 60 emacs --batch -q --eval "(progn (require 'lockward) (princ \"loaded\n\"))" 2>&1)
expect "^loaded" "$out" "Emacs: (require 'lockward) from site-lisp"
apt-get remove -y -qq lockward >/dev/null
installed=
[[ ! -e /usr/bin/lockward ]] || fail "apt-get remove left /usr/bin/lockward"
echo ".deb: installed, check/explain/trace/lsp OK, Neovim and Emacs load the plugin, removed"

echo "== npm: npm install of the two tarballs, npx lockward"
project=$scratch/npm-project
mkdir -p "$project"
(
  cd "$project"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error \
    "$dist/lockward-linux-x64-$version.tgz" "$dist/lockward-$version.tgz" >/dev/null
  [[ -x node_modules/@lockward/linux-x64/bin/lockward ]] || fail "npm did not install @lockward/linux-x64"
  [[ $(npx --no-install lockward --version) == "$version" ]] || fail "npx lockward --version is not $version"
  out=$(npx --no-install lockward check "$root/examples/")
  expect "add-column-volatile-default" "$out" "npx lockward check"
  # The language server through the launcher (stdin and stdout pass straight through).
  node "$root/scripts/lsp-smoke.js" "$project/node_modules/.bin/lockward" 2>/dev/null
  # The binary's exit status passes through the launcher (2: usage error).
  set +e; npx --no-install lockward check --no-such-option >/dev/null 2>&1; status=$?; set -e
  [[ $status -eq 2 ]] || fail "npx lockward with a bad option exited $status, not 2"
  node "$project/node_modules/lockward/bin/lockward.js" rules >/dev/null
  # A binary the dynamic loader cannot start (a shared library missing: the loader exits 127):
  # the launcher names the Debian packages the binary needs.
  binary=node_modules/@lockward/linux-x64/bin/lockward
  mv "$binary" "$binary.real"
  printf '#!/bin/sh\necho "lockward: error while loading shared libraries: libspdlog.so.1.10" >&2\nexit 127\n' >"$binary"
  chmod +x "$binary"
  set +e; out=$(npx --no-install lockward check . 2>&1); status=$?; set -e
  [[ $status -eq 127 ]] || fail "the launcher over a binary that cannot start exited $status, not 127"
  expect "needs these Debian packages: .*libspdlog" "$out" "the launcher over a binary that cannot start"
  # Without the platform package the launcher says why and exits 127.
  rm -rf node_modules/@lockward/linux-x64
  set +e; out=$(node node_modules/lockward/bin/lockward.js check . 2>&1); status=$?; set -e
  [[ $status -eq 127 ]] || fail "the launcher without its platform package exited $status, not 127"
  expect "@lockward/linux-x64 is not installed" "$out" "the launcher without its platform package"
)
echo "npm: npx lockward check and lsp OK; a missing library and a missing platform package reported (127)"

echo "== .vsix: unzip, the files it ships, the protocol test on its server"
vsix=$dist/lockward-linux-x64-$version.vsix
unzip -q "$vsix" -d "$scratch/vsix"
shipped=$(cd "$scratch/vsix" && find . -type f | sort)
expected=$(printf '%s\n' "./[Content_Types].xml" ./extension.vsixmanifest ./extension/dist/extension.js \
  ./extension/package.json ./extension/readme.md ./extension/server/lockward | sort)
[[ $shipped == "$expected" ]] || fail "the .vsix ships other files than expected:"$'\n'"$shipped"
grep -q 'TargetPlatform="linux-x64"' "$scratch/vsix/extension.vsixmanifest" || fail "the .vsix is not for linux-x64"
[[ -x $scratch/vsix/extension/server/lockward ]] || fail "server/lockward in the .vsix is not executable"
[[ -d editors/vscode/node_modules ]] || (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)
LOCKWARD_BINARY=$scratch/vsix/extension/server/lockward node --test editors/vscode/test/server.test.js >/dev/null \
  || fail "the extension's server test failed on the binary inside the .vsix"
echo ".vsix: $(wc -l <<<"$shipped") files, linux-x64, its server passes the extension's protocol test"

if [[ -n ${2:-} ]]; then
  echo "== from source: cmake --install $2 --prefix <scratch> --strip"
  cmake --install "$2" --prefix "$scratch/prefix" --strip >/dev/null
  out=$("$scratch/prefix/bin/lockward" check examples/)
  expect "add-column-volatile-default" "$out" "lockward check from the cmake --install prefix"
  [[ -f $scratch/prefix/share/man/man1/lockward.1 ]] || fail "cmake --install put no man page"
  echo "from source: cmake --install OK"
fi
echo "test-packages: all packages OK"
