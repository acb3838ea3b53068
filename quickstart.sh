#!/usr/bin/env bash
# The quickstart, end to end on the embedded defaults (SQLite inventory, simulated datacenter,
# zone files written to a directory): validate, ingest recon reports, plan, apply, plan again.
# Runs in examples/quickstart; its state lives in examples/quickstart/.fleet (git-ignored).
# Run it again and nothing changes; ./quickstart.sh --fresh starts from an empty inventory.
# FLEETCTL=PATH runs it with that binary (an unpacked release, say) instead of building one.
set -euo pipefail
cd "$(dirname "$0")"
fleet=examples/quickstart
if [ "${1:-}" = "--fresh" ]; then rm -rf "$fleet/.fleet"; fi

# A framework-dependent build that the JIT compiles as it runs: under a minute the first time on two
# cores (restore and compile), where the self-contained composite ReadyToRun release build takes 5 to
# 15 minutes of crossgen2 (docs/BENCHMARKS.md). It is rebuilt only when a source file is newer than it.
out=artifacts/quickstart
if [ -n "${FLEETCTL:-}" ]; then
  echo "== using $FLEETCTL ($("$FLEETCTL" --version))"
elif [ ! -x "$out/fleetctl" ] || [ -n "$(find cmd engine providers schemas tools Directory.Build.props Directory.Packages.props \
    -type f -newer "$out/fleetctl.dll" -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; then
  echo "== building fleetctl into $out (the first build restores packages and compiles: about a minute)"
  dotnet publish cmd/Fleetctl -c Release -o "$out" --no-self-contained -p:PublishReadyToRun=false \
    -nologo -clp:NoSummary -v:m
  touch "$out/fleetctl.dll"   # the next run compares sources against this build, even when publish copied nothing
else
  echo "== fleetctl in $out is up to date"
fi
binary=${FLEETCTL:-$out/fleetctl}
fleetctl() { "$binary" -C "$fleet" "$@"; }
step() { printf '\n== fleetctl %s\n' "$*"; }

step validate
fleetctl validate

step inventory ingest recon
fleetctl inventory ingest "$fleet/recon"

step inventory list --site lon
fleetctl inventory list --site lon

step plan
fleetctl plan

step apply --auto-approve
fleetctl apply --auto-approve

step plan
fleetctl plan

step inventory list --pool fancydb-lon
fleetctl inventory list --pool fancydb-lon

if ls "$fleet"/.fleet/zones/*.zone >/dev/null 2>&1; then
  printf '\n== the rendered zone %s\n' "$fleet/.fleet/zones/lon.example.net.zone"
  cat "$fleet/.fleet/zones/lon.example.net.zone"
fi

step history
fleetctl history
