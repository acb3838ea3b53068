#!/usr/bin/env bash
# The shipped binary, end to end: the test suites run the JIT-compiled build, but users run the
# release archive (self-contained, one composite ReadyToRun image), and a fault in that image (a crash
# on the first PostgreSQL statement, say) would pass every suite. This checks the archive against
# SHA256SUMS and its contents, unpacks it elsewhere, and drives the unpacked binary through the
# quickstart on SQLite and on PostgreSQL (there with a separate `fleetctl worker`), and `serve`.
# Needs FLEET_TEST_POSTGRES (test.sh starts the server).
# Usage: tests/smoke/published.sh RELEASE_DIR    (what tools/release.sh --out RELEASE_DIR made)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${FLEET_TEST_POSTGRES:?start PostgreSQL first: . tests/servers/postgres.sh && pg_start (test.sh does)}"
release=${1:?usage: tests/smoke/published.sh RELEASE_DIR}
work=$(mktemp -d /tmp/fleet-smoke.XXXXXX)
serve_pid= worker_pid=
cleanup() { for pid in $serve_pid $worker_pid; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

failures=0
fail() { echo "FAILED: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
# expect CODE DESCRIPTION COMMAND...: runs the command, output kept in $work/out, and checks its exit code.
expect() {
  local code=$1 what=$2; shift 2
  local actual=0
  "$@" >"$work/out" 2>"$work/err" || actual=$?
  if [ "$actual" = "$code" ]; then echo "ok: $what"; else fail "$what: exit $actual, expected $code"; cat "$work/err" >&2; fi
}

quickstart() {
  local backend=$1 fleet="$work/$1"
  cp -r examples/quickstart "$fleet"
  rm -rf "$fleet/.fleet"
  expect 0 "$backend: validate" "$fleetctl" -C "$fleet" validate
  expect 0 "$backend: inventory ingest" "$fleetctl" -C "$fleet" inventory ingest "$fleet/recon"
  expect 2 "$backend: plan shows the installs (exit 2)" "$fleetctl" -C "$fleet" plan --detailed-exitcode
  if [ "${2:-}" = worker ]; then
    # The jobs run in a separate `fleetctl worker`, as on a datacenter host; SIGTERM stops it cleanly.
    "$fleetctl" -C "$fleet" worker --concurrency 8 >"$work/worker.log" 2>&1 &
    worker_pid=$!
    expect 0 "$backend: apply --auto-approve --workers external, jobs run by fleetctl worker" \
      "$fleetctl" -C "$fleet" apply --auto-approve --workers external
    kill -TERM "$worker_pid"
    local status=0; wait "$worker_pid" || status=$?
    worker_pid=
    [ "$status" = 0 ] && ok "$backend: worker stops on SIGTERM" || { fail "$backend: worker exited $status on SIGTERM"; cat "$work/worker.log" >&2; }
  else
    expect 0 "$backend: apply --auto-approve" "$fleetctl" -C "$fleet" apply --auto-approve
  fi
  expect 0 "$backend: plan after apply has nothing to do (exit 0)" "$fleetctl" -C "$fleet" plan --detailed-exitcode
  expect 0 "$backend: inventory list --format json" "$fleetctl" -C "$fleet" inventory list --format json
  grep -q '"state":"in_use"' "$work/out" || fail "$backend: no machine is in_use after apply"
}

# The archive: its checksum, the files docs/install.md promises, the version it was built as.
archives=("$release"/fleetctl-*-linux-x64.tar.gz)
[ ${#archives[@]} = 1 ] && [ -f "${archives[0]}" ] || { echo "FAILED: expected one release archive in $release" >&2; exit 1; }
archive=$(basename "${archives[0]}")
version=${archive#fleetctl-}; version=${version%-linux-x64.tar.gz}
(cd "$release" && sha256sum --check --strict SHA256SUMS >/dev/null) && ok "SHA256SUMS matches $archive" || fail "SHA256SUMS of $archive"
mkdir "$work/unpacked"
tar -xzf "$release/$archive" -C "$work/unpacked"
root=$work/unpacked/fleetctl-$version-linux-x64
for file in bin/fleetctl lib/fleetctl/fleetctl share/doc/fleetctl/LICENSE share/man/man1/fleetctl.1 share/bash-completion/completions/fleetctl \
    share/zsh/site-functions/_fleetctl share/fish/vendor_completions.d/fleetctl.fish share/fleetctl/schemas/pool.schema.json; do
  [ -e "$root/$file" ] && ok "archive holds $file" || fail "archive lacks $file"
done
fleetctl=$root/bin/fleetctl
expect 0 "--version" "$fleetctl" --version
grep -Eq "^fleetctl ${version//+/\\+} \(commit [0-9a-f]{12}, built [0-9]{4}-[0-9]{2}-[0-9]{2}T" "$work/out" && ok "--version: $(cat "$work/out")" || fail "--version printed $(cat "$work/out"), expected $version"
grep -q '^\.SS "fleetctl worker' "$root/share/man/man1/fleetctl.1" && ok "the man page covers the commands" || fail "man page"
unset FLEET_INVENTORY
quickstart sqlite

psql_conn=$(echo "$FLEET_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')
PGOPTIONS="--client-min-messages=warning" psql "$psql_conn" -qc "DROP DATABASE IF EXISTS fleet_smoke" -qc "CREATE DATABASE fleet_smoke" >/dev/null
FLEET_INVENTORY="${FLEET_TEST_POSTGRES/Database=postgres/Database=fleet_smoke}" quickstart postgres worker
psql "$psql_conn" -qc "DROP DATABASE fleet_smoke" >/dev/null

# serve on the SQLite fleet the quickstart applied: an in_use machine boots from its disk, an unknown
# MAC gets the recon image, a made-up token is refused, and SIGTERM stops it cleanly.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$fleetctl" -C "$work/sqlite" serve --images http://boot.example/images/ --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/pools" >/dev/null 2>&1 && break; sleep 0.1; done
mac=$("$fleetctl" -C "$work/sqlite" inventory list --state in_use --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["interfaces"][0]["mac"])')
curl -sf "http://127.0.0.1:$port/boot/$mac" | grep -q sanboot && echo "ok: serve: an in_use machine boots from its disk" || fail "serve: boot script of $mac"
curl -sf "http://127.0.0.1:$port/boot/02:00:00:00:00:01" | grep -q 'recon/vmlinuz' && echo "ok: serve: an unknown MAC gets the recon image" || fail "serve: boot script of an unknown MAC"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer made-up' -H 'Content-Type: application/json' -d '{"succeeded":true}' "http://127.0.0.1:$port/v1/completions")
[ "$code" = 401 ] && echo "ok: serve: a made-up token is refused" || fail "serve: completion with a made-up token answered $code"
curl -sf "http://127.0.0.1:$port/" | grep -q 'data-pool=' && echo "ok: serve: the console's overview lists the pools" || fail "serve: the console's overview"
curl -sf "http://127.0.0.1:$port/assets/console.css" | grep -q 'fleetctl console' && echo "ok: serve: the console's stylesheet is in the binary" || fail "serve: /assets/console.css"
curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^fleet_machines{' && echo "ok: serve: /metrics exports the machines" || fail "serve: /metrics"
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && echo "ok: serve: /readyz" || fail "serve: /readyz"
kill -TERM "$serve_pid"
status=0; wait "$serve_pid" || status=$?
serve_pid=
[ "$status" = 0 ] && echo "ok: serve stops on SIGTERM" || { fail "serve exited $status on SIGTERM"; cat "$work/serve.log" >&2; }

if [ "$failures" -gt 0 ]; then echo "smoke: $failures failed" >&2; exit 1; fi
echo "smoke: the release archive passed"
