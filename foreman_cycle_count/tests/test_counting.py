# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import TODAY, CycleCountCase, rpc


class TestStartCycle(CycleCountCase):

    @classmethod
    def setUpClass(cls):
        super(TestStartCycle, cls).setUpClass()
        cls.plan._generate_calendar(TODAY)

    def test_start_snapshots_exactly_the_slice(self):
        cycle = self.plan.cycle_ids.sorted("date_start")[0]
        slice_keys = {(s.segment_id.id, s.location_id.id) for s in cycle.slice_ids}
        match = self.plan._segment_matcher()
        expected = {row["id"]: row for row in self.plan._read_scope_quants()
                    if (match(row), row["location_id"]) in slice_keys}
        cycle.sudo(self.lead).action_start()
        self.assertEqual(cycle.state, "in_progress")
        lines = cycle.line_ids
        self.assertEqual(len(lines), len(expected))
        self.assertEqual(len(lines), cycle.planned_item_count)
        quants = self.Quant.browse(list(expected))
        snapshot = sorted((l.product_id.id, l.location_id.id, l.lot_id.id, l.owner_id.id, l.system_qty)
                          for l in lines)
        books = sorted((q.product_id.id, q.location_id.id, q.lot_id.id, q.owner_id.id, q.quantity)
                       for q in quants)
        self.assertEqual(snapshot, books)
        self.assertFalse(lines.filtered(lambda l: not l.user_id), "every line has a counter")
        serial_lines = lines.filtered("lot_id")
        self.assertTrue(serial_lines)
        self.assertEqual(set(serial_lines.mapped("system_qty")), {1.0})

    def test_an_item_held_in_several_quants_is_counted_once(self):
        # Odoo may split an item over quants (dates of entry, a quant locked by another request)
        self.Quant.create({"product_id": self.hashboard.id, "location_id": self.spares.id, "quantity": 4.0})
        cycle = self.plan.cycle_ids.filtered(lambda c: self.spares in c.slice_ids.mapped("location_id"))
        cycle.sudo(self.lead).action_start()
        line = self.lines_of(cycle, self.hashboard, self.spares)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.system_qty, 54)

    def test_counters_follow_segments(self):
        cycle = self.plan.cycle_ids.filtered(
            lambda c: self.row1_rack1 in c.slice_ids.mapped("location_id"))
        cycle.sudo(self.lead).action_start()
        row1_lines = cycle.line_ids.filtered(lambda l: l.location_id == self.row1_rack1)
        self.assertEqual(row1_lines.mapped("user_id"), self.tech1)

    def test_starting_twice_or_as_counter_is_refused(self):
        cycle = self.plan.cycle_ids[0]
        with self.assertRaises(AccessError):
            cycle.sudo(self.tech1).action_start()
        cycle.sudo(self.lead).action_start()
        with self.assertRaisesRegex(UserError, "not planned"):
            cycle.sudo(self.lead).action_start()


