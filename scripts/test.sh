#!/usr/bin/env bash
# Run the whole test suite with pytest-odoo against a throwaway database on the
# private cluster: created here, dropped on exit. Extra arguments go to pytest.
# The browser suite (tests/browser) has its own script: scripts/browser.sh (make browser).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

cluster_was_running=no
"$ROOT/scripts/pg.sh" status >/dev/null 2>&1 && cluster_was_running=yes
"$ROOT/scripts/setup.sh"
TEST_DB="foreman_test_$$"
export FOREMAN_TEST_DB_PREFIX="foreman_test_$$"
cleanup() {
    local db
    for db in $(psql -U odoo -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${FOREMAN_TEST_DB_PREFIX}%'"); do
        dropdb -U odoo --if-exists "$db" || true
    done
    # Leave the cluster as we found it: the dev server or a benchmark may use it.
    [ "$cluster_was_running" = yes ] || "$ROOT/scripts/pg.sh" stop
}
trap cleanup EXIT

# OCA's inventory addons (requirements-oca.txt) are installed next to ours: finalize must work with them
say "installing foreman_cycle_count and OCA's inventory addons with demo data into '$TEST_DB'"
log="$LOCAL/test-install.log"
odoo -d "$TEST_DB" -i foreman_cycle_count,stock_inventory_discrepancy,stock_inventory_lockdown --stop-after-init --log-level=warn --logfile="$log" \
    || { cat "$log"; die "installing the addon failed"; }
if grep -E ' (ERROR|CRITICAL) ' "$log" | grep -v 'Unmet dependencies' >/dev/null; then
    cat "$log"; die "installing the addon logged errors"
fi

cd "$ROOT"
set +e
"$VENV/bin/pytest" -p no:cacheprovider --odoo-config="$ODOO_CONF" --odoo-database="$TEST_DB" \
    --ignore=tests/browser foreman_cycle_count/tests tests "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    die "pytest collected no test"
fi
exit "$status"
