#!/usr/bin/env bash
# Idempotent setup: virtualenv with pinned Odoo 11, pruned addons, private
# PostgreSQL 15 cluster (started), Odoo config. Safe to run again: it reuses
# whatever already exists and matches requirements.txt.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_venv() {
    local stamp="$VENV/.requirements.sha256" want
    want="$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    local py; py="$(find_python37)"
    command -v pg_config >/dev/null || [ -x "$PGBIN/pg_config" ] \
        || die "pg_config not found: psycopg2 builds against PostgreSQL's headers (apt-get install -y libpq-dev)."
    say "creating the virtualenv with $py (Odoo 11 and pinned dependencies)"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check 'pip==22.0.4' 'setuptools==57.5.0' 'wheel==0.37.1'
    PATH="$PATH:$PGBIN" "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements.txt"
    "$VENV/bin/python" "$ROOT/scripts/prune_addons.py" "$ADDONS_UNUSED"
    echo "$want" > "$stamp"
}

write_config() {
    mkdir -p "$LOCAL/data"
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ROOT
data_dir = $LOCAL/data
db_host = $PGSOCK
db_port = $PGPORT
db_user = odoo
db_password = False
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $ODOO_PORT
without_demo = False
log_level = info
max_cron_threads = 1
workers = 0
CONF
}

setup_venv
write_config
"$ROOT/scripts/pg.sh" start
