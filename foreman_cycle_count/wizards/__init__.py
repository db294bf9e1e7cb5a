from . import cycle_count_scan
from . import cycle_count_recount
from . import cycle_count_discrepancy_bulk
from . import cycle_count_hotspot_apply
from . import cycle_count_import
