# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .cycle_count_plan import COORDINATOR, COUNTER


def check_may_adjust_stock(env):
    """Counters count; they never change stock through an inventory adjustment of their own.

    The Counter group implies Stock User (for the Inventory menu), whom Odoo lets
    create and validate adjustments. Coordinators and Inventory Managers may.
    """
    user = env.user
    if user.has_group(COUNTER) and not (user.has_group(COORDINATOR) or user.has_group("stock.group_stock_manager")):
        raise AccessError(_("Cycle count Counters count stock; they cannot make or validate inventory "
                            "adjustments. Ask an inventory coordinator."))


class StockInventory(models.Model):
    """A cycle's adjustment is an ordinary Odoo inventory adjustment, validated by Odoo.

    Its lines are created and validated through Odoo's own methods (``create``,
    ``action_done``, ``_generate_moves``, ``stock.move._action_done``), so that
    whatever is installed applies to it as to an adjustment made by hand:
    valuation entries, removal strategies, expiry dates, packages and
    reservations, OCA's lockdown and discrepancy rules, any ``action_done``
    override.
    """

    _inherit = "stock.inventory"

    @api.model
    def create(self, vals):
        check_may_adjust_stock(self.env)
        return super(StockInventory, self).create(vals)

    @api.multi
    def write(self, vals):
        check_may_adjust_stock(self.env)
        return super(StockInventory, self).write(vals)

    @api.multi
    def action_start(self):
        check_may_adjust_stock(self.env)
        return super(StockInventory, self).action_start()

    @api.multi
    def action_done(self):
        check_may_adjust_stock(self.env)
        return super(StockInventory, self).action_done()

    def _post_counted_variances(self, line_values):
        """Write the lines of this (confirmed) adjustment and validate it.

        ``line_values``: dicts as ``foreman.cycle.count.cycle._prepare_adjustment_line``
        makes them.
        """
        self.ensure_one()
        self._create_counted_lines(line_values)
        return self._validate_counted_variances()

    def _create_counted_lines(self, line_values):
        """The adjustment's lines, written in one ``write`` as Odoo's ``action_start`` writes its own.

        Stored computations over the whole adjustment (OCA stock_inventory_discrepancy's
        counts of lines over their threshold) then run once, not once per line.
        """
        self.write({"line_ids": [(0, 0, vals) for vals in line_values]})
        return self.line_ids

    def _validate_counted_variances(self):
        """Odoo's Validate, without the adjustment form's context.

        The cycle count's approvals are the decision to post: OCA
        stock_inventory_discrepancy's form-only ``normal_view`` key, which parks an
        adjustment over its thresholds as pending, never reaches it.
        """
        return self.with_context(normal_view=False).action_done()


class StockInventoryLine(models.Model):
    """An adjustment line of a cycle count says why it changes the books."""

    _inherit = "stock.inventory.line"

    cycle_count_reason = fields.Char(
        readonly=True,
        help="Why a cycle count changes this stock: the cycle, the discrepancy and its root cause. "
             "It names the adjustment's stock move, and so the valuation entry's label.")

    @api.model
    def create(self, values):
        check_may_adjust_stock(self.env)
        return super(StockInventoryLine, self).create(values)

    @api.multi
    def write(self, values):
        check_may_adjust_stock(self.env)
        return super(StockInventoryLine, self).write(values)

    def _get_move_values(self, qty, location_id, location_dest_id, out):
        values = super(StockInventoryLine, self)._get_move_values(qty, location_id, location_dest_id, out)
        if self.cycle_count_reason:
            values["name"] = self.cycle_count_reason
        return values
