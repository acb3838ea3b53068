#!/usr/bin/env bash
# Builds the release archive users install: fleetctl-VERSION-linux-x64.tar.gz and SHA256SUMS, in
# artifacts/release/ (git-ignored) or --out DIR. The version comes from git (tools/version.sh): tag
# the commit vX.Y.Z first for a numbered release. docs/install.md describes the archive.
#
#   fleetctl-VERSION-linux-x64/
#     bin/fleetctl                          -> ../lib/fleetctl/fleetctl
#     lib/fleetctl/                         the self-contained build (composite ReadyToRun; Native AOT is planned)
#     share/man/man1/fleetctl.1
#     share/bash-completion/completions/fleetctl
#     share/zsh/site-functions/_fleetctl
#     share/fish/vendor_completions.d/fleetctl.fish
#     share/fleetctl/schemas/*.json
#     share/doc/fleetctl/LICENSE, README.md
#
# SOURCE_DATE_EPOCH, when set, is the build date and every file's time in the archive (reproducible builds).
# Usage: tools/release.sh [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/release
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    *) echo "usage: tools/release.sh [--out DIR]" >&2; exit 1 ;;
  esac
done
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "tools/release.sh: builds linux-x64 archives on linux-x64 only" >&2; exit 1; }

{ read -r version; read -r commit; } < <(tools/version.sh)
epoch=${SOURCE_DATE_EPOCH:-$(date +%s)}
built=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
name=fleetctl-$version-linux-x64
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/fleetctl-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/$name

echo "== building $name (self-contained, composite ReadyToRun: the first build compiles the .NET libraries, several minutes)"
dotnet publish cmd/Fleetctl -c Release -r linux-x64 --self-contained -o "$root/lib/fleetctl" \
  -p:FleetctlVersion="$version" -p:FleetctlCommit="$commit" -p:FleetctlBuildDate="$built" \
  -nologo -clp:NoSummary -v:m
rm -f "$root"/lib/fleetctl/*.pdb

echo "== man page, completions, schemas, licence"
mkdir -p "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
  "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d" "$root/share/fleetctl/schemas" \
  "$root/share/doc/fleetctl"
ln -s ../lib/fleetctl/fleetctl "$root/bin/fleetctl"
fleetctl=$root/bin/fleetctl
"$fleetctl" man-page > "$root/share/man/man1/fleetctl.1"
"$fleetctl" completion bash > "$root/share/bash-completion/completions/fleetctl"
"$fleetctl" completion zsh > "$root/share/zsh/site-functions/_fleetctl"
"$fleetctl" completion fish > "$root/share/fish/vendor_completions.d/fleetctl.fish"
cp schemas/*.json "$root/share/fleetctl/schemas/"
# Under share/ like the rest, so that unpacking into a prefix (tar -C /usr/local --strip-components=1)
# puts nothing at its top.
cp LICENSE README.md "$root/share/doc/fleetctl/"
"$fleetctl" --version | grep -qF "fleetctl $version (commit ${commit:0:12}, built $built)" \
  || { echo "tools/release.sh: the binary reports $("$fleetctl" --version), expected $version" >&2; exit 1; }

archive=$name.tar.gz
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" | gzip -9n > "$out/$archive"
(cd "$out" && sha256sum "$archive" > SHA256SUMS)
echo "== $out/$archive ($(du -h "$out/$archive" | cut -f1))"
cat "$out/SHA256SUMS"
