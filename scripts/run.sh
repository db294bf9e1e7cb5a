#!/usr/bin/env bash
# Set everything up and serve Odoo with foreman_cycle_count and its demo data
# on http://127.0.0.1:8069. Ctrl-C stops Odoo and the private PostgreSQL.
#   scripts/run.sh            reuse the existing virtualenv, cluster and database
#   scripts/run.sh --rebuild  throw all of .local/ away and build from scratch
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ "${1:-}" = "--rebuild" ]; then
    "$ROOT/scripts/pg.sh" stop || true
    say "rebuilding from scratch: removing $LOCAL"
    rm -rf "$LOCAL"
    [ "$CLUSTER_DIR" = "$LOCAL" ] || rm -rf "$CLUSTER_DIR"
fi

"$ROOT/scripts/setup.sh"

install_wkhtmltopdf || true
trap '"$ROOT/scripts/pg.sh" stop' EXIT

addon_stamp() { find "$ROOT/foreman_cycle_count" -type f -not -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1; }
stamp_file="$LOCAL/$DEV_DB.addon.sha256"

if ! psql -U odoo -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DEV_DB'" | grep -q 1; then
    say "creating database '$DEV_DB' with foreman_cycle_count and demo data (about a minute)"
    odoo -d "$DEV_DB" -i foreman_cycle_count --stop-after-init --log-level=warn
    addon_stamp > "$stamp_file"
elif [ "$(cat "$stamp_file" 2>/dev/null)" != "$(addon_stamp)" ]; then
    say "the addon changed since the last run: updating it in '$DEV_DB'"
    odoo -d "$DEV_DB" -u foreman_cycle_count --stop-after-init --log-level=warn
    addon_stamp > "$stamp_file"
fi

cat >&2 <<MSG
[foreman] Odoo is starting on http://127.0.0.1:$ODOO_PORT (database '$DEV_DB'); Ctrl-C stops everything.
[foreman] Logins (password = login):
            admin    Administrator (all rights)
            tech1    Tom Tech, counter for Row 1
            tech2    Tina Tech, counter for Row 2
            tech3    Theo Tech, counter for Row 3
            lead     Lena Lead, warehouse lead (coordinator)
            coord    Ivan Inventory, inventory coordinator (coordinator, no e-mail)
            ops      Oscar Ops, operations manager (manager)
            finance  Fiona Finance (manager)
MSG
# Odoo runs as a child we can stop: Ctrl-C or a TERM to this script stops it,
# then the exit trap stops PostgreSQL, so nothing is left running.
(exec "$VENV/bin/python" "$ROOT/scripts/odoo-bin" -c "$ODOO_CONF" -d "$DEV_DB" \
    --db-filter="^$DEV_DB\$" --log-level=warn) &
odoo_pid=$!
trap 'kill -TERM "$odoo_pid" 2>/dev/null' INT TERM
wait "$odoo_pid" || true
wait "$odoo_pid" 2>/dev/null || true
