# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from collections import Counter

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import TODAY, YEAR_START, CycleCountCase

D = datetime.date


class TestPlanConfiguration(CycleCountCase):

    def new_plan(self, **vals):
        base = {"name": "Main warehouse consumables",
                "location_ids": [(6, 0, [self.env.ref("stock.stock_location_stock").id])]}
        base.update(vals)
        return self.env["foreman.cycle.count.plan"].sudo(self.lead).create(base)

    def test_invalid_frequencies_are_refused(self):
        for vals, message in [({"counts_per_timeframe": 0}, "Counts per timeframe"),
                              ({"cycles_per_count": -2}, "Cycles per count"),
                              ({"reminder_days": -1}, "cannot be negative"),
                              ({"counts_per_timeframe": 12, "cycles_per_count": 1, "reminder_days": 40},
                               "longer than a cycle"),
                              ({"timeframe": "rolling_year"}, "start date"),
                              ({"counts_per_timeframe": 400}, "at most 365")]:
            with self.refused(ValidationError, message):
                self.new_plan(**vals)

    def test_overlapping_active_plans_are_refused(self):
        with self.refused(ValidationError, "would count the same stock"):
            self.new_plan(location_ids=[(6, 0, [self.row1.id])],
                          category_ids=[(6, 0, [self.cable.categ_id.id])])
        # customer-owned only, against a company-owned only plan: no overlap
        self.plan.ownership = "company"
        self.new_plan(location_ids=[(6, 0, [self.row1.id])], ownership="customer")
        self.new_plan()  # another warehouse entirely

    def test_thresholds_are_for_managers_only(self):
        with self.assertRaises(AccessError):
            self.plan.sudo(self.lead).write({"minor_qty_limit": 8})
        self.plan.sudo(self.ops).write({"minor_qty_limit": 8})
        self.assertEqual(self.plan.minor_qty_limit, 8)

    def test_counter_cannot_edit_plans(self):
        with self.assertRaises(AccessError):
            self.plan.sudo(self.tech1).write({"counts_per_timeframe": 2})

    def test_settings_round_trip_default_plan(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.cycle_count_plan_id, self.plan)
        self.assertEqual(settings.cycle_count_cycles_per_count, 4)
        settings.write({"cycle_count_counts_per_timeframe": 2, "cycle_count_cycles_per_count": 6,
                        "cycle_count_reminder_days": 5, "cycle_count_blind": False,
                        "cycle_count_ownership": "company"})
        settings.execute()
        self.assertEqual((self.plan.counts_per_timeframe, self.plan.cycles_per_count,
                          self.plan.reminder_days, self.plan.blind_count, self.plan.ownership),
                         (2, 6, 5, False, "company"))
        again = self.env["res.config.settings"].create({})
        self.assertEqual((again.cycle_count_counts_per_timeframe, again.cycle_count_cycles_per_count,
                          again.cycle_count_reminder_days), (2, 6, 5))
        self.assertEqual(again.cycle_count_category_ids, self.plan.category_ids)

    def test_settings_never_create_a_plan_silently(self):
        self.env.user.company_id.cycle_count_plan_id = False
        plans = self.env["foreman.cycle.count.plan"].with_context(active_test=False).search([])
        settings = self.env["res.config.settings"].create({"cycle_count_cycles_per_count": 2})
        settings.execute()
        self.assertEqual(self.env["foreman.cycle.count.plan"].with_context(active_test=False).search([]), plans)
        self.assertFalse(self.env.user.company_id.cycle_count_plan_id)
        self.env.user.company_id.cycle_count_plan_id = self.plan  # Odoo 11 caches survive the rollback


class TestSegments(CycleCountCase):

    def test_uncovered_stock_is_listed(self):
        self.assertFalse(self.plan.uncovered_quant_ids)
        row4 = self.env["stock.location"].create({"name": "Row 4", "usage": "internal",
                                                  "location_id": self.row1.location_id.id})
        self.Quant._update_available_quantity(self.cable, row4, 12)
        self.plan.invalidate_cache()
        uncovered = self.plan.uncovered_quant_ids
        self.assertEqual(uncovered.mapped("location_id"), row4)
        self.assertEqual(sum(uncovered.mapped("quantity")), 12)

    def test_an_item_cannot_be_covered_twice(self):
        with self.refused(ValidationError, "cover the same stock"):
            self.env["foreman.cycle.count.segment"].create({
                "name": "Rack 1 of Row 1", "plan_id": self.plan.id,
                "location_ids": [(6, 0, [self.row1_rack1.id])]})

    def test_segment_counters_must_be_counters(self):
        stranger = self.env["res.users"].create({"name": "Stranger", "login": "stranger"})
        with self.refused(ValidationError, "Counter group"):
            self.env.ref("foreman_cycle_count.demo_segment_row1").user_ids = [(4, stranger.id)]


