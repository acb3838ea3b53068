# Throwaway PostgreSQL cluster on a free loopback port, for the test suites and benchmarks.
# Source this file, then: pg_start (exports FLEET_TEST_POSTGRES) ... pg_stop.
# Runs as root (initdb is run as the postgres user) or as an ordinary user.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

pg_free_port() {
  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

pg_start() {
  local bin; bin=$(pg_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; return 1
  fi
  PG_PORT=$(pg_free_port)
  PG_DIR=$(mktemp -d /tmp/fleet-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; run=(su postgres -s /bin/sh -c); else run=(sh -c); fi
  "${run[@]}" "$bin/initdb -D $PG_DIR/data -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
  # One role that must log in with a password (scram-sha-256), for the tests of a refused login;
  # every other login on loopback is trusted. The tests create the role and set its password.
  sed -i '1i host all fleet_password_login 127.0.0.1/32 scram-sha-256' "$PG_DIR/data/pg_hba.conf"
  "${run[@]}" "$bin/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w -t 30 -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' start" >/dev/null
  export FLEET_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  echo "postgres: running on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
  local pid; pid=$(head -1 "$PG_DIR/data/postmaster.pid")
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 200); do [ -e "$PG_DIR/data/postmaster.pid" ] || break; sleep 0.05; done
  rm -rf "$PG_DIR"
  echo "postgres: stopped"
}