class TestCountEntry(CycleCountCase):

    @classmethod
    def setUpClass(cls):
        super(TestCountEntry, cls).setUpClass()
        cls.cycle = cls.start_single_cycle()
        cls.tech1_line = cls.cycle.line_ids.filtered(lambda l: l.user_id == cls.tech1)[0]
        cls.tech2_line = cls.cycle.line_ids.filtered(lambda l: l.user_id == cls.tech2)[0]

    def test_counter_sees_only_own_lines(self):
        visible = self.Line.sudo(self.tech1).search([("cycle_id", "=", self.cycle.id)])
        self.assertTrue(visible)
        self.assertEqual(visible.mapped("user_id"), self.tech1)

    def test_other_counters_line_is_forbidden_over_rpc(self):
        as_tech1 = self.Line.sudo(self.tech1)
        with self.assertRaises(AccessError):
            rpc(as_tech1, "read", [self.tech2_line.id], ["counted_qty"])
        with self.assertRaises(AccessError):
            rpc(as_tech1, "write", [self.tech2_line.id], {"counted_qty": 3})
        self.assertFalse(self.tech2_line.is_counted)

    def test_blind_count_hides_system_quantity_from_counters(self):
        as_tech1 = self.Line.sudo(self.tech1)
        with self.assertRaises(AccessError):
            rpc(as_tech1, "read", [self.tech1_line.id], ["system_qty"])
        with self.assertRaises(AccessError):
            rpc(as_tech1, "read", [self.tech1_line.id], ["variance_qty"])
        with self.assertRaises(AccessError):
            rpc(as_tech1, "export_data", [self.tech1_line.id], ["system_qty"])
        self.assertEqual(rpc(as_tech1, "read", [self.tech1_line.id], ["expected_qty"])[0]["expected_qty"], 0)
        self.assertNotIn("system_qty", as_tech1.fields_get())
        # without blind counting the counter sees what the books say
        self.plan.blind_count = False
        self.Line.invalidate_cache()  # a new RPC request starts with an empty cache
        expected = rpc(as_tech1, "read", [self.tech1_line.id], ["expected_qty"])[0]["expected_qty"]
        self.assertEqual(expected, self.tech1_line.system_qty)

    def test_count_records_who_and_when(self):
        self.count(self.tech1_line, 1)
        self.assertTrue(self.tech1_line.is_counted)
        self.assertEqual(self.tech1_line.counted_by_id, self.tech1)
        self.assertTrue(self.tech1_line.date_counted)
        self.assertEqual(self.tech1_line.state, "counted")

    def test_not_there_counts_zero(self):
        self.tech1_line.sudo(self.tech1).action_count_missing()
        self.assertTrue(self.tech1_line.is_counted)
        self.assertEqual(self.tech1_line.counted_qty, 0)
        self.assertEqual(self.tech1_line.sudo().variance_qty, -self.tech1_line.system_qty)

    def test_uncounted_reads_blank_and_a_typed_zero_is_a_count(self):
        as_tech1 = self.Line.sudo(self.tech1)
        row = rpc(as_tech1, "read", [self.tech1_line.id], ["counted_qty", "is_counted", "user_id"])[0]
        self.assertIs(row["counted_qty"], False, "not counted yet is not a counted 0")
        self.assertEqual(tuple(row["user_id"]), (self.tech1.id, self.tech1.name), "reads as Odoo's read does")
        rpc(as_tech1, "write", [self.tech1_line.id], {"counted_qty": 0})
        self.Line.invalidate_cache()
        row = rpc(as_tech1, "search_read", [("id", "=", self.tech1_line.id)], ["counted_qty"])[0]
        self.assertEqual((row["counted_qty"], self.tech1_line.is_counted), (0, True))
        self.assertIsNot(row["counted_qty"], False)
        with self.assertRaises(UserError):
            rpc(as_tech1, "write", [self.tech1_line.id], {"counted_qty": False})

    def test_not_there_can_be_undone_before_review(self):
        self.tech1_line.sudo(self.tech1).action_count_missing()
        self.tech1_line.sudo(self.tech1).action_clear_count()
        self.assertEqual((self.tech1_line.is_counted, self.tech1_line.state, self.tech1_line.counted_by_id),
                         (False, "todo", self.env["res.users"]))
        self.assertEqual(self.tech1_line.sudo().variance_qty, 0)
        with self.assertRaises(AccessError):
            rpc(self.Line.sudo(self.tech2), "action_clear_count", [self.tech1_line.id])
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.lead).action_submit()
        with self.assertRaisesRegex(UserError, "being counted"):
            self.tech1_line.sudo(self.tech1).action_clear_count()
        self.assertTrue(self.tech1_line.is_counted)

    def test_each_counter_is_asked_to_count_and_the_request_closes_when_done(self):
        counters = self.cycle.line_ids.mapped("user_id")
        requests = self.count_requests(self.cycle)
        self.assertEqual(requests.mapped("user_id"), counters, "one request per counter")
        tech1_lines = self.cycle.line_ids.filtered(lambda l: l.user_id == self.tech1)
        request = self.count_requests(self.cycle, self.tech1)
        self.assertRegex(request.summary, r"^Count %d items? in .+ of %s$" % (len(tech1_lines), self.cycle.name))
        self.assertEqual(request.date_deadline, self.cycle.date_end)
        # the counter reads their own request, not the others'
        mine = rpc(self.env["mail.activity"].sudo(self.tech1), "search_read",
                   [("res_model", "=", self.cycle._name), ("res_id", "=", self.cycle.id)], ["user_id"])
        self.assertEqual({row["user_id"][0] for row in mine}, {self.tech1.id})
        tech1_lines[:-1].sudo(self.tech1).write({"counted_qty": 0})
        self.assertTrue(self.count_requests(self.cycle, self.tech1), "lines are left")
        self.count(tech1_lines[-1], 0)
        self.assertFalse(self.count_requests(self.cycle, self.tech1), "all counted: done")
        self.assertIn("all lines counted", self.cycle.message_ids[0].body)
        self.assertEqual(self.cycle.message_ids[0].author_id, self.tech1.partner_id)
        self.assertTrue(self.count_requests(self.cycle, self.tech2))
        # a recount asks the recounter
        tech1_lines[0].sudo(self.lead).action_send_to_recount(self.tech3)
        self.assertEqual(len(self.count_requests(self.cycle, self.tech3)), 1, "an open request is not repeated")
        self.count_as_books(self.cycle)
        self.assertFalse(self.count_requests(self.cycle))
        tech1_lines[0].sudo(self.lead).action_send_to_recount(self.tech2)
        self.assertEqual(self.count_requests(self.cycle).mapped("user_id"), self.tech2)
        self.assertEqual(self.count_requests(self.cycle).summary[:12], "Count 1 item")

    def test_current_cycle_of_a_counter_is_where_they_count(self):
        # an overdue planned cycle of the default plan does not hide the one being counted
        self.env.user.company_id.cycle_count_plan_id = self.plan
        self.Cycle.create({"plan_id": self.plan.id, "date_start": "2026-01-01", "date_end": "2026-01-31"})
        action = self.Cycle.sudo(self.tech1).action_open_current()
        self.assertEqual(action["res_id"], self.cycle.id)
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.lead).action_submit()
        self.cycle.sudo(self.lead).action_finalize()
        # after finalization the counter still reads their counts
        action = self.Cycle.sudo(self.tech1).action_open_current()
        self.assertEqual(action["res_id"], self.cycle.id)
        counts = rpc(self.Line.sudo(self.tech1), "search_read", [("cycle_id", "=", self.cycle.id)],
                     ["counted_qty", "is_counted"])
        self.assertTrue(counts and all(row["is_counted"] for row in counts))

    def test_a_found_item_starts_in_the_cycle_being_counted(self):
        self.Cycle.create({"plan_id": self.plan.id, "date_start": "2026-01-01", "date_end": "2026-01-31"})
        defaults = self.Line.sudo(self.tech1).default_get(["cycle_id"])
        self.assertEqual(defaults["cycle_id"], self.cycle.id)

    def test_bad_counts_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.count(self.tech1_line, -1)
        with self.assertRaises(AccessError):
            self.tech1_line.sudo(self.tech1).write({"system_qty": 5})
        with self.assertRaises(AccessError):
            self.tech1_line.sudo(self.tech1).write({"user_id": self.tech2.id})
        self.assertFalse(self.tech1_line.is_counted)

    def test_a_serial_counted_twice_is_refused(self):
        serial_line = self.cycle.line_ids.filtered(lambda l: l.lot_id and l.user_id == self.tech1)[0]
        with self.assertRaisesRegex(ValidationError, "one unit"):
            self.count(serial_line, 2)
        self.count(serial_line, 1)
        with self.assertRaisesRegex(ValidationError, "already counted"):
            self.Line.sudo(self.tech1).create({
                "cycle_id": self.cycle.id, "product_id": serial_line.product_id.id,
                "location_id": self.repair_bay.id, "lot_id": serial_line.lot_id.id, "counted_qty": 1})

    def test_counter_adds_an_item_the_books_do_not_have(self):
        line = self.Line.sudo(self.tech1).create({
            "cycle_id": self.cycle.id, "product_id": self.cable.id,
            "location_id": self.row1_rack1.id, "counted_qty": 3})
        self.assertTrue(line.is_found)
        self.assertEqual(line.user_id, self.tech1)
        self.assertEqual(line.sudo().system_qty, 0)
        self.assertEqual(line.sudo().variance_qty, 3)

    def test_counts_only_while_in_progress(self):
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.lead).action_submit()
        with self.assertRaisesRegex(UserError, "being counted"):
            self.count(self.tech1_line, 1)

    def test_submit_lists_uncounted_lines(self):
        self.count_as_books(self.cycle, except_lines=self.tech2_line)
        with self.assertRaisesRegex(UserError, "1 lines are not counted yet") as refusal:
            self.cycle.sudo(self.tech1).action_submit()
        message = str(refusal.exception.name)
        self.assertIn("%s: 1" % self.tech2.name, message, "who still has lines to count")
        self.assertIn("%s (%s)" % (self.tech2_line._describe(), self.tech2.name), message)
        self.count(self.tech2_line, self.tech2_line.system_qty)
        self.cycle.sudo(self.tech1).action_submit()
        self.assertEqual(self.cycle.state, "review")
        self.assertEqual(self.cycle.message_ids[0].author_id, self.tech1.partner_id)


