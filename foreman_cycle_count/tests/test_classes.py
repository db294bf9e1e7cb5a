# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A/B/C classes from a generated move history, and plans and segments that select by class."""
import datetime

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from .common import TODAY, YEAR_START, CycleCountCase


class ClassCase(CycleCountCase):
    """Five products at one location, with a hand-made year of moves and stock values.

    ========  ==============  ===================  =============  ==================
    product   outgoing moves  running share before  stock value    running share before
    ========  ==============  ===================  =============  ==================
    p1        50              0 %  -> A            1 x 10 = 10    99 % -> C
    p2        30              50 % -> A            3 x 10 = 30    96 % -> C
    p3        10              80 % -> B            6 x 10 = 60    90 % -> B
    p4        6               90 % -> B            4 x 50 = 200   70 % -> A
    p5        4               96 % -> C            7 x 100 = 700  0 %  -> A
    ========  ==============  ===================  =============  ==================

    Moves that do not count: p5's 40 moves of over a year ago, p4's 20 internal
    transfers and p3's 20 inventory losses.
    """

    @classmethod
    def setUpClass(cls):
        super(ClassCase, cls).setUpClass()
        cls.env["foreman.cycle.count.plan"].search([]).write({"active": False})
        stock = cls.env.ref("stock.stock_location_stock")
        Location = cls.env["stock.location"]
        cls.shelf = Location.create({"name": "Class Shelf", "location_id": stock.id, "usage": "internal"})
        cls.shelf2 = Location.create({"name": "Class Shelf 2", "location_id": stock.id, "usage": "internal"})
        cls.category = cls.env["product.category"].create({"name": "Classified"})
        cls.p = {}
        for name, qty, cost in (("p1", 1, 10), ("p2", 3, 10), ("p3", 6, 10), ("p4", 4, 50), ("p5", 7, 100)):
            cls.p[name] = cls.env["product.product"].create({
                "name": "Class %s" % name, "type": "product", "categ_id": cls.category.id, "standard_price": cost})
            cls.Quant._update_available_quantity(cls.p[name], cls.shelf, qty)
        customers = cls.env.ref("stock.stock_location_customers")
        loss = cls.env.ref("stock.location_inventory")
        recent, old = TODAY - datetime.timedelta(days=30), TODAY - datetime.timedelta(days=400)
        for name, count in (("p1", 50), ("p2", 30), ("p3", 10), ("p4", 6), ("p5", 4)):
            cls.history(cls.p[name], customers, recent, count)
        cls.history(cls.p["p5"], customers, old, 40)
        cls.history(cls.p["p4"], cls.shelf2, recent, 20)
        cls.history(cls.p["p3"], loss, recent, 20)
        cls.products = cls.env["product.product"].browse([cls.p[name].id for name in sorted(cls.p)])
        cls.company = cls.env.ref("base.main_company")
        cls.classes = {code: cls.env.ref("foreman_cycle_count.cycle_count_class_%s" % code.lower()) for code in "ABC"}
        cls.result = cls.env["product.product"]._classify_cycle_count(cls.company, TODAY, cls.products)

    @classmethod
    def history(cls, product, destination, date, count):
        """``count`` done moves of one unit of ``product`` from the shelf, on ``date`` (the history only)."""
        for _index in range(count):
            cls.env["stock.move"].create({
                "name": product.name, "product_id": product.id, "product_uom": product.uom_id.id,
                "product_uom_qty": 1, "location_id": cls.shelf.id, "location_dest_id": destination.id,
                "state": "done", "date": fields.Datetime.to_string(datetime.datetime.combine(date, datetime.time(12)))})

    def classes_of(self, field):
        return {name: product[field].code for name, product in self.p.items()}


class TestClassification(ClassCase):

    def test_usage_and_value_classes_match_the_hand_computed_ones(self):
        self.assertEqual(self.classes_of("cycle_count_velocity_class_id"),
                         {"p1": "A", "p2": "A", "p3": "B", "p4": "B", "p5": "C"})
        self.assertEqual(self.classes_of("cycle_count_value_class_id"),
                         {"p1": "C", "p2": "C", "p3": "B", "p4": "A", "p5": "A"})
        self.assertEqual(self.result[self.p["p1"].id], ("A", "C"))

    def test_history_keeps_each_change(self):
        first = self.p["p5"].cycle_count_class_history_ids
        self.assertEqual(len(first), 1)
        self.assertEqual((first.move_count, first.stock_value, first.velocity_class_id.code), (4, 700.0, "C"))
        # p5 now moves most: 100 more moves; running shares before: p5 0, p1 50, p2 75, p3 90, p4 95 %
        self.history(self.p["p5"], self.env.ref("stock.stock_location_customers"), TODAY, 100)
        self.env["product.product"]._classify_cycle_count(self.company, TODAY, self.products)
        self.assertEqual(self.classes_of("cycle_count_velocity_class_id"),
                         {"p1": "A", "p2": "A", "p3": "B", "p4": "C", "p5": "A"})
        changed = {name for name, product in self.p.items() if len(product.cycle_count_class_history_ids) == 2}
        self.assertEqual(changed, {"p4", "p5"}, "a line only where a class changed")
        self.assertEqual(self.p["p5"].cycle_count_class_history_ids[0].velocity_class_id.code, "A")

    def test_window_and_cutoffs_come_from_the_company(self):
        self.company.write({"cycle_count_class_window_days": 500, "cycle_count_class_cutoff_a": 50.0,
                            "cycle_count_class_cutoff_b": 90.0})
        self.env["product.product"]._classify_cycle_count(self.company, TODAY, self.products)
        # with p5's old moves: 50, 30, 10, 6, 44 -> p1 0 %, p5 36.2 %, p2 66.7 %, p3 87.5 %, p4 95.8 %
        self.assertEqual(self.classes_of("cycle_count_velocity_class_id"),
                         {"p1": "A", "p5": "A", "p2": "B", "p3": "B", "p4": "C"})
        with self.assertRaisesRegex(ValidationError, "rise from A to B"):
            self.company.write({"cycle_count_class_cutoff_a": 95.0})

    def test_scheduled_refresh_classes_every_stocked_product(self):
        self.env["product.product"]._cron_classify_cycle_count()
        stocked = self.env["product.product"].search([("type", "=", "product")])
        self.assertFalse(stocked.filtered(lambda product: not product.cycle_count_velocity_class_id
                                          or not product.cycle_count_value_class_id))


