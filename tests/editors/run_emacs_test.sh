#!/usr/bin/env bash
# Runs the Emacs eglot batch test. Usage: run_emacs_test.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A lone migration: no .git and no .lockward.toml anywhere above it.
cp "$here/editor_fixture.sql" "$work/001_index.sql"
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' > "$work/000_users.sql"
export HOME="$work"
elpa=$(printf -- '-L %s ' /usr/share/emacs/site-lisp/elpa/*)
# lockward.el uses only eglot's public interface and compiles without a warning.
if grep -n 'eglot--' "$here/../../editors/emacs/lockward.el"; then
  echo "FAIL: lockward.el uses eglot internals" >&2
  exit 1
fi
cp "$here/../../editors/emacs/lockward.el" "$work/"
# shellcheck disable=SC2086
emacs --batch -Q $elpa --eval '(setq byte-compile-error-on-warn t)' -f batch-byte-compile "$work/lockward.el"
rm -f "$work/lockward.elc" "$work/lockward.el"
LOCKWARD_BINARY="$1" LOCKWARD_SQL_FILE="$work/001_index.sql" LOCKWARD_EMACS_DIR="$here/../../editors/emacs" \
  timeout 120 emacs --batch -Q -l "$here/emacs_test.el"
