#!/usr/bin/env bash
# Browser suite (tests/browser): headless Chromium, driven by selenium, against a real Odoo
# that the suite starts on a throwaway database of the private cluster (dropped at the end).
#   scripts/browser.sh                     run it; extra arguments go to pytest
#   FOREMAN_SCREENSHOTS=1 scripts/browser.sh   also retake the addon README's screenshots
#                                          (foreman_cycle_count/static/description/*.png)
# A failing test leaves a screenshot and the page's HTML in .local/browser-artifacts/.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

cluster_was_running=no
"$ROOT/scripts/pg.sh" status >/dev/null 2>&1 && cluster_was_running=yes
# the virtualenv (selenium included), the cluster, Debian's chromium and chromedriver
"$ROOT/scripts/setup.sh" --browser
# the discrepancy report prints as PDF when wkhtmltopdf is there, else the suite checks its HTML
install_wkhtmltopdf && { install_poppler || true; }
cleanup() {
    [ "$cluster_was_running" = yes ] || "$ROOT/scripts/pg.sh" stop
}
trap cleanup EXIT

cd "$ROOT"
rm -rf "$LOCAL/browser-artifacts"
set +e
# pytest-odoo (-p odoo) would want a database of its own: these tests talk to Odoo over HTTP
FOREMAN_BROWSER_SUITE=1 "$VENV/bin/pytest" -p no:cacheprovider -p no:odoo -v tests/browser "$@"
status=$?
set -e
[ "$status" = 5 ] && die "pytest collected no browser test"
[ "$status" = 0 ] || say "browser suite failed: screenshots and pages in $LOCAL/browser-artifacts/"
exit "$status"
