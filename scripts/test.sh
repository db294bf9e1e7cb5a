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

# The company profile: the apps a real company runs next to Inventory, and OCA's inventory addons
# (requirements-oca.txt), installed first; every test proves the addon next to them.
say "installing the company profile ($COMPANY_PROFILE) with demo data into '$TEST_DB'"
log="$LOCAL/test-install.log"
odoo -d "$TEST_DB" -i "$COMPANY_PROFILE" --stop-after-init --log-level=warn --logfile="$log" \
    || { cat "$log"; die "installing the company profile failed"; }
check_log_clean "$log" "installing the company profile"

# Odoo's own test runner (what integrators and OCA's CI run): installing the addon with
# --test-enable runs every test module that tests/__init__.py imports. Its log must show no failure,
# and as many tests run as the modules define.
say "installing foreman_cycle_count into '$TEST_DB' with Odoo's test runner (--test-enable)"
log="$LOCAL/test-odoo-runner.log"
odoo -d "$TEST_DB" -i foreman_cycle_count --test-enable --stop-after-init --log-level=warn \
    --log-handler=odoo.addons.foreman_cycle_count.tests:INFO --logfile="$log" \
    || { cat "$log"; die "installing the addon with Odoo's test runner failed"; }
check_log_clean "$log" "Odoo's test runner"
ran="$(grep -oE 'Ran [0-9]+ tests?' "$log" | awk '{total += $2} END {print total + 0}')"
defined="$(cat "$ROOT"/foreman_cycle_count/tests/test_*.py | grep -cE '^    def test_')"
[ "$ran" = "$defined" ] || { grep -E 'running tests|Ran ' "$log"; die "Odoo's test runner ran $ran tests of $defined"; }
say "Odoo's test runner: $ran passed, 0 failed"

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
