#!/usr/bin/env python3
"""Writes a fleet for the apply benchmark: one simulated site, N machines, pools of a given size."""
import json, os, sys

directory, machines, pools, size, install, failure = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
os.makedirs(os.path.join(directory, "pools"), exist_ok=True)
with open(os.path.join(directory, "fleet.yaml"), "w") as f:
    f.write(f"""apiVersion: fleet/v1
kind: Fleet
name: bench
inventory: sqlite:.fleet/inventory.db
sites:
  - name: dc1
    domain: dc1.bench.net
    networks: [10.0.0.0/8]
    power: {{ driver: simulated, installSeconds: {install}, recycleSeconds: {install}, failureRate: {failure} }}
hardware:
  - name: compute
""")
with open(os.path.join(directory, "role.yaml"), "w") as f:
    f.write("apiVersion: fleet/v1\nkind: Role\nname: app\nimage: debian-12\n")
with open(os.path.join(directory, "pools", "pools.yaml"), "w") as f:
    f.write("---\n".join(f"apiVersion: fleet/v1\nkind: Pool\nname: app-{p:03d}\nrole: app\nbackend: physical\nsite: dc1\nhardware: compute\nsize: {size}\n" for p in range(pools)))
with open(os.path.join(directory, "recon.ndjson"), "w") as f:
    for n in range(machines):
        f.write(json.dumps({"hardwareName": f"B{n:07d}", "hardwareType": "compute", "site": "dc1", "rack": f"r{n % 40:02d}",
                            "interfaces": [{"name": "eth0", "mac": f"02:00:{n >> 24 & 255:02x}:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}",
                                            "ip": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}]}) + "\n")
