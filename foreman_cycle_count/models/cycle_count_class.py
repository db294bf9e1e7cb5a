# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CycleCountClass(models.Model):
    """An A/B/C class of products, with the count frequency suggested for it."""

    _name = "foreman.cycle.count.class"
    _description = "Cycle Count Product Class"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="A, B or C: the letter the classification gives.")
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    suggested_counts_per_timeframe = fields.Integer(
        "Suggested Counts per Timeframe", default=1,
        help="Offered to a new plan that selects this class.")
    suggested_cycles_per_count = fields.Integer("Suggested Cycles per Count", default=1)

    _sql_constraints = [("code_unique", "unique(code)", "A class code is used once.")]

    @api.constrains("suggested_counts_per_timeframe", "suggested_cycles_per_count")
    def _check_suggestion(self):
        for product_class in self:
            counts, cycles = product_class.suggested_counts_per_timeframe, product_class.suggested_cycles_per_count
            if counts < 1 or cycles < 1 or counts * cycles > 365:
                raise ValidationError(_(
                    "Class %s: suggest at least one count of at least one cycle, and at most 365 cycles a year.")
                    % product_class.name)


class CycleCountClassHistory(models.Model):
    """A product's class at a refresh where it changed: how it moved and what its stock was worth."""

    _name = "foreman.cycle.count.class.history"
    _description = "Cycle Count Product Class History"
    _order = "date desc, id desc"

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    velocity_class_id = fields.Many2one("foreman.cycle.count.class", "Usage Class", required=True)
    value_class_id = fields.Many2one("foreman.cycle.count.class", required=True)
    move_count = fields.Integer("Outgoing Moves", help="Done moves out of internal locations in the window.")
    stock_value = fields.Float(help="On-hand quantity in internal locations times the product's cost.")
