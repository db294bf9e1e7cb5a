# Shared settings for the project's scripts (sourced, not run).
# Everything generated lives under .local/ (ignored by git): the virtualenv,
# the private PostgreSQL cluster, Odoo's data dir, logs and the config file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
VENV="$LOCAL/venv"
PGPORT="${FOREMAN_PGPORT:-54329}"
# The private cluster belongs to the 'postgres' system user (initdb refuses root). It lives in
# .local/ unless that user cannot reach this checkout (a clone under /root, which is mode 0700):
# then in the postgres user's home, in a folder named after the checkout's path.
cluster_dir() {
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
        local home
        home="$(getent passwd postgres | cut -d: -f6)"
        echo "${home:-/var/lib/postgresql}/foreman-clusters/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
    else
        echo "$LOCAL"
    fi
}
CLUSTER_DIR="$(cluster_dir)"
PGDATA="$CLUSTER_DIR/pgdata"
PGSOCK="$CLUSTER_DIR/pgsock"
PGBIN="${FOREMAN_PGBIN:-/usr/lib/postgresql/15/bin}"
ODOO_CONF="$LOCAL/odoo.conf"
ADDONS_UNUSED="$LOCAL/addons-unused"
DEV_DB="${FOREMAN_DB:-foreman}"
ODOO_PORT="${FOREMAN_HTTP_PORT:-8069}"
NODE_DIR="$LOCAL/node"
# What a real company's database has next to Inventory (the test database installs it):
# Invoicing (which brings stock_account) with the generic chart of accounts, Purchase, Manufacturing, Sales,
# expiry dates, OCA's inventory addons.
export COMPANY_PROFILE="account_invoicing,l10n_generic_coa,stock_account,purchase,mrp,sale_management,product_expiry,stock_inventory_discrepancy,stock_inventory_lockdown"
export PGHOST="$PGSOCK" PGPORT PGUSER=odoo
# Odoo 11 compiles its .less web assets by running lessc (installed by setup.sh)
export PATH="$NODE_DIR/node_modules/.bin:$PATH"

say() { printf '[foreman] %s\n' "$*" >&2; }
die() { printf '[foreman] ERROR: %s\n' "$*" >&2; exit 1; }

find_python37() {
    local candidate
    for candidate in /root/.pyenv/versions/3.7.16/bin/python "$(command -v python3.7 || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 7)' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    die "Python 3.7 not found: Odoo 11 needs it. Install it at /root/.pyenv/versions/3.7.16 (pyenv install 3.7.16) or put python3.7 on PATH."
}

odoo() { "$VENV/bin/python" "$ROOT/scripts/odoo-bin" -c "$ODOO_CONF" "$@"; }

# An Odoo log without ERROR or CRITICAL lines (the wheels' "Unmet dependencies" aside), else its errors and exit.
check_log_clean() {
    local log="$1" what="$2"
    if grep -E ' (ERROR|CRITICAL) ' "$log" | grep -v 'Unmet dependencies' >/dev/null; then
        grep -E -A20 ' (ERROR|CRITICAL) ' "$log" | grep -v 'Unmet dependencies' | head -200
        die "$what logged errors (full log: $log)"
    fi
}

# Debian packages a script needs, installed when missing (as root with apt-get), else a clear error.
apt_install() {
    local what="$1"; shift
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing $what from Debian ($*)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; } \
            || { say "could not install $what (apt-get install -y $*)"; return 1; }
    else
        say "$what is missing: install it (apt-get install -y $*)"; return 1
    fi
}

# The browser suite drives Debian's Chromium through its ChromeDriver (never a downloaded browser).
install_chromium() {
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
    apt_install "Chromium and ChromeDriver for the browser tests" chromium chromium-driver \
        || die "the browser tests need /usr/bin/chromium and /usr/bin/chromedriver (apt-get install -y chromium chromium-driver, as root)"
}

# PDF reports (the discrepancy report) need wkhtmltopdf; Odoo runs without it.
install_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    apt_install "wkhtmltopdf for PDF reports" wkhtmltopdf || { say "PDF reports will not print"; return 1; }
}

# The browser suite reads the printed report (pdftotext) and renders it for the README (pdftoppm).
install_poppler() {
    command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && return 0
    apt_install "poppler-utils to read PDF reports" poppler-utils
}
