from . import mail_thread
from . import cycle_count_plan
from . import cycle_count_segment
from . import cycle_count_cycle
from . import cycle_count_line
from . import cycle_count_discrepancy
from . import res_company
from . import res_config_settings