class TestCalendar(CycleCountCase):

    def scope_size(self):
        return len(self.plan._read_scope_quants())

    def slices_by_count(self, plan):
        cycles = plan.cycle_ids
        per_count = {}
        for cycle in cycles:
            per_count.setdefault(cycle.count_index, Counter()).update(
                (line.segment_id.id, line.location_id.id) for line in cycle.slice_ids)
        return per_count

    def test_every_item_counted_exactly_counts_per_timeframe_times(self):
        self.plan.write({"counts_per_timeframe": 2, "cycles_per_count": 3})
        self.plan._generate_calendar(YEAR_START)
        self.assertEqual(len(self.plan.cycle_ids), 6)
        per_count = self.slices_by_count(self.plan)
        self.assertEqual(sorted(per_count), [1, 2])
        for keys in per_count.values():
            self.assertEqual(set(keys.values()), {1}, "a bucket appears twice in one count")
        for count_index in (1, 2):
            cycles = self.plan.cycle_ids.filtered(lambda c, i=count_index: c.count_index == i)
            self.assertEqual(sum(cycles.mapped("planned_item_count")), self.scope_size())

    def test_work_is_balanced_within_one_segment(self):
        self.plan._generate_calendar(TODAY)
        loads = self.plan.cycle_ids.mapped("planned_item_count")
        self.assertEqual(len(loads), 4)
        largest_segment = max(self._segment_sizes().values())
        self.assertLessEqual(max(loads) - min(loads), largest_segment)

    def _segment_sizes(self):
        match = self.plan._segment_matcher()
        return Counter(match(row) for row in self.plan._read_scope_quants())

    def test_windows_tile_the_calendar_year(self):
        self.plan._generate_calendar(YEAR_START)
        windows = [(c.date_start, c.date_end) for c in self.plan.cycle_ids.sorted("date_start")]
        self.assertEqual(windows, [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30"),
                                   ("2026-07-01", "2026-09-30"), ("2026-10-01", "2026-12-31")])

    def test_cycles_show_their_counters(self):
        self.plan._generate_calendar(TODAY)
        users = self.plan.cycle_ids.mapped("user_ids")
        self.assertEqual(users, self.tech1 | self.tech2 | self.tech3)

    def test_regenerating_keeps_started_cycles_and_does_not_duplicate(self):
        self.plan._generate_calendar(TODAY)
        first = self.plan.cycle_ids.sorted("date_start")[0]
        first.sudo(self.lead).action_start()
        lines_before = first.line_ids
        slices_before = first.slice_ids
        self.plan.sudo(self.lead).action_generate_calendar()
        self.plan._generate_calendar(TODAY)
        self.assertEqual(len(self.plan.cycle_ids), 4)
        self.assertEqual(first.state, "in_progress")
        self.assertEqual(first.line_ids, lines_before)
        self.assertEqual(first.slice_ids, slices_before)

    def test_counter_cannot_generate_the_calendar(self):
        with self.assertRaises(AccessError):
            self.plan.sudo(self.tech1).action_generate_calendar()


class TestReminders(CycleCountCase):

    @classmethod
    def setUpClass(cls):
        super(TestReminders, cls).setUpClass()
        cls.plan._generate_calendar(YEAR_START)
        cls.q4 = cls.plan.cycle_ids.filtered(lambda c: c.date_start == "2026-10-01")
        cls.reminder = cls.env.ref("foreman_cycle_count.mail_activity_type_cycle_reminder")

    def reminders(self, cycle):
        return self.env["mail.activity"].search([
            ("res_model", "=", cycle._name), ("res_id", "=", cycle.id),
            ("activity_type_id", "=", self.reminder.id)])

    def test_one_reminder_per_counter_on_the_right_day(self):
        self.Cycle._cron_send_reminders(today=D(2026, 9, 27))
        self.assertFalse(self.reminders(self.q4), "reminded too early")
        for _run in range(3):
            self.Cycle._cron_send_reminders(today=D(2026, 9, 28))
        activities = self.reminders(self.q4)
        self.assertEqual(activities.mapped("user_id"), self.q4.user_ids)
        self.assertEqual(len(activities), len(self.q4.user_ids))
        self.assertEqual(set(activities.mapped("date_deadline")), {"2026-10-01"})
        self.Cycle._cron_send_reminders(today=D(2026, 9, 30))
        self.assertEqual(len(self.reminders(self.q4)), len(self.q4.user_ids))

    def test_starting_the_cycle_closes_its_reminders(self):
        self.Cycle._cron_send_reminders(today=D(2026, 9, 28))
        self.assertTrue(self.reminders(self.q4))
        self.q4.sudo(self.lead).action_start()
        self.assertFalse(self.reminders(self.q4))

    def test_cycles_past_their_end_are_overdue(self):
        self.Cycle._cron_send_reminders(today=TODAY)
        overdue = self.Cycle.search([("plan_id", "=", self.plan.id), ("is_overdue", "=", True)])
        self.assertEqual(overdue, self.plan.cycle_ids - self.q4)


