#!/usr/bin/env bash
# Private PostgreSQL 15 cluster in .local/pgdata (or elsewhere, see cluster_dir in common.sh),
# listening on a unix socket only.
# Usage: pg.sh start|stop|status
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# initdb and postgres refuse to run as root: the cluster belongs to the
# 'postgres' system user that Debian's PostgreSQL packages create.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

init_cluster() {
    [ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 server binaries not found in $PGBIN (apt-get install -y postgresql-15)."
    say "creating a private PostgreSQL cluster in $PGDATA"
    mkdir -p "$PGDATA" "$PGSOCK"
    # a pointer for whoever looks for the cluster in .local/
    [ "$CLUSTER_DIR" = "$LOCAL" ] || { mkdir -p "$LOCAL" && ln -sfn "$CLUSTER_DIR" "$LOCAL/cluster"; }
    [ "$(id -u)" = 0 ] && chown postgres: "$PGDATA" "$PGSOCK"
    chmod 700 "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PGSOCK'
port = $PGPORT
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 32MB
CONF
}

start() {
    [ -f "$PGDATA/PG_VERSION" ] || init_cluster
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null \
            || die "PostgreSQL did not start; see $PGDATA/server.log"
    fi
    # Odoo refuses to connect as 'postgres': it runs as its own 'odoo' role.
    psql -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='odoo'" | grep -q 1 \
        || psql -U postgres -d postgres -qc "CREATE ROLE odoo LOGIN CREATEDB"
}

stop() {
    if [ -f "$PGDATA/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
