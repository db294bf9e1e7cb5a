#!/usr/bin/env bash
# pylint + OCA's pylint-odoo (configured for 11.0 in .pylintrc) on the addon.
# pylint-odoo needs a newer Python than Odoo 11's: it gets its own virtualenv.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LINT_VENV="$LOCAL/lint-venv"
stamp="$LINT_VENV/.requirements.sha256"
want="$(sha256sum "$ROOT/requirements-lint.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    py=""
    for candidate in /root/.pyenv/versions/3.11.7/bin/python python3.11 python3.12 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null; then
            py="$(command -v "$candidate")"; break
        fi
    done
    [ -n "$py" ] || die "pylint-odoo needs Python 3.9 or newer; none found."
    say "creating the lint virtualenv with $py"
    rm -rf "$LINT_VENV"
    "$py" -m venv "$LINT_VENV"
    "$LINT_VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements-lint.txt"
    echo "$want" > "$stamp"
fi
cd "$ROOT"
"$LINT_VENV/bin/pylint" --rcfile=.pylintrc foreman_cycle_count
say "lint clean"
