#!/usr/bin/env bash
# Whole-process timings of `fleetctl plan --format json`, end to end (load YAML, read the inventory,
# plan, write the plan file to stdout), on fleets from the benchmark generator:
#   12,000 machines, 600 pools, 4 sites, 8 hardware types   (targets: <= 1.0 s wall, <= 300 MB)
#   100,000 machines, 5,000 pools, 4 sites, 8 hardware types (target: <= 5 s wall)
# on SQLite and on PostgreSQL (a throwaway server). The inventory is freshly ingested, so every pool
# is planned from scratch: the largest plan these fleets can have (70% of the machines installed).
# Usage: tests/bench/plan.sh [RUNS]        (default 5 runs per case; the median is reported)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}

dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -v:q -clp:NoSummary >/dev/null
dotnet build tests/Fleet.Benchmarks -c Release -nologo -v:q -clp:NoSummary >/dev/null
fleetctl=$PWD/artifacts/fleetctl/fleetctl

work=$(mktemp -d /tmp/fleet-bench-plan.XXXXXX)
. tests/servers/postgres.sh
cleanup() { pg_stop >/dev/null; rm -rf "$work"; }
trap cleanup EXIT
pg_start >/dev/null
pg_conn=$(echo "$FLEET_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')

# Median wall and CPU (user+sys) time and the largest peak RSS of $runs runs of a command.
measure() {
  local label=$1; shift
  local walls=() cpus=() rss=0 line
  for _ in $(seq "$runs"); do
    line=$( { /usr/bin/time -f '%e %U %S %M' "$@" >/dev/null; } 2>&1 | tail -1)
    read -r wall user sys kb <<<"$line"
    walls+=("$wall")
    cpus+=("$(echo "$user + $sys" | bc)")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  local middle=$(( (runs + 1) / 2 ))
  printf '%-40s median %5.2f s wall, %5.2f s cpu (walls: %s), peak %4d MB\n' "$label" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${middle}p")" \
    "$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${middle}p")" "${walls[*]}" $((rss / 1024))
}

echo "plan benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs per case"
# Calibration: process start and exit alone (about 0.03 s on an idle machine of this kind).
measure "baseline: fleetctl --help" "$fleetctl" --help
for shape in "12000 600 60" "100000 5000 100"; do
  read -r machines pools roles <<<"$shape"
  dir="$work/fleet-$machines"
  dotnet tests/Fleet.Benchmarks/bin/Release/net10.0/Fleet.Benchmarks.dll generate \
    --out "$dir" --pools "$pools" --roles "$roles" --machines "$machines" --sites 4 --hardware 8 >/dev/null
  for backend in sqlite postgres; do
    if [ "$backend" = postgres ]; then
      psql "$pg_conn" -qc "CREATE DATABASE plan_bench_$machines" >/dev/null
      export FLEET_INVENTORY="${FLEET_TEST_POSTGRES/Database=postgres/Database=plan_bench_$machines}"
    else
      unset FLEET_INVENTORY
    fi
    "$fleetctl" -C "$dir" inventory ingest "$dir/recon/machines.ndjson" >/dev/null
    "$fleetctl" -C "$dir" plan --format json >"$work/plan.json"   # warms the file cache; sizes the plan
    measure "$backend: $machines machines, $pools pools" "$fleetctl" -C "$dir" plan --format json
    echo "    plan: $(grep -c '"id":' "$work/plan.json") changes, $(( $(stat -c %s "$work/plan.json") / 1024 )) KB"
  done
  unset FLEET_INVENTORY
done
