# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, models


class DiscrepancyReport(models.AbstractModel):
    """Formal discrepancy report: adds the files attached to each discrepancy."""

    _name = "report.foreman_cycle_count.report_discrepancy"

    @api.model
    def get_report_values(self, docids, data=None):
        docs = self.env["foreman.cycle.count.discrepancy"].browse(docids)
        attachments = defaultdict(list)
        for attachment in self.env["ir.attachment"].search([
                ("res_model", "=", docs._name), ("res_id", "in", docs.ids)]):
            attachments[attachment.res_id].append(attachment)
        return {"doc_ids": docids, "doc_model": docs._name, "docs": docs, "attachments": attachments,
                "report_status": {disc.id: disc._report_status() for disc in docs}}
