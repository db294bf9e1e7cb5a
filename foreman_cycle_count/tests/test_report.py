# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Accuracy analysis and hotspots over three finalized cycles, checked against figures computed by hand."""
from odoo.exceptions import AccessError, UserError

from ..models.cycle_count_plan import COORDINATOR, COUNTER
from .common import TODAY, YEAR_START, CycleCountCase, rpc

REPORT = "foreman.cycle.count.report"


class AccuracyCase(CycleCountCase):
    """Two locations, two categories, six items, counted in three cycles (January, May, September).

    Every item holds 10 units at a cost of 10. Discrepancies (the rest is counted as the books):

    ========  ============================  ================================
    cycle     discrepancies                 rates (target 20 %)
    ========  ============================  ================================
    January   L1/p1 -2 miscount,            2/6; L1 2/3, L2 0/3; A 1/3, B 1/3
              L1/p3 -1 moved
    May       L1/p2 +1 miscount,            2/6; L1 1/3, L2 1/3; A 1/3, B 1/3
              L2/p4 -1 theft or loss
    September L1/p1 -1 miscount             1/6; L1 1/3, L2 0/3; A 1/3, B 0/3
    ========  ============================  ================================
    """

    COUNTS = (
        {("l1", "p1"): (-2, "miscount"), ("l1", "p3"): (-1, "moved")},
        {("l1", "p2"): (1, "miscount"), ("l2", "p4"): (-1, "theft_loss")},
        {("l1", "p1"): (-1, "miscount")},
    )

    @classmethod
    def setUpClass(cls):
        super(AccuracyCase, cls).setUpClass()
        cls.env["foreman.cycle.count.plan"].search([]).write({"active": False})
        stock = cls.env.ref("stock.stock_location_stock")
        Location, Category = cls.env["stock.location"], cls.env["product.category"]
        cls.l1 = Location.create({"name": "Accuracy L1", "location_id": stock.id, "usage": "internal"})
        cls.l2 = Location.create({"name": "Accuracy L2", "location_id": stock.id, "usage": "internal"})
        root = Category.create({"name": "Accuracy"})
        cls.cat_a = Category.create({"name": "Accuracy A", "parent_id": root.id})
        cls.cat_b = Category.create({"name": "Accuracy B", "parent_id": root.id})
        cls.products = {}
        for name, category in (("p1", cls.cat_a), ("p2", cls.cat_a), ("p3", cls.cat_b), ("p4", cls.cat_b)):
            cls.products[name] = cls.env["product.product"].create({
                "name": "Accuracy %s" % name, "type": "product", "categ_id": category.id, "standard_price": 10.0})
        cls.places = {"l1": cls.l1, "l2": cls.l2}
        for location, names in ((cls.l1, ("p1", "p2", "p3")), (cls.l2, ("p1", "p3", "p4"))):
            for name in names:
                cls.Quant._update_available_quantity(cls.products[name], location, 10.0)
        cls.accuracy_plan = cls.env["foreman.cycle.count.plan"].create({
            "name": "Accuracy plan", "location_ids": [(6, 0, [cls.l1.id, cls.l2.id])],
            "category_ids": [(6, 0, root.ids)], "counts_per_timeframe": 3, "cycles_per_count": 1,
            "user_ids": [(6, 0, (cls.tech1 | cls.tech2).ids)], "target_discrepancy_rate": 20.0})
        cls.accuracy_plan._generate_calendar(YEAR_START)
        cls.cycles = cls.accuracy_plan.cycle_ids.sorted("date_start")
        cls.hotspots_after = []
        for cycle, counts in zip(cls.cycles, cls.COUNTS):
            cls.run_cycle(cycle, counts)
            cls.hotspots_after.append({(hotspot.name, hotspot.state) for hotspot in cls.plan_hotspots()})

    @classmethod
    def run_cycle(cls, cycle, counts):
        cycle.sudo(cls.lead).action_start()
        for line in cycle.line_ids:
            key = (next(k for k, place in cls.places.items() if place == line.location_id),
                   next(k for k, product in cls.products.items() if product == line.product_id))
            variance = counts.get(key, (0, None))[0]
            line.sudo(line.user_id).write({"counted_qty": line.system_qty + variance})
        cycle.sudo(cls.lead).action_submit()
        for disc in cycle.discrepancy_ids:
            cause = next(cause for key, (_variance, cause) in counts.items()
                         if cls.places[key[0]] == disc.location_id and cls.products[key[1]] == disc.product_id)
            disc.sudo(cls.lead).write({"root_cause": cause})
        cycle.sudo(cls.lead).action_finalize()

    @classmethod
    def plan_hotspots(cls):
        return cls.env["foreman.cycle.count.hotspot"].search([("plan_id", "=", cls.accuracy_plan.id)])

    def rates(self, groupby, domain=None, user=None):
        """{group value: (items counted, items with discrepancies, rate)} of the plan's analysis."""
        Report = self.env[REPORT].sudo(user or self.lead)
        result = {}
        for group in rpc(Report, "read_group", [("plan_id", "=", self.accuracy_plan.id)] + (domain or []),
                         [groupby.split(":")[0], "items_counted", "items_discrepant", "discrepancy_rate"], [groupby],
                         lazy=False):
            key = group[groupby][0] if isinstance(group[groupby], (list, tuple)) else group[groupby]
            result[key] = (group["items_counted"], group["items_discrepant"], round(group["discrepancy_rate"], 2))
        return result


