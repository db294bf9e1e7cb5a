# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class CycleCountImport(models.TransientModel):
    """Import Counts: upload the exported workbook (or a CSV of its columns) filled in offline."""

    _name = "foreman.cycle.count.import"
    _description = "Import Offline Counts"

    cycle_id = fields.Many2one(
        "foreman.cycle.count.cycle", required=True, ondelete="cascade",
        default=lambda self: self.env.context.get("default_cycle_id"))
    data_file = fields.Binary("File", required=True, help="The cycle's Export Results workbook, or a CSV file "
                              "with its 'Line ID' and 'Counted Quantity' columns.")
    filename = fields.Char()
    result = fields.Char(readonly=True)

    @api.multi
    def action_import(self):
        self.ensure_one()
        outcome = self.cycle_id.import_counts(self.data_file, self.filename)
        self.write({"result": _("%(applied)d counts imported; %(unchanged)d rows were already counted so.") % outcome})
        return {
            "type": "ir.actions.act_window", "name": _("Import Counts"), "res_model": self._name,
            "res_id": self.id, "view_mode": "form", "target": "new",
        }