class TestRecount(CycleCountCase):

    @classmethod
    def setUpClass(cls):
        super(TestRecount, cls).setUpClass()
        cls.cycle = cls.start_single_cycle()
        cls.line = cls.lines_of(cls.cycle, cls.hashboard, cls.spares)
        cls.first_counter = cls.line.user_id

    def test_recount_by_same_counter_is_refused(self):
        self.count(self.line, 47)
        with self.assertRaisesRegex(UserError, "someone else"):
            self.line.sudo(self.lead).action_send_to_recount(self.first_counter)

    def test_recount_by_another_counter_is_used_and_history_kept(self):
        self.count(self.line, 47)
        other = self.tech1
        self.assertNotEqual(other, self.first_counter)
        self.line.sudo(self.lead).action_send_to_recount(other)
        self.assertEqual(self.line.state, "recount")
        self.assertEqual(self.line.user_id, other)
        self.count(self.line, 50, user=other)
        self.assertEqual(self.line.first_counted_qty, 47)
        self.assertEqual(self.line.first_counted_by_id, self.first_counter)
        self.assertEqual(self.line.counted_qty, 50)
        self.assertEqual(self.line.sudo().variance_qty, 0)
        with self.assertRaises(AccessError):
            self.count(self.line, 49, user=self.first_counter)

    def test_counter_cannot_send_to_recount(self):
        self.count(self.line, 47)
        with self.assertRaises(AccessError):
            self.line.sudo(self.first_counter).action_send_to_recount(self.tech1)


