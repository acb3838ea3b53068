#!/usr/bin/env bash
# The quickstart, end to end on the embedded defaults (SQLite inventory, simulated datacenter,
# zone files written to a directory): validate, ingest recon reports, plan, apply, plan again.
# Runs in examples/quickstart; its state lives in examples/quickstart/.fleet (git-ignored).
# Run it again and nothing changes; ./quickstart.sh --fresh starts from an empty inventory.
set -euo pipefail
cd "$(dirname "$0")"
fleet=examples/quickstart
if [ "${1:-}" = "--fresh" ]; then rm -rf "$fleet/.fleet"; fi

echo "== building fleetctl"
dotnet publish cmd/Fleetctl -c Release -o artifacts/fleetctl -nologo -clp:NoSummary -v:q
fleetctl() { artifacts/fleetctl/fleetctl -C "$fleet" "$@"; }
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