class TestSelectionByClass(ClassCase):

    def make_plan(self, name, classes, **values):
        return self.env["foreman.cycle.count.plan"].create(dict({
            "name": name, "location_ids": [(6, 0, self.shelf.ids)], "category_ids": [(6, 0, self.category.ids)],
            "velocity_class_ids": [(6, 0, [self.classes[code].id for code in classes])],
            "cycles_per_count": 1, "user_ids": [(6, 0, self.tech1.ids)]}, **values))

    def start(self, plan):
        plan._generate_calendar(TODAY)
        cycle = plan.cycle_ids.filtered(lambda c: c.state == "planned")[:1]
        cycle.sudo(self.lead).action_start()
        return cycle

    def test_a_plan_by_class_counts_exactly_those_products(self):
        fast = self.make_plan("Fast movers monthly", "A", counts_per_timeframe=12)
        slow = self.make_plan("The rest yearly", "BC", counts_per_timeframe=1)
        self.assertEqual({row["product_id"] for row in fast._read_scope_quants()}, {self.p["p1"].id, self.p["p2"].id})
        self.assertEqual({row["product_id"] for row in slow._read_scope_quants()},
                         {self.p["p3"].id, self.p["p4"].id, self.p["p5"].id})
        fast._generate_calendar(YEAR_START)
        self.assertEqual(len(fast.cycle_ids), 12, "fast movers monthly")
        self.assertEqual(self.start(fast).line_ids.mapped("product_id"), self.p["p1"] | self.p["p2"])

    def test_plans_overlap_only_on_a_shared_class(self):
        self.make_plan("Fast", "A")
        self.make_plan("Middle", "B")
        with self.assertRaisesRegex(ValidationError, "would count the same stock"):
            self.make_plan("Slow and fast", "AC")

    def test_a_segment_by_class_picks_exactly_those_products(self):
        plan = self.make_plan("All classes", "")
        Segment = self.env["foreman.cycle.count.segment"]
        fast = Segment.create({"name": "Fast", "plan_id": plan.id, "user_ids": [(6, 0, self.tech1.ids)],
                               "velocity_class_ids": [(6, 0, self.classes["A"].ids)]})
        rest = Segment.create({"name": "Rest", "plan_id": plan.id, "user_ids": [(6, 0, self.tech2.ids)],
                               "velocity_class_ids": [(6, 0, (self.classes["B"] | self.classes["C"]).ids)]})
        with self.assertRaisesRegex(ValidationError, "cover the same stock"):
            Segment.create({"name": "Overlap", "plan_id": plan.id, "velocity_class_ids": [(6, 0, self.classes["A"].ids)]})
        self.assertFalse(plan.uncovered_quant_ids)
        lines = self.start(plan).line_ids
        self.assertEqual(lines.filtered(lambda l: l.segment_id == fast).mapped("product_id"), self.p["p1"] | self.p["p2"])
        self.assertEqual(lines.filtered(lambda l: l.segment_id == rest).mapped("product_id"),
                         self.p["p3"] | self.p["p4"] | self.p["p5"])
        self.assertEqual(lines.filtered(lambda l: l.segment_id == fast).mapped("user_id"), self.tech1)
        self.assertEqual(lines.filtered(lambda l: l.segment_id == rest).mapped("user_id"), self.tech2)

    def test_a_found_item_of_another_class_belongs_to_another_plan(self):
        cycle = self.start(self.make_plan("Fast", "A", counts_per_timeframe=12))
        with self.refused(UserError, "is not counted in cycle"):
            self.Line.sudo(self.tech1).create({"cycle_id": cycle.id, "product_id": self.p["p5"].id,
                                               "location_id": self.shelf.id, "counted_qty": 1})

    def test_a_new_plan_is_offered_its_classes_frequency(self):
        Plan = self.env["foreman.cycle.count.plan"]
        plan = Plan.new(Plan.default_get(list(Plan._fields)))
        self.assertEqual((plan.counts_per_timeframe, plan.cycles_per_count), (1, 4))
        plan.velocity_class_ids = self.classes["A"] | self.classes["B"]
        plan._onchange_velocity_class_ids()
        self.assertEqual((plan.counts_per_timeframe, plan.cycles_per_count), (12, 1), "the most frequent class")
        plan.velocity_class_ids = self.classes["C"]
        plan._onchange_velocity_class_ids()
        self.assertEqual(plan.counts_per_timeframe, 12, "a frequency already chosen is kept")
