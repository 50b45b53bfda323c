#!/usr/bin/env bash
# Builds, lints, tests and packages the VS Code extension. Usage: ci.sh PATH_TO_LOCKWARD
set -euo pipefail
cd "$(dirname "$0")"
export LOCKWARD_BINARY=$(realpath "$1")
npm ci --no-audit --no-fund --loglevel=error
npm run --silent lint
npm run --silent build
npm test
npm run --silent package
echo "vscode extension: lint, build, tests and lockward.vsix OK"
