# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    cycle_count_plan_id = fields.Many2one(
        "foreman.cycle.count.plan", string="Default Cycle Count Plan",
        help="The plan edited in Inventory settings and opened by 'Current Cycle'.")
    cycle_count_target_rate = fields.Float(
        "Target Discrepancy Rate (%)", default=5.0,
        help="Offered to new cycle count plans: items with a discrepancy per 100 items counted.")
    cycle_count_class_window_days = fields.Integer(
        "Classification Window (days)", default=365,
        help="Products are classed by their outgoing moves over this many days.")
    cycle_count_class_cutoff_a = fields.Float(
        "Class A Cut-off (%)", default=80.0,
        help="The products making this share of all outgoing moves (or of the stock value) are class A.")
    cycle_count_class_cutoff_b = fields.Float(
        "Class B Cut-off (%)", default=95.0,
        help="Up to this share, products are class B; the rest are class C.")

    @api.constrains("cycle_count_class_window_days", "cycle_count_class_cutoff_a", "cycle_count_class_cutoff_b",
                    "cycle_count_target_rate")
    def _check_cycle_count_classes(self):
        for company in self:
            if company.cycle_count_class_window_days < 1:
                raise ValidationError(_("The classification window must be at least one day."))
            if not 0 < company.cycle_count_class_cutoff_a <= company.cycle_count_class_cutoff_b <= 100:
                raise ValidationError(_(
                    "Class cut-offs must rise from A to B, between 0 and 100 % (for example 80 and 95)."))
            if not 0 <= company.cycle_count_target_rate <= 100:
                raise ValidationError(_("The target discrepancy rate is a percentage, between 0 and 100."))
