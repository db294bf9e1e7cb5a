# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from contextlib import contextmanager

from odoo import api
from odoo.tests.common import SavepointCase

TODAY = datetime.date(2026, 11, 25)
# a calendar generated on the first day of the year plans the whole year
YEAR_START = datetime.date(2026, 1, 1)


def rpc(model, method, *args, **kwargs):
    """Call a model method the way an RPC client does (ids and plain values)."""
    return api.call_kw(model, method, list(args), kwargs)


class CycleCountCase(SavepointCase):
    """Fixtures on the demo facility (Warehouse-A) shared by the tests."""

    @classmethod
    def setUpClass(cls):
        super(CycleCountCase, cls).setUpClass()
        ref = cls.env.ref
        demo = "foreman_cycle_count.demo_"
        cls.plan = ref(demo + "plan_warehouse_a")
        cls.tech1 = ref(demo + "user_tech1")
        cls.tech2 = ref(demo + "user_tech2")
        cls.tech3 = ref(demo + "user_tech3")
        cls.lead = ref(demo + "user_lead")
        cls.coord = ref(demo + "user_coord")  # no e-mail address
        cls.ops = ref(demo + "user_ops")
        cls.finance = ref(demo + "user_finance")
        cls.hashboard = ref(demo + "product_hashboard_s19")
        cls.antminer = ref(demo + "product_antminer_s19")
        cls.cable = ref(demo + "product_cable_c13")
        cls.spares = ref(demo + "location_spares")
        cls.repair_bay = ref(demo + "location_repair_bay")
        cls.row1 = ref(demo + "location_row1")
        cls.row1_rack1 = ref(demo + "location_row1_rack1")
        cls.row3_rack1 = ref(demo + "location_row3_rack1")
        cls.Cycle = cls.env["foreman.cycle.count.cycle"]
        cls.Line = cls.env["foreman.cycle.count.line"]
        cls.Quant = cls.env["stock.quant"]

    @classmethod
    def start_single_cycle(cls):
        """One cycle over the whole plan scope, started by the warehouse lead."""
        cls.plan.cycles_per_count = 1
        cls.plan._generate_calendar(TODAY)
        cycle = cls.plan.cycle_ids.filtered(lambda c: c.state == "planned")
        cycle.sudo(cls.lead).action_start()
        return cycle

    def setUp(self):
        super(CycleCountCase, self).setUp()
        # Odoo 11 keeps the record cache across a rollback to savepoint
        self.env.clear()

    @contextmanager
    def refused(self, exception, regex=None):
        """Expect an error and roll back whatever the failed call wrote, as RPC does."""
        with (self.assertRaisesRegex(exception, regex) if regex else self.assertRaises(exception)):
            try:
                with self.env.cr.savepoint():
                    yield
            finally:
                self.env.clear()

    def on_hand(self, product, location, lot=None):
        quants = self.Quant.search([("product_id", "=", product.id), ("location_id", "=", location.id)]
                                   + ([("lot_id", "=", lot.id)] if lot else []))
        return sum(quants.mapped("quantity"))

    @classmethod
    def lines_of(cls, cycle, product, location=None):
        domain = [("cycle_id", "=", cycle.id), ("product_id", "=", product.id)]
        if location:
            domain.append(("location_id", "=", location.id))
        return cls.Line.search(domain)

    def count_as_books(self, cycle, except_lines=None):
        """Count every line of the cycle at its system quantity (as its counter)."""
        todo = cycle.line_ids.filtered(lambda line: not line.is_counted) - (except_lines or self.Line)
        by_qty = {}
        for line in todo:
            by_qty.setdefault(line.system_qty, self.Line)
            by_qty[line.system_qty] |= line
        for qty, lines in by_qty.items():
            lines.sudo(self.lead).write({"counted_qty": qty})

    def document(self, discs, user, cause="miscount"):
        """The investigation written up: root cause, its summary and the resolution taken."""
        discs.sudo(user).write({"root_cause": cause, "root_cause_note": "Checked the shelf against the tickets.",
                                "resolution": "Adjust the books to the count."})

    def count_requests(self, cycle, user=None):
        """The Cycle Count activities of the cycle (of one counter)."""
        kind = self.env.ref("foreman_cycle_count.mail_activity_type_count")
        return cycle.activity_ids.filtered(
            lambda a: a.activity_type_id == kind and (user is None or a.user_id == user))

    def count(self, line, qty, user=None):
        line.sudo(user or line.user_id).write({"counted_qty": qty})
