# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cycle_count_plan_id = fields.Many2one(
        "foreman.cycle.count.plan", string="Default Cycle Count Plan",
        help="The plan edited in Inventory settings and opened by 'Current Cycle'.")