class TestRates(AccuracyCase):

    def test_rate_per_cycle_matches_the_cycle_and_the_hand_computed_figures(self):
        self.assertEqual(self.cycles.mapped("state"), ["finalized"] * 3)
        self.assertEqual(self.rates("cycle_id"), {
            self.cycles[0].id: (6, 2, 33.33), self.cycles[1].id: (6, 2, 33.33), self.cycles[2].id: (6, 1, 16.67)})
        for cycle in self.cycles:
            self.assertAlmostEqual(self.rates("cycle_id")[cycle.id][2], round(cycle.discrepancy_rate, 2))

    def test_rate_per_period(self):
        self.assertEqual([start for start in self.cycles.mapped("date_start")],
                         ["2026-01-01", "2026-05-01", "2026-09-01"])
        by_month = self.rates("date:month")
        self.assertEqual(sorted(by_month.values()), sorted([(6, 2, 33.33), (6, 2, 33.33), (6, 1, 16.67)]))
        self.assertEqual(len(by_month), 3)

    def test_rate_per_location_and_category(self):
        self.assertEqual(self.rates("location_id"), {self.l1.id: (9, 4, 44.44), self.l2.id: (9, 1, 11.11)})
        self.assertEqual(self.rates("categ_id"), {self.cat_a.id: (9, 3, 33.33), self.cat_b.id: (9, 2, 22.22)})
        self.assertEqual(self.rates("location_id", [("cycle_id", "=", self.cycles[1].id)]),
                         {self.l1.id: (3, 1, 33.33), self.l2.id: (3, 1, 33.33)})

    def test_rate_per_root_cause_and_counter(self):
        causes = self.rates("root_cause", [("items_discrepant", ">", 0)])
        self.assertEqual(causes, {"miscount": (3, 3, 100.0), "moved": (1, 1, 100.0), "theft_loss": (1, 1, 100.0)})
        counters = {line.location_id: line.user_id for line in self.cycles[0].line_ids}
        self.assertNotEqual(counters[self.l1], counters[self.l2], "one counter per location, in turn")
        self.assertEqual(self.rates("user_id"), {counters[self.l1].id: (9, 4, 44.44),
                                                 counters[self.l2].id: (9, 1, 11.11)})

    def test_variance_value_and_value_accuracy_per_cycle(self):
        groups = rpc(self.env[REPORT].sudo(self.lead), "read_group", [("plan_id", "=", self.accuracy_plan.id)],
                     ["cycle_id", "variance_value", "abs_variance_value", "book_value", "value_accuracy"], ["cycle_id"])
        figures = {group["cycle_id"][0]: (group["variance_value"], group["abs_variance_value"], group["book_value"],
                                          round(group["value_accuracy"], 2)) for group in groups}
        # adjusted after each cycle: 600 on the books in January, 570 in May and September
        self.assertEqual(figures, {self.cycles[0].id: (-30.0, 30.0, 600.0, 95.0),
                                   self.cycles[1].id: (0.0, 20.0, 570.0, 96.49),
                                   self.cycles[2].id: (-10.0, 10.0, 570.0, 98.25)})

    def test_cycle_list_shows_rate_against_target_and_trend(self):
        rows = rpc(self.env["foreman.cycle.count.cycle"].sudo(self.lead), "read", self.cycles.ids,
                   ["discrepancy_rate", "target_discrepancy_rate", "is_above_target", "rate_trend",
                    "previous_discrepancy_rate"])
        self.assertEqual([(round(row["discrepancy_rate"], 2), row["target_discrepancy_rate"], row["is_above_target"],
                           row["rate_trend"], round(row["previous_discrepancy_rate"], 2)) for row in rows], [
            (33.33, 20.0, True, False, 0.0), (33.33, 20.0, True, "steady", 33.33), (16.67, 20.0, False, "better", 33.33)])


