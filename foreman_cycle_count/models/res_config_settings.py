# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import scheduling
from .cycle_count_plan import COORDINATOR

# settings field -> field of the company's default plan
PLAN_FIELDS = {
    "cycle_count_category_ids": "category_ids",
    "cycle_count_ownership": "ownership",
    "cycle_count_location_ids": "location_ids",
    "cycle_count_timeframe": "timeframe",
    "cycle_count_date_rolling_start": "date_rolling_start",
    "cycle_count_counts_per_timeframe": "counts_per_timeframe",
    "cycle_count_cycles_per_count": "cycles_per_count",
    "cycle_count_reminder_days": "reminder_days",
    "cycle_count_blind": "blind_count",
}


class ResConfigSettings(models.TransientModel):
    """Inventory settings: the 'Cycle Counts' section edits the default plan."""

    _inherit = "res.config.settings"

    cycle_count_plan_id = fields.Many2one(
        "foreman.cycle.count.plan", string="Default Cycle Count Plan")
    cycle_count_category_ids = fields.Many2many(
        "product.category", string="Inventory Types Counted")
    cycle_count_ownership = fields.Selection(
        [("company", "Company-owned stock"),
         ("customer", "Customer-owned stock"),
         ("both", "Company and customer-owned stock")],
        string="Ownership Counted", default="both")
    cycle_count_location_ids = fields.Many2many(
        "stock.location", string="Locations Counted", domain=[("usage", "=", "internal")])
    cycle_count_timeframe = fields.Selection(
        [(scheduling.CALENDAR_YEAR, "Calendar Year"), (scheduling.ROLLING_YEAR, "Rolling Year")],
        string="Timeframe", default=scheduling.CALENDAR_YEAR)
    cycle_count_date_rolling_start = fields.Date("Rolling Year Start")
    cycle_count_counts_per_timeframe = fields.Integer("Counts per Timeframe", default=1)
    cycle_count_cycles_per_count = fields.Integer("Cycles per Count", default=4)
    cycle_count_reminder_days = fields.Integer("Reminder Lead (days)", default=3)
    cycle_count_blind = fields.Boolean("Blind Counting", default=True)
    cycle_count_target_rate = fields.Float(related="company_id.cycle_count_target_rate")
    cycle_count_class_window_days = fields.Integer(related="company_id.cycle_count_class_window_days")
    cycle_count_class_cutoff_a = fields.Float(related="company_id.cycle_count_class_cutoff_a")
    cycle_count_class_cutoff_b = fields.Float(related="company_id.cycle_count_class_cutoff_b")

    @api.model
    def get_values(self):
        res = super(ResConfigSettings, self).get_values()
        if not self._may_configure_cycle_counts():
            return res
        plan = self.env.user.company_id.cycle_count_plan_id
        res["cycle_count_plan_id"] = plan.id
        if plan:
            res.update(self._plan_settings(plan))
        return res

    @api.onchange("cycle_count_plan_id")
    def _onchange_cycle_count_plan_id(self):
        if self.cycle_count_plan_id:
            self.update(self._plan_settings(self.cycle_count_plan_id))

    @api.multi
    def set_values(self):
        """Save the cycle count section only when it changed, and never create a plan."""
        result = super(ResConfigSettings, self).set_values()
        if not self._may_configure_cycle_counts():
            return result
        company = self.env.user.company_id
        plan = self.cycle_count_plan_id
        if company.cycle_count_plan_id != plan:
            company.sudo().cycle_count_plan_id = plan
        if plan:
            current = self._plan_settings(plan)
            changed = {PLAN_FIELDS[setting]: self._plan_value(setting)
                       for setting in PLAN_FIELDS if self._setting_differs(setting, current[setting])}
            if changed:
                plan.write(changed)
        return result

    def _may_configure_cycle_counts(self):
        """The section belongs to cycle count Coordinators; other administrators save around it."""
        return self.env.user.has_group(COORDINATOR)

    @api.model
    def _plan_settings(self, plan):
        values = {}
        for setting, plan_field in PLAN_FIELDS.items():
            value = plan[plan_field]
            values[setting] = value.ids if isinstance(value, models.BaseModel) else value
        return values

    def _setting_differs(self, setting, current):
        value = self[setting]
        if isinstance(value, models.BaseModel):
            return set(value.ids) != set(current)
        return (value or False) != (current or False)

    def _plan_value(self, setting):
        value = self[setting]
        if isinstance(value, models.BaseModel):
            return [(6, 0, value.ids)]
        return value
