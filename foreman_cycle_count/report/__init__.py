from . import cycle_count_discrepancy_report
from . import cycle_count_report
from . import cycle_count_count_sheet
