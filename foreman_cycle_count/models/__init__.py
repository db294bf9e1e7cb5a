from . import mail_thread
# before the plan: a new plan column's default reads the company's (upgrades fill it from there)
from . import res_company
from . import cycle_count_class
from . import cycle_count_plan
from . import cycle_count_segment
from . import cycle_count_cycle
from . import cycle_count_line
from . import cycle_count_discrepancy
from . import cycle_count_hotspot
from . import cycle_count_cycle_accuracy
from . import product
from . import cycle_count_export
from . import cycle_count_import
from . import stock_inventory
from . import stock_quant
from . import res_config_settings
