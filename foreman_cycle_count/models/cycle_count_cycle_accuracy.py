# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import accuracy
from ..lib import discrepancy as discrepancy_lib
from .cycle_count_plan import COORDINATOR


class CycleCountCycle(models.Model):
    """Each cycle's rate against its plan's target and the previous finalized cycle; hotspots on finalizing."""

    _inherit = "foreman.cycle.count.cycle"

    target_discrepancy_rate = fields.Float(
        related="plan_id.target_discrepancy_rate", readonly=True, string="Target Rate (%)")
    # rates come from the book figures: hidden from counters like the cycle's own rate
    previous_discrepancy_rate = fields.Float(
        "Previous Rate (%)", compute="_compute_rate_trend", digits=(16, 2), groups=COORDINATOR,
        help="Discrepancy rate of the plan's finalized cycle before this one.")
    rate_trend = fields.Selection(
        [(accuracy.BETTER, "Better"), (accuracy.WORSE, "Worse"), (accuracy.STEADY, "Steady")],
        "Trend", compute="_compute_rate_trend", groups=COORDINATOR,
        help="This cycle's discrepancy rate compared with the previous finalized cycle of its plan.")
    is_above_target = fields.Boolean(
        "Above Target", compute="_compute_rate_trend", groups=COORDINATOR,
        help="More items with discrepancies per 100 counted than the plan's target.")

    def _compute_rate_trend(self):
        plans = self.mapped("plan_id")
        finalized = self.search([("plan_id", "in", plans.ids), ("state", "=", "finalized")],
                                order="date_start, id")
        rates = {group["cycle_id"][0]: discrepancy_lib.discrepancy_rate(
            group["items_discrepant"], group["items_counted"])
            for group in self.env["foreman.cycle.count.report"].read_group(
                [("cycle_id", "in", (finalized | self).ids)], ["cycle_id", "items_counted", "items_discrepant"],
                ["cycle_id"])}
        for cycle in self:
            earlier = finalized.filtered(lambda other, cycle=cycle: other.plan_id == cycle.plan_id and (
                other.date_start, other.id) < (cycle.date_start, cycle.id))
            previous = rates.get(earlier[-1].id) if earlier else None
            cycle.previous_discrepancy_rate = previous or 0.0
            cycle.rate_trend = accuracy.rate_trend(previous, rates.get(cycle.id)) or False
            cycle.is_above_target = rates.get(cycle.id, 0.0) > cycle.plan_id.target_discrepancy_rate

    @api.multi
    def action_finalize(self):
        result = super(CycleCountCycle, self).action_finalize()
        self.mapped("plan_id")._refresh_hotspots()
        return result

    @api.multi
    def action_view_accuracy(self):
        """The analysis of this cycle's plan, cycle by cycle."""
        self.ensure_one()
        action = self.env.ref("foreman_cycle_count.foreman_cycle_count_report_action").read()[0]
        action["domain"] = [("plan_id", "=", self.plan_id.id)]
        action["context"] = {"search_default_finalized": 1}
        return action
