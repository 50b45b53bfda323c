#!/usr/bin/env bash
# Builds what users install, into dist/:
#   lockward_<v>_amd64.deb                 cpack -G DEB (binary stripped, man page, editor files)
#   lockward-<v>.tgz                       npm launcher package (packaging/npm/lockward)
#   lockward-linux-x64-<v>.tgz             npm platform package @lockward/linux-x64 (the binary)
#   lockward-linux-x64-<v>.vsix            VS Code extension carrying the binary at server/lockward
# Usage: scripts/package.sh [BUILD_DIR]
#   BUILD_DIR defaults to build/package, configured here as a Release tree without tests; an
#   existing tree (scripts/test.sh passes build/ci) is reused as it is configured.
# scripts/test-packages.sh installs each package the way a user would and tests it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$(realpath -m "${1:-build/package}")
dist=$root/dist

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOCKWARD_BUILD_TESTS=OFF \
    -DLOCKWARD_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target lockward lockward_man_page
rm -rf "$dist" "$build/cpack" "$build/npm"
mkdir -p "$dist"

echo "== Debian package (cpack)"
(cd "$build" && cpack -G DEB -B "$build/cpack" >/dev/null)
deb=$(ls "$build"/cpack/lockward_*_amd64.deb)
cp "$deb" "$dist/"
deb=$dist/$(basename "$deb")
# Every other package carries the same stripped binary the .deb installs.
mkdir -p "$build/cpack/root"
dpkg-deb -x "$deb" "$build/cpack/root"
binary=$build/cpack/root/usr/bin/lockward
version=$("$binary" --version)
depends=$(dpkg-deb -f "$deb" Depends | sed -E 's/ \([^)]*\)//g')
vsix_version=$(node -p 'require("./editors/vscode/package.json").version')
if [[ $vsix_version != "$version" ]]; then
  echo "package: editors/vscode/package.json says $vsix_version, lockward --version says $version" >&2
  exit 1
fi
echo "$(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"

echo "== npm packages (npm pack)"
mkdir -p "$build/npm"
cp -r packaging/npm/lockward packaging/npm/platform "$build/npm/"
install -D -m 0755 "$binary" "$build/npm/platform/bin/lockward"
VERSION=$version DEPENDS=$depends node -e '
  const fs = require("fs");
  const edit = (file, change) => {
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    change(json);
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
  };
  edit(process.argv[1], (p) => {
    p.version = process.env.VERSION;
    for (const name of Object.keys(p.optionalDependencies)) p.optionalDependencies[name] = process.env.VERSION;
  });
  edit(process.argv[2], (p) => {
    p.version = process.env.VERSION;
    p.lockward.runtimeDepends = process.env.DEPENDS;
  });
' "$build/npm/lockward/package.json" "$build/npm/platform/package.json"
for package in platform lockward; do
  (cd "$build/npm/$package" && npm pack --silent --pack-destination "$dist" >/dev/null)
done

echo "== VS Code extension for linux-x64 (esbuild bundle, vsce)"
cd editors/vscode
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
trap 'rm -rf "$root/editors/vscode/server"' EXIT
install -D -m 0755 "$binary" server/lockward
npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license \
  --target linux-x64 -o "$dist/lockward-linux-x64-$version.vsix" >/dev/null
cd "$root"

echo "== dist/"
ls -l "$dist"
