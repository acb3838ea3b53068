#!/usr/bin/env bash
# Whole-process timings of the inventory: ingest N machines of NDJSON recon into SQLite and into
# PostgreSQL (a throwaway server), re-ingest them unchanged, and list them all as JSON.
# Usage: tests/bench/inventory.sh [MACHINES]      (default 100000; Release builds)
set -euo pipefail
cd "$(dirname "$0")/../.."
machines=${1:-100000}

dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -v:q -clp:NoSummary >/dev/null
dotnet build tests/Fleet.Benchmarks -c Release -nologo -v:q -clp:NoSummary >/dev/null
fleetctl=artifacts/fleetctl/fleetctl

work=$(mktemp -d /tmp/fleet-bench-inventory.XXXXXX)
. tests/servers/postgres.sh
cleanup() { pg_stop >/dev/null; rm -rf "$work"; }
trap cleanup EXIT
pg_start >/dev/null

dotnet tests/Fleet.Benchmarks/bin/Release/net10.0/Fleet.Benchmarks.dll generate \
  --out "$work/fleet" --pools 20 --roles 5 --machines "$machines" --sites 4 --hardware 3 >/dev/null
recon="$work/fleet/recon/machines.ndjson"
psql "$(echo "$FLEET_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')" \
  -qc "CREATE DATABASE fleet_bench" >/dev/null
postgres="${FLEET_TEST_POSTGRES/Database=postgres/Database=fleet_bench}"

TIMEFORMAT='%R s wall, %U s user, %S s sys'
measure() {
  local label=$1; shift
  local took
  took=$( { time "$@" >/dev/null; } 2>&1 )
  printf '%-38s %s\n' "$label" "$took"
}

echo "inventory benchmark: $machines machines, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for backend in sqlite postgres; do
  if [ "$backend" = postgres ]; then export FLEET_INVENTORY="$postgres"; else unset FLEET_INVENTORY; fi
  measure "$backend: ingest $machines (new)" "$fleetctl" -C "$work/fleet" inventory ingest "$recon"
  measure "$backend: ingest $machines (unchanged)" "$fleetctl" -C "$work/fleet" inventory ingest "$recon"
  measure "$backend: list $machines --format json" "$fleetctl" -C "$work/fleet" inventory list --format json
done
