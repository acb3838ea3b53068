#!/usr/bin/env bash
# The console's machines page at 100,000 machines: serve's time to answer the first page, unfiltered
# and filtered (site + state + search), on SQLite, and on PostgreSQL when FLEET_INVENTORY is set.
#   tests/bench/console.sh                                      # SQLite
#   . tests/servers/postgres.sh && pg_start && tests/bench/console.sh postgres  # PostgreSQL (FLEET_TEST_POSTGRES)
# Reports serve's own time for the page (its Server-Timing header) for the first request after start
# (cold: JIT included) and the median of 20 more, and curl's time to the last byte on loopback.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build cmd/Fleetctl/Fleetctl.csproj -c Release -nologo -v:q -clp:NoSummary >/dev/null
fleetctl="$PWD/cmd/Fleetctl/bin/Release/net10.0/fleetctl"
work=$(mktemp -d /tmp/fleet-bench-console.XXXXXX)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
python3 tests/bench/apply-fleet.py "$work" 100000 100 10 0.01 0
if [ "${1:-sqlite}" = postgres ]; then
  : "${FLEET_TEST_POSTGRES:?start PostgreSQL first: . tests/servers/postgres.sh && pg_start}"
  db="fleet_console_bench_$$"
  "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" "$(echo "$FLEET_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')" \
    -qc "CREATE DATABASE $db" >/dev/null
  export FLEET_INVENTORY="${FLEET_TEST_POSTGRES/Database=postgres/Database=$db}"
fi
/usr/bin/time -f "ingest of 100,000 machines: %e s" "$fleetctl" -C "$work" inventory ingest "$work/recon.ndjson" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$fleetctl" -C "$work" serve --listen "127.0.0.1:$port" --images http://127.0.0.1:1/ >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
base="http://127.0.0.1:$port"

# server TIME: serve's own milliseconds (Server-Timing), then curl's, for one request
one() { curl -s -D "$work/headers" -o "$work/page.html" -w '%{time_total}' "$base$1" >"$work/curl"
  printf '%s %s\n' "$(grep -i '^server-timing' "$work/headers" | sed 's/.*dur=\([0-9.]*\).*/\1/')" "$(echo "$(cat "$work/curl") * 1000" | bc -l)"; }

measure() {
  local name=$1 path=$2
  local cold; cold=$(one "$path")
  grep -q 'id="machine-count"' "$work/page.html" || { echo "$path: not a machines page" >&2; exit 1; }
  local warm; warm=$(for _ in $(seq 20); do one "$path"; done | sort -n | sed -n 10p)
  printf '%-28s first: serve %6.1f ms (curl %6.1f)   median of 20: serve %6.1f ms (curl %6.1f)   %s matches\n' "$name" $cold $warm \
    "$(grep -o 'id="machine-count">[0-9,]*' "$work/page.html" | cut -d'>' -f2)"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
measure "machines (first page)" "/machines"
measure "filtered site+state+search" "/machines?site=dc1&state=available&q=B00999"
measure "filtered hardware, page 2" "/machines?hardware=compute&after=B0000049"
measure "search, no match" "/machines?q=nothing-like-this"
