#!/usr/bin/env bash
# Side by side, in one run: `fleetctl validate` and `fleetctl plan --format json` of the build of a
# base commit and of the working tree, alternating, on the same generated fleets (12,000 machines in
# 600 pool files; 100,000 in 5,000), each with its own freshly ingested SQLite inventory.
#   tests/bench/compare.sh BASE [RUNS]     (default 5 runs per case; medians of wall time and peak RSS)
# Both are Release builds run by the dotnet host (JIT), as the quickstart builds fleetctl: the
# comparison is of the code, not of the publish mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${1:?usage: tests/bench/compare.sh BASE [RUNS]}
runs=${2:-5}
work=$(mktemp -d /tmp/fleet-bench-compare.XXXXXX)
trap 'git worktree remove --force "$work/base-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add -q --detach "$work/base-src" "$base"
dotnet build "$work/base-src/cmd/Fleetctl" -c Release -o "$work/base" -nologo -v:q -clp:NoSummary >/dev/null
dotnet build cmd/Fleetctl -c Release -o "$work/head" -nologo -v:q -clp:NoSummary >/dev/null
dotnet build tests/Fleet.Benchmarks -c Release -nologo -v:q -clp:NoSummary >/dev/null

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

for shape in "12000 600 60" "100000 5000 100"; do
  read -r machines pools roles <<<"$shape"
  dotnet run -c Release --no-build --project tests/Fleet.Benchmarks -- generate \
    --out "$work/fleet" --pools "$pools" --roles "$roles" --machines "$machines" --sites 4 --hardware 8 --seed 1 >/dev/null
  for build in base head; do
    rm -rf "$work/fleet-$build"; cp -r "$work/fleet" "$work/fleet-$build"
    "$work/$build/fleetctl" -C "$work/fleet-$build" inventory ingest "$work/fleet-$build/recon/machines.ndjson" >/dev/null
    "$work/$build/fleetctl" -C "$work/fleet-$build" plan --format json >/dev/null   # warm-up
  done
  for command in validate plan; do
    : >"$work/base.t"; : >"$work/head.t"
    for _ in $(seq "$runs"); do
      for build in base head; do
        args=(validate); [ "$command" = plan ] && args=(plan --format json)
        { /usr/bin/time -f '%e %M' "$work/$build/fleetctl" -C "$work/fleet-$build" "${args[@]}" >/dev/null; } 2>>"$work/$build.t"
      done
    done
    for build in base head; do
      wall=$(awk '{ print $1 }' "$work/$build.t" | median)
      rss=$(awk '{ print $2 }' "$work/$build.t" | median)
      printf '%-8s %7s machines  %-5s wall %6.2f s  peak RSS %4d MB\n' "$command" "$machines" "$build" "$wall" $((rss / 1024))
    done
  done
  rm -rf "$work/fleet" "$work/fleet-base" "$work/fleet-head"
done
echo "base $(git rev-parse --short "$base"), head $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'); load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
