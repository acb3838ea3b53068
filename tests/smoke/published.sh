#!/usr/bin/env bash
# The shipped binary, end to end: the test suites run the JIT-compiled build, but users run the
# self-contained composite ReadyToRun image that `dotnet publish` makes, and a fault in that image
# (a crash on the first PostgreSQL statement, say) would pass every suite. This publishes it as the
# quickstart does and drives it through the quickstart on SQLite and on PostgreSQL, and `serve`.
# Needs FLEET_TEST_POSTGRES (test.sh starts the server).   Usage: tests/smoke/published.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${FLEET_TEST_POSTGRES:?start PostgreSQL first: . tests/servers/postgres.sh && pg_start (test.sh does)}"

echo "== publishing fleetctl as shipped (the first publish compiles the .NET libraries: a few minutes)"
dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -clp:NoSummary -v:q >/dev/null
fleetctl=$PWD/artifacts/fleetctl/fleetctl

work=$(mktemp -d /tmp/fleet-smoke.XXXXXX)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

failures=0
fail() { echo "FAILED: $*" >&2; failures=$((failures + 1)); }
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
  expect 0 "$backend: apply --auto-approve" "$fleetctl" -C "$fleet" apply --auto-approve
  expect 0 "$backend: plan after apply has nothing to do (exit 0)" "$fleetctl" -C "$fleet" plan --detailed-exitcode
  expect 0 "$backend: inventory list --format json" "$fleetctl" -C "$fleet" inventory list --format json
  grep -q '"state":"in_use"' "$work/out" || fail "$backend: no machine is in_use after apply"
}

expect 0 "--version" "$fleetctl" --version
unset FLEET_INVENTORY
quickstart sqlite

psql_conn=$(echo "$FLEET_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')
PGOPTIONS="--client-min-messages=warning" psql "$psql_conn" -qc "DROP DATABASE IF EXISTS fleet_smoke" -qc "CREATE DATABASE fleet_smoke" >/dev/null
FLEET_INVENTORY="${FLEET_TEST_POSTGRES/Database=postgres/Database=fleet_smoke}" quickstart postgres
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
echo "smoke: the published binary passed"
