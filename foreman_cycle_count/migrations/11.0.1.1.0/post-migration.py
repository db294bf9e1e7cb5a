# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.1.0: adjustment lines say why a cycle count changed the books (``cycle_count_reason``).

The adjustments of cycles finalized before get their reasons from the cycles'
discrepancies, through the ORM. Their stock moves keep the names they were
posted with: they are the books' history.
"""
from odoo import SUPERUSER_ID, api


def fill_adjustment_reasons(env):
    cycles = env["foreman.cycle.count.cycle"].search([("inventory_id", "!=", False)])
    for cycle in cycles:
        reasons = cycle._adjustment_reasons(cycle._lines_to_adjust())
        by_text = {}
        for line in cycle.inventory_id.line_ids.filtered(lambda line: not line.cycle_count_reason):
            key = (line.product_id.id, line.location_id.id, line.prod_lot_id.id, line.partner_id.id)
            text = cycle._adjustment_reason_text(reasons.get(key))
            by_text[text] = by_text.get(text, line.browse()) | line
        for text, lines in by_text.items():
            lines.write({"cycle_count_reason": text})


def migrate(cr, version):
    if not version:
        return
    fill_adjustment_reasons(api.Environment(cr, SUPERUSER_ID, {}))