class TestHotspots(AccuracyCase):

    def test_two_cycles_above_target_make_a_hotspot_and_one_does_not(self):
        self.assertEqual(self.hotspots_after[0], set(), "one cycle above target is no hotspot")
        self.assertEqual(self.hotspots_after[1], {(self.l1.display_name, "open"), (self.cat_a.display_name, "open"),
                                                  (self.cat_b.display_name, "open")})
        # L2 was above target in May only: never a hotspot
        self.assertNotIn(self.l2.display_name, {name for name, _state in self.hotspots_after[2]})

    def test_a_hotspot_back_on_target_is_closed(self):
        self.assertIn((self.cat_b.display_name, "closed"), self.hotspots_after[2])
        self.assertIn((self.l1.display_name, "open"), self.hotspots_after[2])
        hotspot = self.plan_hotspots().filtered(lambda h: h.location_id == self.l1)
        self.assertEqual(hotspot.rate_history, "%s: 66.7 %%, %s: 33.3 %%, %s: 33.3 %%" % tuple(self.cycles.mapped("name")))
        self.assertEqual(hotspot.root_causes, "Miscounted during the cycle count (3), "
                                              "Moved without updating the location (1)")
        self.assertIn("Count it more often", hotspot.suggested_action)

    def test_refreshing_again_changes_nothing(self):
        before = {(hotspot.name, hotspot.state, hotspot.rate_history) for hotspot in self.plan_hotspots()}
        self.accuracy_plan.sudo(self.lead).action_refresh_hotspots()
        self.assertEqual({(hotspot.name, hotspot.state, hotspot.rate_history) for hotspot in self.plan_hotspots()},
                         before)

    def test_moving_a_location_hotspot_into_a_new_plan_changes_both_calendars(self):
        hotspot = self.plan_hotspots().filtered(lambda h: h.location_id == self.l1)
        wizard = self.env["foreman.cycle.count.hotspot.apply"].sudo(self.lead).with_context(
            default_hotspot_id=hotspot.id).create({})
        self.assertEqual((wizard.target_mode, wizard.new_counts_per_timeframe), ("new", 6))
        self.assertIn("6 times per timeframe instead of 3", wizard.summary)
        new_plan = hotspot.sudo(self.lead)._move_to_plan(TODAY, new_plan_values=wizard._prepare_new_plan_values())
        self.assertEqual(hotspot.state, "applied")
        self.assertEqual((new_plan.location_ids, new_plan.counts_per_timeframe), (self.l1, 6))
        self.assertEqual(self.accuracy_plan.location_ids, self.l2)
        self.assertEqual({row["location_id"] for row in self.accuracy_plan._read_scope_quants()}, {self.l2.id})
        planned = new_plan.cycle_ids.filtered(lambda cycle: cycle.state == "planned")
        self.assertTrue(planned, "the new plan's calendar is generated")
        self.assertEqual(planned.mapped("slice_ids.location_id"), self.l1)
        self.assertIn("Moved into plan %s" % new_plan.name, hotspot.message_ids[0].body)
        # its first cycle on target closes the hotspot
        cycle = planned.sorted("date_start")[0]
        self.run_cycle(cycle, {})
        self.assertEqual(hotspot.state, "closed")
        self.accuracy_plan.sudo(self.lead)._refresh_hotspots()
        self.assertEqual(self.env["foreman.cycle.count.hotspot"].search_count(
            [("location_id", "=", self.l1.id), ("state", "!=", "closed")]), 0, "the old cycles do not reopen it")

    def test_a_new_plan_for_a_hotspot_keeps_the_managers_thresholds(self):
        category = self.env["product.category"].create({"name": "Accuracy miners"})
        self.accuracy_plan.sudo(self.ops).write({"minor_qty_limit": 1.0, "minor_value_limit": 50.0,
                                                 "high_value_category_ids": [(6, 0, category.ids)]})
        hotspot = self.plan_hotspots().filtered(lambda h: h.location_id == self.l1)
        wizard = self.env["foreman.cycle.count.hotspot.apply"].sudo(self.lead).with_context(
            default_hotspot_id=hotspot.id).create({})
        rpc(self.env[wizard._name].sudo(self.lead), "action_confirm", wizard.ids)
        new_plan = hotspot.applied_plan_id
        self.assertNotEqual(new_plan, self.accuracy_plan)
        self.assertEqual((new_plan.minor_qty_limit, new_plan.minor_value_limit, new_plan.high_value_category_ids),
                         (1.0, 50.0, category), "a Coordinator moving a hotspot lowers no threshold")
        with self.refused(AccessError, "Only a cycle count Manager"):
            rpc(self.env["foreman.cycle.count.plan"].sudo(self.lead), "write", new_plan.ids, {"minor_qty_limit": 9})

    def test_moving_into_an_existing_plan_that_counts_more_often(self):
        hotspot = self.plan_hotspots().filtered(lambda h: h.categ_id == self.cat_a)
        stock = self.env.ref("stock.stock_location_stock")
        l3 = self.env["stock.location"].create({"name": "Accuracy L3", "location_id": stock.id, "usage": "internal"})
        cat_c = self.env["product.category"].create({"name": "Accuracy C"})
        monthly = self.env["foreman.cycle.count.plan"].create({
            "name": "Monthly", "location_ids": [(6, 0, [self.l1.id, self.l2.id, l3.id])],
            "category_ids": [(6, 0, cat_c.ids)], "counts_per_timeframe": 12, "cycles_per_count": 1})
        l4 = self.env["stock.location"].create({"name": "Accuracy L4", "location_id": stock.id, "usage": "internal"})
        yearly = self.env["foreman.cycle.count.plan"].create({
            "name": "Yearly", "location_ids": [(6, 0, l4.ids)], "counts_per_timeframe": 1})
        wizard = self.env["foreman.cycle.count.hotspot.apply"].sudo(self.lead).with_context(
            default_hotspot_id=hotspot.id).create({"target_mode": "existing", "target_plan_id": yearly.id})
        with self.refused(UserError, "choose a plan that counts more often"):
            wizard.action_confirm()
        wizard.target_plan_id = monthly
        action = rpc(self.env[wizard._name].sudo(self.lead), "action_confirm", wizard.ids)
        self.assertEqual(action["domain"], [("plan_id", "=", monthly.id)])
        self.assertEqual(monthly.category_ids, cat_c | self.cat_a)
        self.assertEqual(self.accuracy_plan.excluded_category_ids, self.cat_a)
        scope = {row["product_id"] for row in self.accuracy_plan._read_scope_quants()}
        self.assertEqual(scope, {self.products["p3"].id, self.products["p4"].id})
        self.assertTrue(monthly.cycle_ids.mapped("slice_ids"))

    def test_nobody_writes_a_hotspot_by_hand(self):
        hotspot = self.plan_hotspots()[:1]
        Hotspot = self.env["foreman.cycle.count.hotspot"].sudo(self.ops)
        for values in ({"state": "closed"}, {"rate_history": "0 %"}, {"plan_id": False}):
            with self.refused(UserError, "cannot be edited"):
                rpc(Hotspot, "write", hotspot.ids, values)
        with self.refused(AccessError, "cannot be created by hand"):
            rpc(Hotspot, "create", {"plan_id": self.accuracy_plan.id, "kind": "location", "location_id": self.l2.id})

    def test_counters_cannot_act_on_hotspots(self):
        hotspot = self.plan_hotspots()[:1]
        with self.refused(AccessError):
            rpc(self.env["foreman.cycle.count.hotspot"].sudo(self.tech1), "read", hotspot.ids, ["rate_history"])
        with self.refused(AccessError):
            rpc(self.env["foreman.cycle.count.hotspot"].sudo(self.tech1), "action_count_more_often", hotspot.ids)


