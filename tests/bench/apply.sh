#!/usr/bin/env bash
# Apply benchmark: whole-process `fleetctl apply` against the simulated datacenter.
#   tests/bench/apply.sh            # SQLite (embedded default)
#   FLEET_BENCH_POSTGRES="Host=...;Username=...;Database=postgres" tests/bench/apply.sh   # also PostgreSQL
#   FLEET_BENCH_FLEETCTL=/path/to/fleetctl tests/bench/apply.sh   # time that build instead of publishing this tree
#                                                                  # (before/after comparisons, back to back)
# Three runs per backend, each on a fresh inventory of 2,200 machines in one site, 20 pools of 100:
#   install   2,000 installs at 200 ms simulated install time, --parallelism 100 (theory: 20 waves x 0.2 s = 4 s)
#   failures  the same with 6% of installs failing and one attempt each, so every failure marks its machine
#             broken and installs a replacement: every pool must still reach its size
#   overhead  2,000 installs at 0 s: the engine's own cost per job (jobs, inventory transitions, audit)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${FLEET_BENCH_FLEETCTL:-}" ]; then
  fleetctl=$FLEET_BENCH_FLEETCTL
else
  dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -v:q -clp:NoSummary >/dev/null
  fleetctl="$PWD/artifacts/fleetctl/fleetctl"
fi
work=$(mktemp -d /tmp/fleet-bench-apply.XXXXXX)
trap 'rm -rf "$work"' EXIT

# run NAME BACKEND INSTALL_SECONDS FAILURE_RATE [extra apply flags]
run() {
  local name=$1 backend=$2 install=$3 failure=$4; shift 4
  local dir="$work/$name-$backend"
  python3 tests/bench/apply-fleet.py "$dir" 2200 20 100 "$install" "$failure"
  if [ "$backend" = postgres ]; then
    local db="fleet_bench_$(date +%s%N)"
    psql_exec "CREATE DATABASE $db"
    export FLEET_INVENTORY="${FLEET_BENCH_POSTGRES%;}"
    FLEET_INVENTORY=$(echo "$FLEET_INVENTORY" | sed -E "s/Database=[^;]*/Database=$db/")
  else
    unset FLEET_INVENTORY
  fi
  "$fleetctl" -C "$dir" inventory ingest "$dir/recon.ndjson" >/dev/null
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$dir/cpu" "$fleetctl" -C "$dir" apply --auto-approve --parallelism 100 "$@" >"$dir/apply.log" 2>&1 || true
  end=$(date +%s.%N)
  local wall apply summary in_use broken cpu
  cpu=$(awk '{print $1 + $2}' "$dir/cpu")
  wall=$(echo "$end - $start" | bc)
  apply=$("$fleetctl" -C "$dir" history --format json | python3 -c 'import json,sys,datetime as d; h=json.load(sys.stdin)[0]; p=lambda s: d.datetime.fromisoformat(s); print(round((p(h["endedAt"])-p(h["startedAt"])).total_seconds(),2))')
  summary=$(tail -1 "$dir/apply.log")
  in_use=$("$fleetctl" -C "$dir" inventory list --state in_use --format json | python3 -c 'import json,sys,collections; m=json.load(sys.stdin); c=collections.Counter(x["pool"] for x in m); print(len(m), "in_use;", sum(1 for v in c.values() if v == 100), "of 20 pools full")')
  broken=$("$fleetctl" -C "$dir" inventory list --state broken --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  printf '%-9s %-8s process %6.2f s (CPU %5.2f s)  apply %6.2f s  per job %5.2f ms  | %s | %s, %s broken\n' \
    "$name" "$backend" "$wall" "$cpu" "$apply" "$(echo "$apply * 1000 / 2000" | bc -l)" "${summary:0:80}" "$in_use" "$broken"
}

psql_exec() {
  python3 - "$1" <<'PY'
import os, subprocess, sys
cs = dict(p.split("=", 1) for p in os.environ["FLEET_BENCH_POSTGRES"].strip(";").split(";"))
psql = subprocess.run("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1", shell=True, capture_output=True, text=True).stdout.strip() + "/psql"
subprocess.run([psql, "-h", cs["Host"], "-p", cs.get("Port", "5432"), "-U", cs["Username"], "-d", cs.get("Database", "postgres"), "-qc", sys.argv[1]], check=True)
PY
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
backends=(sqlite)
[ -n "${FLEET_BENCH_POSTGRES:-}" ] && backends+=(postgres)
for backend in "${backends[@]}"; do
  run install "$backend" 0.2 0
  run failures "$backend" 0.2 0.06 --max-attempts 1
  run overhead "$backend" 0 0
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
