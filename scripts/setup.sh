#!/usr/bin/env bash
# Idempotent setup: virtualenv with pinned Odoo 11, pruned addons, private
# PostgreSQL 15 cluster (started), Odoo config. Safe to run again: it reuses
# whatever already exists and matches requirements.txt.
#   setup.sh --browser   also Debian's chromium and chromedriver (the browser tests)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_venv() {
    local stamp="$VENV/.requirements.sha256" want
    want="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-oca.txt" | sha256sum | cut -d' ' -f1)"
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
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -r "$ROOT/requirements-oca.txt"
    "$VENV/bin/python" "$ROOT/scripts/prune_addons.py" "$ADDONS_UNUSED"
    echo "$want" > "$stamp"
}

setup_lessc() {
    local stamp="$NODE_DIR/.lock.sha256" want
    want="$(sha256sum "$ROOT/scripts/lessc/package-lock.json" | cut -d' ' -f1)"
    if [ -x "$NODE_DIR/node_modules/.bin/lessc" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm not found: Odoo 11 needs lessc (from npm) to build its web assets (apt-get install -y npm)."
    say "installing lessc 2.7.3 for Odoo's web assets"
    rm -rf "$NODE_DIR"
    mkdir -p "$NODE_DIR"
    cp "$ROOT/scripts/lessc/package.json" "$ROOT/scripts/lessc/package-lock.json" "$NODE_DIR/"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
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

[ "${1:-}" = "--browser" ] && install_chromium
setup_venv
setup_lessc
write_config
"$ROOT/scripts/pg.sh" start
