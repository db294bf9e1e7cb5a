#!/usr/bin/env bash
# Benchmark a full cycle count (start, count, submit, approve, finalize) over
# a generated warehouse, optionally against Odoo's native stock.inventory.
# Runs against a throwaway database on the private cluster: created here
# (foreman_bench_<pid>), dropped on exit. Arguments go to bench/bench_cycle_count.py
# (--quants N, --bulk, --native, --native-quants N, --json FILE ...; see --help).
# FOREMAN_BENCH_KEEP_DB=1 keeps the database for inspection.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for arg in "$@"; do
    case "$arg" in
        -h|--help) exec "$VENV/bin/python" "$ROOT/bench/bench_cycle_count.py" --help ;;
    esac
done

cluster_was_running=no
"$ROOT/scripts/pg.sh" status >/dev/null 2>&1 && cluster_was_running=yes
"$ROOT/scripts/setup.sh"
BENCH="$ROOT/bench/bench_cycle_count.py"
"$VENV/bin/python" "$BENCH" -c "$ODOO_CONF" -d check --check-args "$@" || exit 2
BENCH_DB="foreman_bench_$$"
db_created=no
bench_pid=

cleanup() {
    local status=$?
    if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
        kill -TERM "$bench_pid" 2>/dev/null || true     # it stops its worker process
        wait "$bench_pid" 2>/dev/null || true
    fi
    if [ "$db_created" = yes ]; then
        if [ "${FOREMAN_BENCH_KEEP_DB:-0}" = 1 ]; then
            say "keeping database '$BENCH_DB' (FOREMAN_BENCH_KEEP_DB=1): dropdb -U odoo $BENCH_DB when done"
        else
            dropdb -U odoo --if-exists --force "$BENCH_DB" || say "could not drop '$BENCH_DB'"
        fi
    fi
    # Leave the cluster as we found it, and never stop it under someone else's
    # feet: a test run or the dev server may have connected since we started it.
    if [ "$cluster_was_running" = no ]; then
        local clients
        clients="$(psql -U odoo -d postgres -tAc "SELECT count(*) FROM pg_stat_activity
                    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null || echo 1)"
        if [ "$clients" = 0 ]; then
            "$ROOT/scripts/pg.sh" stop
        else
            say "leaving PostgreSQL running: other clients are connected"
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --profile company: the database also has what a real company runs (scripts/common.sh)
modules=foreman_cycle_count
previous=
for arg in "$@"; do
    case "$previous=$arg" in
        --profile=company|*=--profile=company) modules="foreman_cycle_count,$COMPANY_PROFILE" ;;
    esac
    previous="$arg"
done
say "installing $modules without demo data into '$BENCH_DB'"
log="$LOCAL/bench-install-$$.log"
db_created=yes
odoo -d "$BENCH_DB" -i "$modules" --without-demo=all --stop-after-init \
    --log-level=warn --logfile="$log" \
    || { cat "$log" >&2; die "installing the addon failed (log: $log)"; }
if grep -E ' (ERROR|CRITICAL) ' "$log" | grep -v 'Unmet dependencies' >/dev/null; then
    cat "$log" >&2; die "installing the addon logged errors (log: $log)"
fi
rm -f "$log"

cd "$ROOT"
# in the background, so that a signal to this script reaches the trap (and stops it) at once
"$VENV/bin/python" "$BENCH" -c "$ODOO_CONF" -d "$BENCH_DB" "$@" &
bench_pid=$!
wait "$bench_pid" || die "the benchmark failed (see above)"
bench_pid=
