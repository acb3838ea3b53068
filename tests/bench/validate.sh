#!/usr/bin/env bash
# Times `fleetctl validate` end to end (process start to exit) on a generated fleet repository of
# 2,000 pool files and 500 roles, using the Release build of the fleetctl binary.
#   tests/bench/validate.sh [RUNS]      (default 10 runs after 2 warm-up runs)
# Prints wall-clock and CPU seconds per run, then min / median / max wall time and the load average,
# because on a shared machine the load explains outliers.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -v:q -clp:NoSummary >/dev/null
dotnet build tests/Fleet.Benchmarks/Fleet.Benchmarks.csproj -c Release -nologo -v:q -clp:NoSummary >/dev/null
dotnet run -c Release --no-build --project tests/Fleet.Benchmarks -- generate \
  --out "$work/fleet" --pools 2000 --roles 500 --machines 20000 --sites 4 --hardware 5 --seed 1
fleetctl=artifacts/fleetctl/fleetctl

for _ in 1 2; do "$fleetctl" validate -C "$work/fleet" >/dev/null; done
TIMEFORMAT='%R %U %S'
: >"$work/times"
for _ in $(seq "$runs"); do
  { time "$fleetctl" validate -C "$work/fleet" >/dev/null; } 2>>"$work/times"
done
echo "run  wall  user  sys (seconds)"
nl -w3 -s'  ' "$work/times"
sort -n "$work/times" | awk '{ w[NR] = $1 } END { printf "wall: min %.3f s, median %.3f s, max %.3f s over %d runs\n", w[1], (NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2), w[NR], NR }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
