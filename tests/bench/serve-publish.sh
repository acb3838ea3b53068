#!/usr/bin/env bash
# What `fleetctl serve` costs the other commands: publishes fleetctl as shipped (a clean first publish,
# without build servers so the compilers' CPU time is counted), reports its size, and lists the
# ASP.NET Core files `fleetctl validate` and `fleetctl plan` open (there must be none).
#   tests/bench/serve-publish.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/fleet-bench-serve.XXXXXX)
work=$(mktemp -d /tmp/fleet-bench-serve-fleet.XXXXXX)
trap 'rm -rf "$out" "$work"' EXIT
find . -path '*/bin/Release' -prune -exec rm -rf {} + ; find . -path '*/obj/Release' -prune -exec rm -rf {} +
/usr/bin/time -f "publish: %e s wall, %U s user, %S s sys" \
  dotnet publish cmd/Fleetctl -c Release -o "$out" --disable-build-servers -nodeReuse:false -nologo -v:q -clp:NoSummary >/dev/null
echo "size: $(du -sb "$out" | cut -f1) bytes ($(du -sh "$out" | cut -f1)), composite image $(stat -c %s "$out/fleetctl.r2r.dll") bytes"
cp -r examples/quickstart/. "$work"
"$out/fleetctl" -C "$work" inventory ingest "$work/recon" >/dev/null
for command in validate plan; do
  strace -f -e trace=openat -o "$work/trace" "$out/fleetctl" -C "$work" "$command" >/dev/null 2>&1 || true
  echo "$command opens $(grep -c 'Microsoft\.AspNetCore' "$work/trace" || true) ASP.NET Core files"
done
