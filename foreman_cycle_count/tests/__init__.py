# Odoo's test runner runs only the modules imported here: every test module is.
from . import test_accuracy
from . import test_classes
from . import test_counting
from . import test_discrepancy
from . import test_export
from . import test_plan
from . import test_report
from . import test_scheduling
from . import test_security
from . import test_stock_inventory