class TestBarcode(CycleCountCase):

    @classmethod
    def setUpClass(cls):
        super(TestBarcode, cls).setUpClass()
        cls.cycle = cls.start_single_cycle()

    def scanner(self, user):
        return self.env["foreman.cycle.count.scan"].sudo(user).create({"cycle_id": self.cycle.id})

    def test_scan_location_then_product_increments(self):
        line = self.lines_of(self.cycle, self.hashboard, self.spares)
        scan = self.scanner(line.user_id)
        scan.on_barcode_scanned(self.spares.barcode)
        self.assertEqual(scan.location_id, self.spares)
        for _i in range(3):
            scan.on_barcode_scanned(self.hashboard.barcode)
        self.assertEqual(line.counted_qty, 3)
        self.assertEqual(scan.line_id, line)
        scan.write({"mode": "set", "set_qty": 47})
        scan.on_barcode_scanned(self.hashboard.barcode)
        self.assertEqual(line.counted_qty, 47)

    def test_scan_serial_counts_it_once(self):
        line = self.cycle.line_ids.filtered(lambda l: l.location_id == self.row1_rack1)[0]
        scan = self.scanner(self.tech1)
        scan.on_barcode_scanned(self.row1_rack1.barcode)
        scan.on_barcode_scanned(line.lot_id.name)
        self.assertEqual(line.counted_qty, 1)
        self.assertTrue(line.is_counted)
        scan.on_barcode_scanned(line.lot_id.name)
        self.assertIn("already counted", scan.scan_warning)
        self.assertEqual(line.counted_qty, 1)

    def test_unknown_barcode_gets_a_clear_message_and_the_next_scan_works(self):
        line = self.lines_of(self.cycle, self.hashboard, self.spares)
        scan = self.scanner(line.user_id)
        self.assertIsNone(scan.on_barcode_scanned("NOPE-123"), "no dialog that would swallow the next scan")
        self.assertIn("not a location, product or serial number", scan.scan_warning)
        scan.on_barcode_scanned(self.hashboard.barcode)
        self.assertIn("Scan a location", scan.scan_warning)
        scan.on_barcode_scanned(self.spares.barcode)
        scan.on_barcode_scanned(self.hashboard.barcode)
        self.assertFalse(scan.scan_warning)
        self.assertIn("counted 1", scan.message)
        self.assertEqual(line.counted_qty, 1)
        history = scan.history.splitlines()
        self.assertEqual(len(history), 4, "each scan says what it did")
        self.assertTrue(history[0].startswith(self.hashboard.barcode))
        self.assertIn("not counted", history[-1])

    def test_a_barcode_typed_by_hand_counts_like_a_scan(self):
        line = self.lines_of(self.cycle, self.hashboard, self.spares)
        scan = self.scanner(line.user_id)
        scan.barcode_input = self.spares.barcode
        scan._onchange_barcode_input()
        scan.barcode_input = self.hashboard.barcode
        scan._onchange_barcode_input()
        self.assertFalse(scan.barcode_input, "the field is ready for the next barcode")
        self.assertEqual((scan.location_id, line.counted_qty), (self.spares, 1))

    def scan_in_the_client(self, user, screen, barcode):
        """Scan the way the web client does: an onchange of the unsaved screen, its answer merged in."""
        Scan = self.env["foreman.cycle.count.scan"].sudo(user)
        answer = rpc(Scan, "onchange", [], dict(screen, _barcode_scanned=barcode), "_barcode_scanned",
                     Scan._onchange_spec())
        for name, value in answer["value"].items():
            screen[name] = value[0] if isinstance(value, (list, tuple)) else value
        return screen

    def test_the_scan_screen_keeps_its_place_when_a_scan_finishes_the_counters_work(self):
        # the counter's last line closes their Cycle Count activity: Odoo empties its whole cache
        # when it deletes it, and the unsaved screen's values with it
        lines = self.cycle.line_ids.filtered(lambda l: l.user_id == self.tech1 and l.lot_id)
        self.count_as_books(self.cycle, except_lines=lines[-1])
        Scan = self.env["foreman.cycle.count.scan"].sudo(self.tech1)
        screen = Scan.with_context(default_cycle_id=self.cycle.id).default_get(list(Scan._fields))
        screen = {name: screen.get(name, False) for name in Scan._onchange_spec()}
        self.scan_in_the_client(self.tech1, screen, lines[-1].location_id.barcode)
        self.scan_in_the_client(self.tech1, screen, lines[-1].lot_id.name)
        self.assertFalse(self.count_requests(self.cycle, self.tech1), "the counter's work is done")
        self.assertFalse(screen["scan_warning"])
        self.assertEqual((screen["cycle_id"], screen["location_id"], screen["mode"], screen["line_id"]),
                         (self.cycle.id, lines[-1].location_id.id, "increment", lines[-1].id))
        self.assertEqual(len(screen["history"].splitlines()), 2, "the location's scan is still listed")
        # the next scan counts where the screen says
        screen = self.scan_in_the_client(self.tech1, dict(screen, mode="set"), lines[-1].lot_id.name)
        self.assertIn("already counted", screen["scan_warning"] or "")
        self.assertEqual((screen["cycle_id"], screen["mode"]), (self.cycle.id, "set"))
