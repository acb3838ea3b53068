#!/usr/bin/env bash
# Installs the Debian packages the integration tests run for real: PostgreSQL, BIND and its tools.
set -euo pipefail
need=()
[ -n "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || need+=(postgresql)
command -v named >/dev/null || need+=(bind9)
command -v rndc >/dev/null && command -v named-checkzone >/dev/null || need+=(bind9-utils)
command -v dig >/dev/null && command -v nsupdate >/dev/null || need+=(bind9-dnsutils)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
