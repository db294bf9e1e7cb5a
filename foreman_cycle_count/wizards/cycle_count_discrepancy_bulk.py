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
    root_cause_note = fields.Text("Investigation Summary")
    resolution = fields.Text("Resolution Taken")
    state = fields.Selection(
        [("open", "Open"), ("under_investigation", "Under Investigation"), ("resolved", "Resolved")])

    @api.multi
    def action_apply(self):
        discrepancies = self.discrepancy_ids
        discrepancies._check_investigator_rights()
        vals = {name: self[name] for name in ("root_cause", "root_cause_note", "resolution") if self[name]}
        if not vals and not self.state:
            raise UserError(_("Choose at least one thing to change."))
        if vals:
            discrepancies.write(vals)
        # a status goes through its workflow step, which checks what it needs
        if self.state == "resolved":
            discrepancies.action_resolve()
        elif self.state == "under_investigation":
            discrepancies.action_mark_under_investigation()
        elif self.state == "open":
            discrepancies.action_reopen()
        return {"type": "ir.actions.act_window_close"}