class TestSplitLocation(CycleCountCase):
    """One spares store of 40 products, counted once a year in four cycles."""

    @classmethod
    def setUpClass(cls):
        super(TestSplitLocation, cls).setUpClass()
        cls.store = cls.env["stock.location"].create({
            "name": "Spare Parts Store", "usage": "internal",
            "location_id": cls.env.ref("stock.stock_location_stock").id})
        # created in reverse: the split follows internal references, not creation order
        cls.products = cls.env["product.product"]
        for number in reversed(range(40)):
            cls.products |= cls.new_product("SP%02d" % number)
        cls.split_plan = cls.env["foreman.cycle.count.plan"].sudo(cls.lead).create({
            "name": "Spare parts store", "location_ids": [(6, 0, [cls.store.id])],
            "counts_per_timeframe": 1, "cycles_per_count": 4, "user_ids": [(6, 0, [cls.tech1.id])]})

    @classmethod
    def new_product(cls, code, stock=3):
        product = cls.env["product.product"].create({"name": "Spare %s" % code, "default_code": code,
                                                     "type": "product"})
        if stock:
            cls.Quant._update_available_quantity(product, cls.store, stock)
        return product

    def cycles(self):
        return self.split_plan.cycle_ids.sorted("date_start")

    def codes(self, products):
        return sorted(products.mapped("default_code"))

    def planned_products(self, cycle):
        return cycle.slice_ids.mapped("product_ids")

    def test_each_cycle_counts_its_share_of_the_products_once(self):
        self.split_plan.sudo(self.lead)._generate_calendar(YEAR_START)
        cycles = self.cycles()
        self.assertEqual(cycles.mapped("planned_item_count"), [10, 10, 10, 10])
        self.assertEqual(self.codes(self.planned_products(cycles[0])), ["SP%02d" % i for i in range(10)])
        counted = []
        for cycle in cycles:
            cycle.sudo(self.lead).action_start()
            self.assertEqual(len(cycle.line_ids), 10)
            self.assertEqual(cycle.line_ids.mapped("product_id"), self.planned_products(cycle))
            counted += cycle.line_ids.mapped("product_id").ids
        self.assertEqual(sorted(counted), sorted(self.products.ids), "every product exactly once")

    def test_regenerating_keeps_the_same_split(self):
        self.split_plan._generate_calendar(YEAR_START)
        before = [self.planned_products(cycle) for cycle in self.cycles()]
        self.split_plan._generate_calendar(YEAR_START)
        self.assertEqual([self.planned_products(cycle) for cycle in self.cycles()], before)

    def test_found_item_goes_to_the_cycle_that_counts_its_product(self):
        self.split_plan._generate_calendar(YEAR_START)
        first, second = self.cycles()[:2]
        first.sudo(self.lead).action_start()
        elsewhere = self.planned_products(second)[0]
        with self.refused(UserError, "counted in cycle %s" % second.name):
            self.Line.sudo(self.tech1).create({
                "cycle_id": first.id, "product_id": elsewhere.id, "location_id": self.store.id, "counted_qty": 1})
        # a product no cycle plans there is a real find, recorded by a cycle counting the store
        stranger = self.new_product("ZZ01", stock=0)
        line = self.Line.sudo(self.tech1).create({
            "cycle_id": first.id, "product_id": stranger.id, "location_id": self.store.id, "counted_qty": 2})
        self.assertTrue(line.is_found)

    def test_started_cycle_keeps_its_products_and_the_rest_is_replanned(self):
        self.split_plan._generate_calendar(YEAR_START)
        first = self.cycles()[0]
        first.sudo(self.lead).action_start()
        first_products = self.planned_products(first)
        for number in range(4):
            self.products |= self.new_product("SP4%d" % number)
        self.split_plan._generate_calendar(YEAR_START)
        rest = self.cycles() - first
        self.assertEqual(self.planned_products(first), first_products)
        planned = [product for cycle in rest for product in self.planned_products(cycle).ids]
        self.assertEqual(sorted(planned + first_products.ids), sorted(self.products.ids))
        self.assertEqual(sorted(rest.mapped("planned_item_count")), [11, 11, 12])

    def test_mid_year_plans_only_the_time_left_and_says_so(self):
        today = D(2026, 8, 15)
        summary = self.split_plan.sudo(self.lead)._generate_calendar(today)
        cycles = self.cycles()
        self.assertEqual(len(summary["created"]), 4)
        self.assertEqual(cycles[0].date_start, "2026-08-15")
        self.assertEqual(cycles[-1].date_end, "2026-12-31")
        self.assertFalse(cycles.filtered(lambda c: c.date_end < "2026-08-15"), "a cycle already over")
        for cycle, following in zip(cycles, cycles[1:]):
            self.assertEqual(fields.Date.from_string(following.date_start) - fields.Date.from_string(cycle.date_end),
                             datetime.timedelta(days=1), "gap or overlap after %s" % cycle.date_end)
        planned = [product for cycle in cycles for product in self.planned_products(cycle).ids]
        self.assertEqual(sorted(planned), sorted(self.products.ids), "the whole scope, once")
        message = self.split_plan.message_ids[0].body
        self.assertIn("4 cycles created, 0 updated, 0 removed", message)
        self.assertIn("already past is not scheduled", message)
        self.assertIn("2026-08-15", message)

    def test_regenerating_mid_year_updates_the_same_cycles(self):
        today = D(2026, 8, 15)
        self.split_plan._generate_calendar(today)
        cycles = self.cycles()
        summary = self.split_plan._generate_calendar(today)
        self.assertEqual(self.cycles(), cycles)
        self.assertEqual((len(summary["created"]), len(summary["updated"]), summary["removed"]), (0, 4, 0))
        self.assertIn("0 cycles created, 4 updated, 0 removed", self.split_plan.message_ids[0].body)
        # a day later the same cycles move to the days left, none duplicated
        self.split_plan._generate_calendar(today + datetime.timedelta(days=1))
        self.assertEqual(self.cycles(), cycles)
        self.assertEqual(cycles[0].date_start, "2026-08-16")

    def test_cycles_never_started_are_replanned_into_the_time_left(self):
        self.split_plan._generate_calendar(YEAR_START)
        first = self.cycles()[0]
        first.sudo(self.lead).action_start()
        self.split_plan._generate_calendar(D(2026, 8, 15))
        rest = self.cycles() - first
        self.assertEqual(first.date_start, "2026-01-01", "a started cycle stays as it is")
        self.assertEqual(len(rest), 3)
        self.assertEqual(rest[0].date_start, "2026-08-15")
        self.assertEqual(rest.mapped("planned_item_count"), [10, 10, 10])
        self.assertFalse(self.planned_products(first) & rest.mapped("slice_ids.product_ids"))

    def test_few_days_left_give_fewer_cycles(self):
        self.split_plan._generate_calendar(D(2026, 12, 30))
        self.assertEqual(self.cycles().mapped("date_start"), ["2026-12-30", "2026-12-31"])
        self.assertEqual(self.cycles().mapped("planned_item_count"), [20, 20])

    def test_generate_next_year_plans_the_following_timeframe(self):
        self.split_plan._generate_calendar(TODAY)
        this_year = self.cycles()
        self.split_plan._generate_calendar(TODAY, next_timeframe=True)
        next_year = self.cycles() - this_year
        self.assertEqual(len(this_year), len(self.cycles()) - 4, "this year's cycles stay")
        self.assertEqual([(c.date_start, c.date_end) for c in next_year],
                         [("2027-01-01", "2027-03-31"), ("2027-04-01", "2027-06-30"),
                          ("2027-07-01", "2027-09-30"), ("2027-10-01", "2027-12-31")])
        self.assertFalse(next_year.filtered("is_overdue"))

    def test_the_button_shows_the_cycles_it_made(self):
        action = self.split_plan.sudo(self.lead).action_generate_calendar()
        self.assertEqual(action["res_model"], "foreman.cycle.count.cycle")
        self.assertEqual(self.Cycle.search(action["domain"]), self.split_plan.cycle_ids)
        self.assertIn("Calendar generated", self.split_plan.message_ids[0].body)
        action = self.split_plan.sudo(self.lead).action_generate_next_calendar()
        self.assertEqual(len(self.Cycle.search(action["domain"])), len(self.split_plan.cycle_ids))

    def test_a_count_whose_time_is_over_is_not_scheduled(self):
        self.split_plan.write({"counts_per_timeframe": 2, "cycles_per_count": 2})
        self.split_plan._generate_calendar(D(2026, 8, 15))
        self.assertEqual([(c.count_index, c.date_start) for c in self.cycles()],
                         [(2, "2026-07-01"), (2, "2026-10-01")])
        self.assertIn("count 1 is over", self.split_plan.message_ids[0].body)
