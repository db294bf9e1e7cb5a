# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.cycle_count_discrepancy import ROOT_CAUSES


class CycleCountDiscrepancyBulk(models.TransientModel):
    """Set root cause, resolution or status on many discrepancies at once."""

    _name = "foreman.cycle.count.discrepancy.bulk"
    _description = "Edit Discrepancies in Bulk"

    def _default_discrepancy_ids(self):
        return [(6, 0, self.env.context.get("active_ids", []))]

    discrepancy_ids = fields.Many2many(
        "foreman.cycle.count.discrepancy", "foreman_cycle_count_bulk_discrepancy_rel", "wizard_id",
        "discrepancy_id", string="Discrepancies", default=lambda self: self._default_discrepancy_ids())
    root_cause = fields.Selection(ROOT_CAUSES)
    root_cause_note = fields.Text("Explanation")
    resolution = fields.Text("Resolution Taken")
    state = fields.Selection(
        [("open", "Open"), ("under_investigation", "Under Investigation"), ("resolved", "Resolved")])

    @api.multi
    def action_apply(self):
        self.discrepancy_ids._check_investigator_rights()
        vals = {name: self[name] for name in ("root_cause", "root_cause_note", "resolution", "state")
                if self[name]}
        if not vals:
            raise UserError(_("Choose at least one thing to change."))
        if self.state in ("under_investigation", "resolved"):
            vals.update(investigator_id=self.env.uid, date_investigated=fields.Date.context_today(self))
        self.discrepancy_ids.write(vals)
        return {"type": "ir.actions.act_window_close"}
