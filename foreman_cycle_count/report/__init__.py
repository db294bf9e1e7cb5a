from . import cycle_count_discrepancy_report
