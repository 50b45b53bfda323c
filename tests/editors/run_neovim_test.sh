#!/usr/bin/env bash
# Runs the Neovim real-client test against a copy of the fixture. Usage: run_neovim_test.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/editor_fixture.sql" "$work/001_index.sql"
export HOME="$work" XDG_STATE_HOME="$work" XDG_CACHE_HOME="$work"  # keep nvim's lsp.log out of the real home
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' > "$work/000_users.sql"
LOCKWARD_BINARY="$1" LOCKWARD_SQL_FILE="$work/001_index.sql" LOCKWARD_PLUGIN="$here/../../editors/neovim" \
  timeout 60 nvim --headless --clean -u NONE -c "luafile $here/neovim_client.lua"