class TestAnalysisSecurity(AccuracyCase):

    def test_counters_read_nothing_of_the_analysis(self):
        Report = self.env[REPORT].sudo(self.tech1)
        self.assertTrue(self.tech1.has_group(COUNTER) and not self.tech1.has_group(COORDINATOR))
        with self.refused(AccessError):
            rpc(Report, "read", self.env[REPORT].search([], limit=1).ids, ["variance_value"])
        with self.refused(AccessError):
            rpc(Report, "search_read", [("cycle_id", "in", self.cycles.ids)], ["items_discrepant"])
        with self.refused(AccessError):
            rpc(Report, "read_group", [], ["items_counted", "items_discrepant"], ["cycle_id"])
        with self.refused(AccessError):
            rpc(Report, "search_count", [("variance_value", "<", 0)])
        Cycle = self.env["foreman.cycle.count.cycle"].sudo(self.tech1)
        rates = {"discrepancy_rate", "rate_trend", "is_above_target", "previous_discrepancy_rate"}
        self.assertFalse(rates & set(rpc(Cycle, "fields_get", [])))
        for name in rates:
            with self.refused(AccessError):
                rpc(Cycle, "read", self.cycles.ids, [name])

    def test_other_companies_see_none_of_it(self):
        other = self.env["res.company"].create({"name": "Accuracy Elsewhere"})
        coordinator = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Elsewhere Lead", "login": "accuracy_elsewhere", "company_id": other.id,
            "company_ids": [(6, 0, other.ids)],
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id, self.env.ref(COORDINATOR).id])]})
        self.assertEqual(rpc(self.env[REPORT].sudo(coordinator), "search_count", []), 0)
        self.assertEqual(rpc(self.env["foreman.cycle.count.hotspot"].sudo(coordinator), "search_count", []), 0)
        self.assertEqual(rpc(self.env[REPORT].sudo(self.lead), "search_count",
                             [("plan_id", "=", self.accuracy_plan.id)]), 18)


