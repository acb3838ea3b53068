# fleetctl in a container, for `fleetctl serve` and `fleetctl worker` (and one-shot commands):
#   docker build -t fleetctl .
#   docker run -v "$PWD/fleet:/fleet:ro" -e FLEET_INVENTORY=postgres://… -p 8080:8080 fleetctl \
#     serve -C /fleet --images http://boot.lon.acme.net/images/ --listen 0.0.0.0:8080 --callback-url http://10.1.0.5:8080/
#   docker run -v "$PWD/fleet:/fleet:ro" -e FLEET_INVENTORY=postgres://… fleetctl worker -C /fleet --site lon
# The image holds the release archive tools/release.sh builds (the same files as a download), unpacked
# in /opt/fleetctl, and runs as an unprivileged user. docs/install.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS release
WORKDIR /src
COPY . .
# The version comes from git (tools/version.sh): the build context includes .git for it.
RUN tools/release.sh --out /release \
 && mkdir /opt/fleetctl \
 && tar -xzf /release/fleetctl-*-linux-x64.tar.gz -C /opt/fleetctl --strip-components=1

FROM debian:12-slim
# TLS (Redfish, PostgreSQL, Compute Engine) needs OpenSSL and the CA bundle; no ICU, fleetctl runs with
# invariant globalization.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/fleetctl --create-home --shell /usr/sbin/nologin fleet
COPY --from=release /opt/fleetctl /opt/fleetctl
RUN ln -s /opt/fleetctl/bin/fleetctl /usr/local/bin/fleetctl
USER 10001:10001
WORKDIR /var/lib/fleetctl
# serve and worker run for days: dynamic PGO pays for itself (it is off for one-shot commands).
ENV DOTNET_TieredPGO=1
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/fleetctl"]
CMD ["--help"]
