#!/usr/bin/env bash
# Runs every test suite against real servers: installs PostgreSQL, BIND and ipmi_sim when missing, starts a
# throwaway PostgreSQL on loopback, runs the tests, then builds the release archive and runs it end to end
# and through the CI integrations, and stops the server.
# BIND servers and simulated BMCs are started per test.
set -euo pipefail
cd "$(dirname "$0")"
tests/servers/install-packages.sh
. tests/servers/postgres.sh
trap pg_stop EXIT
pg_start
# Missing servers fail the run instead of skipping tests.
export FLEET_TEST_REQUIRE_SERVERS=1
dotnet build Declarative.sln -c Release -nologo -clp:NoSummary -v:q
log=$(mktemp)
status=0
dotnet test Declarative.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
# The systemd units of examples/, through systemd-analyze verify.
tests/systemd/verify-units.sh || status=1
# The release archive users install (self-contained, one composite ReadyToRun image), built as
# tools/release.sh builds it, unpacked elsewhere and driven end to end; then the CI integrations of
# examples/ci, their shell steps run against it at a file:// URL.
release=$(mktemp -d "${TMPDIR:-/tmp}/fleet-release.XXXXXX")
trap 'pg_stop; rm -rf "$release"' EXIT
if tools/release.sh --out "$release"; then
  tests/smoke/published.sh "$release" || status=1
  tests/ci/workflows.py "$release" || status=1
else
  status=1
fi
exit "$status"
