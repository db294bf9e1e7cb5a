# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models.cycle_count_plan import COUNTER


class CycleCountRecount(models.TransientModel):
    """Send counted lines to another counter for a second count."""

    _name = "foreman.cycle.count.recount"
    _description = "Send Lines to Recount"

    def _default_line_ids(self):
        return [(6, 0, self.env.context.get("active_ids", []))]

    line_ids = fields.Many2many(
        "foreman.cycle.count.line", "foreman_cycle_count_recount_line_rel", "wizard_id", "line_id",
        string="Lines", default=lambda self: self._default_line_ids())
    user_id = fields.Many2one(
        "res.users", "Recount By", required=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(COUNTER).id)])

    @api.multi
    def action_confirm(self):
        self.line_ids.action_send_to_recount(self.user_id.id)
        return {"type": "ir.actions.act_window_close"}
