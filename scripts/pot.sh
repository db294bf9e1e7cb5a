#!/usr/bin/env bash
# Regenerate foreman_cycle_count/i18n/foreman_cycle_count.pot from the dev database
# (run `make run` once first so that the database exists and the addon is current).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
odoo -d "$DEV_DB" -u foreman_cycle_count --stop-after-init --log-level=warn
# Odoo writes a template when no language is given, but only to a .po name
odoo -d "$DEV_DB" --i18n-export="$tmp/template.po" --modules=foreman_cycle_count --stop-after-init --log-level=warn
cp "$tmp/template.po" "$ROOT/foreman_cycle_count/i18n/foreman_cycle_count.pot"
say "foreman_cycle_count/i18n/foreman_cycle_count.pot updated"
