#!/usr/bin/env bash
# Builds, lints, tests and packages the VS Code extension. Usage: ci.sh PATH_TO_LOCKWARD
set -euo pipefail
binary=$(realpath "$1")  # before cd: the argument may be relative to the caller
export LOCKWARD_BINARY="$binary"
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent lint
npm run --silent build
npm test
npm run --silent package
echo "vscode extension: lint, build, tests and lockward.vsix OK"