class TestRelocatedSerial(CycleCountCase):
    """The demo facility counted once: a miner found in the repair bay is one discrepancy, as on the cycle."""

    def test_a_relocated_serial_counts_once(self):
        cycle = self.start_single_cycle()
        line = self.lines_of(cycle, self.antminer, self.row1_rack1)[0]
        self.count(line, 0)
        self.Line.sudo(self.tech2).create({
            "cycle_id": cycle.id, "product_id": self.antminer.id, "location_id": self.repair_bay.id,
            "lot_id": line.lot_id.id, "counted_qty": 1})
        self.count(self.lines_of(cycle, self.hashboard, self.spares), 47)
        self.count_as_books(cycle)
        cycle.sudo(self.lead).action_submit()
        cycle.discrepancy_ids.filtered(lambda d: d.line_id == line).sudo(self.lead).action_resolve_as_relocation()
        group = rpc(self.env[REPORT].sudo(self.lead), "read_group", [("cycle_id", "=", cycle.id)],
                    ["cycle_id", "items_counted", "items_discrepant", "discrepancy_rate"], ["cycle_id"])[0]
        self.assertEqual((group["items_counted"], group["items_discrepant"]),
                         (cycle.counted_line_count, cycle.discrepancy_count))
        self.assertEqual(cycle.discrepancy_count, 2, "the miner once, the hashboards once")
        self.assertAlmostEqual(group["discrepancy_rate"], 100.0 * 2 / cycle.counted_line_count, places=6)
        self.assertAlmostEqual(group["discrepancy_rate"], cycle.discrepancy_rate, places=2)
