# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

from ..lib import accuracy
from ..models.cycle_count_discrepancy import ROOT_CAUSES

# Ratios that a sum or an average of rows cannot give: computed from each group's sums.
RATIO_MEASURES = {"value_accuracy": ("abs_variance_value", "book_value")}


class CycleCountReport(models.Model):
    """Accuracy analysis: one row per counted line, with its discrepancy (an SQL view).

    Rates are shares of rows, so every grouping gives them: ``discrepancy_rate`` is
    100 on a line that differs and 0 on one that matches, averaged by read_group.
    A serial found away from its place differs at both places but counts once,
    as on the cycle (the line where it was found is not a discrepancy).
    """

    _name = "foreman.cycle.count.report"
    _description = "Cycle Count Accuracy Analysis"
    _auto = False
    _rec_name = "cycle_id"
    _order = "date desc, cycle_id desc"

    date = fields.Date("Cycle Start", readonly=True)
    date_finalized = fields.Datetime("Finalized On", readonly=True)
    cycle_id = fields.Many2one("foreman.cycle.count.cycle", readonly=True)
    cycle_state = fields.Selection(
        [("planned", "Planned"), ("in_progress", "Counting"), ("review", "To Review"),
         ("finalized", "Finalized"), ("cancelled", "Cancelled")], "Cycle Status", readonly=True)
    plan_id = fields.Many2one("foreman.cycle.count.plan", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    segment_id = fields.Many2one("foreman.cycle.count.segment", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    velocity_class_id = fields.Many2one("foreman.cycle.count.class", "Usage Class", readonly=True,
                                        help="The product's usage class today.")
    value_class_id = fields.Many2one("foreman.cycle.count.class", readonly=True,
                                     help="The product's value class today.")
    user_id = fields.Many2one("res.users", "Counter", readonly=True, help="Who counted the line.")
    root_cause = fields.Selection(ROOT_CAUSES, readonly=True)
    tier = fields.Selection([("minor", "Minor"), ("major", "Major")], readonly=True)
    discrepancy_state = fields.Selection(
        [("open", "Open"), ("under_investigation", "Under Investigation"), ("approved", "Approved"),
         ("resolved", "Resolved")], readonly=True)
    items_counted = fields.Integer(readonly=True)
    items_discrepant = fields.Integer("Items with Discrepancies", readonly=True)
    discrepancy_rate = fields.Float(
        "Discrepancy Rate (%)", readonly=True, group_operator="avg", digits=(16, 2),
        help="Items with discrepancies per 100 items counted.")
    target_rate = fields.Float(
        "Target Rate (%)", readonly=True, group_operator="avg", digits=(16, 2),
        help="The plan's target discrepancy rate (an average over several plans).")
    variance_value = fields.Float(readonly=True, help="Counted minus book quantity, at cost.")
    abs_variance_value = fields.Float(
        "Value Off", readonly=True, help="The value of the variances, losses and gains alike.")
    book_value = fields.Float(readonly=True, help="What the counted items were worth on the books.")
    value_accuracy = fields.Float(
        "Value Accuracy (%)", readonly=True, digits=(16, 2),
        help="Share of the book value confirmed by the counts: 100 minus the value off per 100 of book value.")

    @api.model_cr
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("CREATE VIEW %s AS (%s)" % (self._table, self._query()))

    def _query(self):
        """The view's SELECT: counted lines, their discrepancy, cycle and product."""
        # the line where a relocated serial was found: counted, but not a second discrepancy
        found_elsewhere = "COALESCE(disc.resolution_type = 'relocation' AND disc.variance_qty > 0, FALSE)"
        discrepant = "(line.variance_qty <> 0 AND NOT %s)" % found_elsewhere
        return """
            SELECT line.id AS id, cycle.date_start AS date, cycle.date_finalized, line.cycle_id,
                   cycle.state AS cycle_state, line.plan_id, line.company_id, line.segment_id,
                   line.location_id, line.product_id, tmpl.categ_id,
                   pp.cycle_count_velocity_class_id AS velocity_class_id,
                   pp.cycle_count_value_class_id AS value_class_id,
                   COALESCE(line.counted_by_id, line.user_id) AS user_id,
                   disc.root_cause, disc.tier, disc.state AS discrepancy_state,
                   1 AS items_counted,
                   CASE WHEN %(discrepant)s THEN 1 ELSE 0 END AS items_discrepant,
                   CASE WHEN %(discrepant)s THEN 100.0 ELSE 0.0 END AS discrepancy_rate,
                   plan.target_discrepancy_rate AS target_rate,
                   line.variance_qty * line.unit_cost AS variance_value,
                   CASE WHEN %(found_elsewhere)s THEN 0.0 ELSE ABS(line.variance_qty * line.unit_cost) END
                       AS abs_variance_value,
                   line.system_qty * line.unit_cost AS book_value,
                   CASE WHEN line.system_qty * line.unit_cost > 0
                        THEN GREATEST(0.0, 100.0 - 100.0 * ABS(line.variance_qty) / line.system_qty)
                        WHEN line.variance_qty * line.unit_cost <> 0 AND NOT %(found_elsewhere)s THEN 0.0
                        ELSE 100.0 END AS value_accuracy
              FROM foreman_cycle_count_line line
              JOIN foreman_cycle_count_cycle cycle ON cycle.id = line.cycle_id
              JOIN foreman_cycle_count_plan plan ON plan.id = cycle.plan_id
              JOIN product_product pp ON pp.id = line.product_id
              JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
              LEFT JOIN foreman_cycle_count_discrepancy disc ON disc.line_id = line.id
             WHERE line.is_counted""" % {"discrepant": discrepant, "found_elsewhere": found_elsewhere}

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Ratio measures are computed from each group's sums (a sum of ratios means nothing)."""
        ratios = [name for name in RATIO_MEASURES if name in (fields or [])]
        extra = [part for name in ratios for part in RATIO_MEASURES[name] if part not in fields]
        groups = super(CycleCountReport, self).read_group(
            domain, list(fields or []) + extra, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
        for group in groups:
            for name in ratios:
                off, book = RATIO_MEASURES[name]
                group[name] = accuracy.value_accuracy(group.get(off) or 0.0, group.get(book) or 0.0)
        return groups
