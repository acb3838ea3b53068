#!/usr/bin/env bash
# systemd-analyze verify on every unit under examples/ (no running systemd needed). verify only warns
# about unknown keys and values it cannot parse, so any output at all fails. The units name
# /usr/local/bin/fleetctl, which verify requires to exist: a copy of each unit points at a stand-in.
# Usage: tests/systemd/verify-units.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/fleet-units.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\n' > "$work/fleetctl" && chmod +x "$work/fleetctl"
mapfile -t units < <(find examples -name '*.service' -o -name '*.timer' -o -name '*.socket' | sort)
[ ${#units[@]} -gt 0 ] || { echo "FAILED: no units found" >&2; exit 1; }
for unit in "${units[@]}"; do
  sed "s|/usr/local/bin/fleetctl|$work/fleetctl|g" "$unit" > "$work/$(basename "$unit")"
done
failures=0
for unit in "${units[@]}"; do
  copy=$work/$(basename "$unit")
  # A template is verified as an instance of itself, as systemctl would start it.
  [[ $copy == *@.service ]] && { cp "$copy" "${copy/@.service/@lon.service}"; copy=${copy/@.service/@lon.service}; }
  if output=$(cd "$work" && systemd-analyze verify --man=no "$copy" 2>&1) && [ -z "$output" ]; then
    echo "ok: systemd-analyze verify $unit"
  else
    echo "FAILED: systemd-analyze verify $unit" >&2
    printf '%s\n' "${output//$work/...}" >&2
    failures=$((failures + 1))
  fi
done
[ "$failures" = 0 ] || { echo "units: $failures failed" >&2; exit 1; }
