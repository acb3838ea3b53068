#!/usr/bin/env bash
# What apply's live display costs: the same apply with its output in a file (plain lines) and on a
# terminal (a pseudo-terminal from `script`, so the live display is drawn), alternating, three runs each.
#   tests/bench/apply-progress.sh
# Cases: 2,000 installs in 20 pools of 100, and 1,800 installs in 600 pools of 3; 200 ms simulated
# install time, --parallelism 100, SQLite. Reports the process's CPU time (user + sys) and wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build cmd/Fleetctl/Fleetctl.csproj -c Release -nologo -v:q -clp:NoSummary >/dev/null
fleetctl="$PWD/cmd/Fleetctl/bin/Release/net10.0/fleetctl"
work=$(mktemp -d /tmp/fleet-bench-progress.XXXXXX)
trap 'rm -rf "$work"' EXIT

# run CASE POOLS SIZE OUTPUT(plain|live) N
run() {
  local name=$1 pools=$2 size=$3 output=$4 n=$5
  local dir="$work/$name-$output-$n"
  python3 tests/bench/apply-fleet.py "$dir" 2200 "$pools" "$size" 0.2 0
  "$fleetctl" -C "$dir" inventory ingest "$dir/recon.ndjson" >/dev/null
  local command="/usr/bin/time -f '%U %S %e' -o '$dir/cpu' '$fleetctl' -C '$dir' apply --auto-approve --parallelism 100"
  if [ "$output" = live ]; then
    TERM=xterm-256color script -q -e -c "$command" "$dir/apply.log" >/dev/null
  else
    bash -c "$command" >"$dir/apply.log" 2>&1
  fi
  printf '%-9s %-6s run %d  CPU %5.2f s  wall %5.2f s  | %s\n' "$name" "$output" "$n" \
    "$(awk '{print $1 + $2}' "$dir/cpu")" "$(awk '{print $3}' "$dir/cpu")" "$(grep -a -o 'Apply [a-z]*: [^.]*\.' "$dir/apply.log" | tail -1)"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for n in 1 2 3; do
  run 20-pools 20 100 plain "$n"
  run 20-pools 20 100 live "$n"
  run 600-pools 600 3 plain "$n"
  run 600-pools 600 3 live "$n"
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
