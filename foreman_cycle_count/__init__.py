from . import controllers
from . import models
from . import report
from . import wizards


def uninstall_hook(cr, registry):
    """Drop the index the addon put on Odoo's quants (models/stock_quant.py)."""
    cr.execute("DROP INDEX IF EXISTS foreman_cycle_count_stock_quant_product_location_index")
