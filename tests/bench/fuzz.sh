#!/usr/bin/env bash
# Runs the fuzzers of the project with many cases (default 10,000 of each kind) and prints, per kind
# of input, the cases, how many were refused, and the findings: crashes (internal errors, HTTP 500s),
# hangs (no answer within 10 s), writes despite an error, and errors without a location.
#   tests/bench/fuzz.sh [CASES]
# CI runs the same tests with a few hundred seeded cases; the seeds are fixed, so a finding repeats.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=${1:-10000}
report=$(mktemp)
trap 'rm -f "$report"' EXIT
dotnet build tests/Fleetctl.Tests -c Release -nologo -v:q -clp:NoSummary >/dev/null
status=0
FLEET_FUZZ_CASES=$cases FLEET_FUZZ_REPORT=$report \
  dotnet test tests/Fleetctl.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~Fleetctl.Tests.Fuzzing" >/dev/null || status=$?
cat "$report"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exit "$status"
