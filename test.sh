#!/usr/bin/env bash
# Runs every test suite against real servers: installs PostgreSQL, BIND and ipmi_sim when missing, starts a
# throwaway PostgreSQL on loopback, runs the tests and then a smoke run of the published binary, stops it.
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
# The binary users run (self-contained, one composite ReadyToRun image), driven end to end.
tests/smoke/published.sh || status=1
exit "$status"
