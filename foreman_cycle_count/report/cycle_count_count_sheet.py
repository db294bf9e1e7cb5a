# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import OrderedDict

from werkzeug.urls import url_quote

from odoo import api, models


class CountSheetReport(models.AbstractModel):
    """Printable count sheet: each counter's lines of the cycle, in walking order, with room for the count."""

    _name = "report.foreman_cycle_count.report_count_sheet"

    @api.model
    def get_report_values(self, docids, data=None):
        cycles = self.env["foreman.cycle.count.cycle"].browse(docids)
        sheets = []
        for cycle in cycles:
            # read as the user: a counter prints their own lines only
            lines = self.env["foreman.cycle.count.line"].search([("cycle_id", "=", cycle.id)])
            per_counter = OrderedDict()
            for line in lines:
                per_counter.setdefault(line.user_id, []).append(line)
            for user, user_lines in per_counter.items():
                sheets.append({"cycle": cycle, "user": user, "lines": user_lines})
        return {"doc_ids": docids, "doc_model": cycles._name, "docs": cycles, "sheets": sheets,
                "barcode_src": self._barcode_src}

    @staticmethod
    def _barcode_src(line):
        """Image of the code a scanner reads for the line: its serial or lot, else the product's barcode."""
        value = line.lot_id.name or line.product_id.barcode
        if not value:
            return None
        return "/report/barcode/?type=Code128&value=%s&width=600&height=100&humanreadable=1" % url_quote(value)
