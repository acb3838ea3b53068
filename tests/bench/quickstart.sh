#!/usr/bin/env bash
# The quickstart's first run on a fresh checkout, with each of the two builds, whole-process wall time:
#   framework-dependent, JIT (what ./quickstart.sh builds), first run and second run;
#   self-contained composite ReadyToRun (the release build), its publish and then the quickstart with it.
# Each on its own copy of the tree (git archive HEAD) and an empty NuGet package folder, one after the other.
# Usage: tests/bench/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/fleet-bench-quickstart.XXXXXX)
trap 'rm -rf "$work"' EXIT
fresh() { mkdir -p "$work/$1" && git archive HEAD | tar -x -C "$work/$1"; }
timed() { local what=$1; shift; /usr/bin/time -f "$what: %e s wall, %U s user, %S s sys" "$@" >"$work/log" 2>"$work/time" || { cat "$work/log" "$work/time" >&2; exit 1; }; tail -n 1 "$work/time"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

fresh jit
export NUGET_PACKAGES=$work/jit/.nuget
timed "framework-dependent: first ./quickstart.sh --fresh (build included)" "$work/jit/quickstart.sh" --fresh
timed "framework-dependent: second ./quickstart.sh" "$work/jit/quickstart.sh"
echo "framework-dependent build: $(du -sh "$work/jit/artifacts/quickstart" | cut -f1), $(find "$work/jit/artifacts/quickstart" -type f | wc -l) files"

fresh r2r
export NUGET_PACKAGES=$work/r2r/.nuget
timed "composite ReadyToRun: dotnet publish" dotnet publish "$work/r2r/cmd/Fleetctl" -c Release -o "$work/r2r/artifacts/fleetctl" -nologo -v:q
timed "composite ReadyToRun: ./quickstart.sh --fresh with it" env FLEETCTL="$work/r2r/artifacts/fleetctl/fleetctl" "$work/r2r/quickstart.sh" --fresh
echo "composite build: $(du -sh "$work/r2r/artifacts/fleetctl" | cut -f1), $(find "$work/r2r/artifacts/fleetctl" -type f | wc -l) files"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
