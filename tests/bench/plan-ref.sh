#!/usr/bin/env bash
# What reading the desired state from git costs: `fleetctl plan --format json` on the
# 12,000-machine benchmark fleet (600 pool files, 4 sites, 8 hardware types, SQLite inventory),
# from the working tree and with --ref HEAD from a real git repository holding the same files.
# Target: --ref costs at most 20% more than the working tree.
# Usage: tests/bench/plan-ref.sh [RUNS]        (default 7 runs per case; the median is reported)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}

dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -v:q -clp:NoSummary >/dev/null
dotnet build tests/Fleet.Benchmarks -c Release -nologo -v:q -clp:NoSummary >/dev/null
fleetctl=$PWD/artifacts/fleetctl/fleetctl

work=$(mktemp -d /tmp/fleet-bench-plan-ref.XXXXXX)
trap 'rm -rf "$work"' EXIT
dir="$work/repo/fleet"
dotnet tests/Fleet.Benchmarks/bin/Release/net10.0/Fleet.Benchmarks.dll generate \
  --out "$dir" --pools 600 --roles 60 --machines 12000 --sites 4 --hardware 8 >/dev/null
git -C "$work/repo" init -q -b main
printf '.fleet/\n' > "$work/repo/.gitignore"
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=bench -c user.email=bench@example.invalid commit -qm "benchmark fleet"
"$fleetctl" -C "$dir" inventory ingest "$dir/recon/machines.ndjson" >/dev/null

median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
measure() {
  local walls=()
  for _ in $(seq "$runs"); do
    walls+=("$( { /usr/bin/time -f '%e' "$fleetctl" -C "$dir" plan --format json "$@" >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${walls[@]}" | median
}

echo "plan --ref benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs per case"
"$fleetctl" -C "$dir" plan --format json >/dev/null      # warm the file cache
worktree=$(measure)
ref=$(measure --ref HEAD)
printf 'working tree: median %.2f s wall\n--ref HEAD:   median %.2f s wall (%+.0f%%)\n' \
  "$worktree" "$ref" "$(echo "($ref - $worktree) * 100 / $worktree" | bc -l)"
