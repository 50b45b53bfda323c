#!/usr/bin/env bash
# Runs the Emacs eglot batch test. Usage: run_emacs_test.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/neovim_fixture.sql" "$work/001_index.sql"
export HOME="$work"
LOCKWARD_BINARY="$1" LOCKWARD_SQL_FILE="$work/001_index.sql" LOCKWARD_EMACS_DIR="$here/../../editors/emacs" \
  timeout 60 emacs --batch -Q -l "$here/emacs_test.el"
