#!/usr/bin/env bash
# Prints the version and commit of the source tree, one per line, for the build (cmd/Fleetctl) and
# tools/release.sh. The version comes from the nearest tag vMAJOR.MINOR.PATCH[-PRERELEASE]:
#   at the tag                      1.2.0
#   3 commits after it              1.2.0+3.g0123456789ab   (build metadata: never mistaken for the tag)
#   uncommitted changes             ….dirty appended
#   no tag                          0.0.0-dev+0123456789ab
#   not a git checkout              0.0.0-dev, commit "unknown"
# Usage: tools/version.sh [DIR]
set -uo pipefail
cd "${1:-$(dirname "$0")/..}" || exit 1
if ! commit=$(git rev-parse --verify -q HEAD 2>/dev/null); then
  printf '0.0.0-dev\nunknown\n'
  exit 0
fi
short=${commit:0:12}
dirty=
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=.dirty
if described=$(git describe --tags --match 'v[0-9]*.[0-9]*.[0-9]*' --long --abbrev=12 2>/dev/null); then
  # vX.Y.Z[-pre]-N-gHASH: the tag may itself contain dashes, so take N and the hash from the end.
  tag=${described%-*-g*}
  count=${described#"$tag"-}; count=${count%%-*}
  version=${tag#v}
  if [ "$count" = 0 ]; then
    [ -n "$dirty" ] && version="$version+dirty"
  else
    version="$version+$count.g$short$dirty"
  fi
else
  version="0.0.0-dev+$short$dirty"
fi
printf '%s\n%s\n' "$version" "$commit"
