# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockQuant(models.Model):
    """An index for the quant look-ups of counting and adjusting.

    Odoo 11 indexes no column of ``stock_quant`` that its look-ups filter on:
    ``_gather`` (every done move) and an adjustment line's theoretical quantity
    scan the whole table, once per move. A cycle's finalize validates thousands of
    moves, each looking up the quants of its product at its location, as Odoo's
    ``stock.move`` does for its own look-ups in ``init()``. The index stays
    until the addon is uninstalled (see ``uninstall_hook``).
    """

    _inherit = "stock.quant"

    def init(self):
        self.env.cr.execute("CREATE INDEX IF NOT EXISTS foreman_cycle_count_stock_quant_product_location_index "
                            "ON stock_quant (product_id, location_id)")
