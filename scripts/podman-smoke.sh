#!/usr/bin/env bash
# The docker provider against a real container engine, on a machine without registry access:
# builds a small local PostgreSQL 15 image from this machine's Debian packages (busybox as the
# shell, the entrypoint contract of the official image: POSTGRES_PASSWORD, PGDATA, arguments
# for postgres), then runs `lockward trace --provider docker` through Podman and checks that
# it traces, that the password never shows in argv, that no container outlives lockward
# (normal exit, SIGTERM, SIGKILL, its keeper's SIGKILL) and that traces share a warm container. Not part of CI: it installs podman and needs root.
# Usage: scripts/podman-smoke.sh [path/to/lockward]      (default build/server/lockward)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lockward=${1:-$root/build/server/lockward}
image=localhost/lockward-pg-smoke:15
# What Podman needs on our hosts (see the README's Docker provider section).
export LOCKWARD_DOCKER_ARGS=${LOCKWARD_DOCKER_ARGS---runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024}
export LOCKWARD_DOCKER_CLI=podman

[[ $(id -u) -eq 0 ]] || { echo "podman-smoke: run as root" >&2; exit 2; }
[[ -x $lockward ]] || { echo "podman-smoke: no lockward binary at $lockward" >&2; exit 2; }
need=()
for p in podman runc busybox-static postgresql-15; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
((${#need[@]} == 0)) || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null

fail() { echo "podman-smoke: FAIL: $*" >&2; exit 1; }
containers() { podman ps -a -q --filter label=lockward.cluster=1; }

if ! podman image exists "$image"; then
  echo "== building $image from Debian's postgresql-15"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{bin,etc,tmp,var/run/postgresql,var/lib/postgresql,usr/local/bin,dev/shm}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh su id mkdir chown chmod cat printf rm; do ln -s busybox "$rootfs/bin/$applet"; done
  tar -C / -cf - usr/lib/postgresql/15 usr/share/postgresql/15 usr/share/zoneinfo | tar -C "$rootfs" -xf -
  # Every shared library the binaries and modules load, at the same path.
  { find /usr/lib/postgresql/15 -type f \( -perm -u+x -o -name '*.so' \) -exec ldd {} + 2>/dev/null || true; } |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u | while read -r lib; do cp -L --parents "$lib" "$rootfs"; done
  printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\npostgres:x:999:\n' >"$rootfs/etc/group"
  chown 999:999 "$rootfs/var/run/postgresql" "$rootfs/var/lib/postgresql"
  cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
# The official postgres image's contract, in small: as root, own $PGDATA and become postgres;
# initdb with $POSTGRES_PASSWORD (through a pipe, never a file); then postgres with our args.
set -e
bin=/usr/lib/postgresql/15/bin
[ "$1" = postgres ] && shift
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec su -s /bin/sh postgres -c 'exec /usr/local/bin/docker-entrypoint.sh "$@"' -- sh "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "$POSTGRES_PASSWORD" |
    "$bin/initdb" -D "$PGDATA" -U postgres --pwfile=/dev/stdin -A scram-sha-256 --auth-local=trust -E UTF8 --locale=C
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
fi
unset POSTGRES_PASSWORD
exec "$bin/postgres" -D "$PGDATA" "$@"
ENTRYPOINT
  chmod 755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  podman import -q \
    --change 'ENTRYPOINT=["/usr/local/bin/docker-entrypoint.sh"]' --change 'CMD=["postgres"]' \
    --change 'ENV=PGDATA=/var/lib/postgresql/data' --change 'EXPOSE=5432' \
    "$rootfs.tar" "$image" >/dev/null
  rm -f "$rootfs.tar"
fi

[[ -z $(containers) ]] || fail "lockward containers exist before the test: $(containers)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root"/examples/*.sql "$work/"

echo "== 1. trace the examples in a container"
out=$("$lockward" trace --provider docker --docker-image "$image" "$work/" 2>&1) || { echo "$out"; fail "trace failed"; }
echo "$out" | tail -3
grep -q 'provider: docker (localhost/lockward-pg-smoke:15 through /usr/bin/podman), PostgreSQL 15' <<<"$out" ||
  fail "no docker provider line"
grep -q 'Confirmed' <<<"$out" || fail "nothing confirmed"
# The same verdicts as the local provider on the same PostgreSQL version.
local_coverage=$("$lockward" trace --pg-version 15 "$work/" 2>&1 | grep '^coverage:') || fail "local trace failed"
[[ $(grep '^coverage:' <<<"$out") == "$local_coverage" ]] || fail "verdicts differ from the local provider's: $local_coverage"
[[ -z $(containers) ]] || fail "a container outlived a normal exit"

echo "== 2. while it runs: 127.0.0.1 only, no password in any argv, SIGTERM cleans up"
printf 'SELECT pg_sleep(60);\n' >"$work/slow.sql"
"$lockward" trace --provider docker --docker-image "$image" "$work/slow.sql" >"$work/slow.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [[ -n $(containers) ]] && podman port "$(containers)" 5432/tcp >/dev/null 2>&1 && break; sleep 0.1; done
id=$(containers)
[[ -n $id ]] || fail "no container appeared"
ports=$(podman port "$id" 5432/tcp)
echo "published: $ports"
[[ $ports == 127.0.0.1:* ]] || fail "published on $ports, not 127.0.0.1"
owner=$(podman inspect -f '{{index .Config.Labels "lockward.owner-pid"}}' "$id")
tr '\0' ' ' <"/proc/$owner/cmdline" | grep -q 'pg keep-warm' || fail "the owner label is not the cluster's keeper"
sleep 2  # until pg_sleep runs
password=$(podman inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$id" | sed -n 's/^POSTGRES_PASSWORD=//p')
[[ ${#password} -eq 48 ]] || fail "no 48-character random password in the container's environment"
if ps -eo args | grep -F -- "$password" | grep -v grep; then fail "the password is visible in a process's argv"; fi
kill -TERM "$pid"
wait "$pid" || true
grep -F -q -- "$password" "$work/slow.log" && fail "the password is in lockward's output"
for _ in $(seq 1 100); do [[ -z $(containers) ]] && break; sleep 0.1; done
[[ -z $(containers) ]] || fail "the container outlived SIGTERM"

echo "== 3. SIGKILL: the keeper sees the lease's process gone and removes the container"
"$lockward" trace --provider docker --docker-image "$image" "$work/slow.sql" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 300); do [[ -n $(containers) ]] && podman port "$(containers)" 5432/tcp >/dev/null 2>&1 && break; sleep 0.1; done
sleep 2
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
for _ in $(seq 1 150); do [[ -z $(containers) ]] && break; sleep 0.1; done
[[ -z $(containers) ]] || fail "the container outlived SIGKILL of lockward"

echo "== 4. an orphan (labelled with a dead owner on this host) is removed at the next start"
podman create --label lockward.cluster=1 --label lockward.owner-pid=99999999 \
  --label "lockward.owner-host=$(hostname)" "$image" >/dev/null
[[ -n $(containers) ]] || fail "could not create the fake orphan"
"$lockward" trace --provider docker --docker-image "$image" "$work/001_create_users.sql" >/dev/null 2>&1 ||
  fail "trace failed"
[[ -z $(containers) ]] || fail "the orphan was not removed"

echo "== 5. back-to-back traces share one warm container; pg stop removes it"
"$lockward" trace --provider docker --docker-image "$image" --keep-warm 60 "$work/001_create_users.sql" >/dev/null 2>&1 ||
  fail "trace failed"
[[ -n $(containers) ]] || fail "the container did not stay warm"
out=$("$lockward" trace --provider docker --docker-image "$image" "$work/001_create_users.sql" 2>&1) || fail "trace failed"
grep -q 'warm container reused' <<<"$out" || { echo "$out"; fail "the warm container was not reused"; }
"$lockward" pg stop
for _ in $(seq 1 100); do [[ -z $(containers) ]] && break; sleep 0.1; done
[[ -z $(containers) ]] || fail "pg stop left the container"

echo "== 6. the keeper killed by SIGKILL: its attached CLI gets SIGINT and the container goes"
"$lockward" trace --provider docker --docker-image "$image" --keep-warm 60 "$work/001_create_users.sql" >/dev/null 2>&1 ||
  fail "trace failed"
id=$(containers)
owner=$(podman inspect -f '{{index .Config.Labels "lockward.owner-pid"}}' "$id")
kill -KILL "$owner"
for _ in $(seq 1 150); do [[ -z $(containers) ]] && break; sleep 0.1; done
[[ -z $(containers) ]] || fail "the container outlived its keeper"

echo "podman-smoke: all checks passed"
