from . import test_scheduling
from . import test_plan
from . import test_counting
from . import test_discrepancy
