#!/usr/bin/env bash
# Installs the Debian packages the integration tests run for real: PostgreSQL, BIND and its tools,
# OpenIPMI's BMC simulator (ipmi_sim, in openipmi) and ipmitool, Prometheus (a real scraper of /metrics)
# and Chromium (the headless browser the console's page tests drive); zsh and fish, whose completion
# scripts the tests run, groff, which checks the man page, and what the CI integrations' test needs.
set -euo pipefail
need=()
[ -n "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || need+=(postgresql)
command -v named >/dev/null || need+=(bind9)
command -v rndc >/dev/null && command -v named-checkzone >/dev/null || need+=(bind9-utils)
command -v dig >/dev/null && command -v nsupdate >/dev/null || need+=(bind9-dnsutils)
command -v ipmi_sim >/dev/null || need+=(openipmi)
command -v ipmitool >/dev/null || need+=(ipmitool)
command -v prometheus >/dev/null || need+=(prometheus)
command -v chromium >/dev/null || need+=(chromium)
command -v zsh >/dev/null || need+=(zsh)
command -v fish >/dev/null || need+=(fish)
command -v groff >/dev/null || need+=(groff-base)
# The CI integrations' shell steps (tests/ci/workflows.py) use curl and jq, as CI runners have them.
python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
