# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The rules of the screens, tried over RPC as curious users would (issue: trust)."""
import importlib.util
import os

from odoo.exceptions import AccessError, UserError, ValidationError

from ..models.cycle_count_plan import COORDINATOR, COUNTER, MANAGER
from .common import TODAY, CycleCountCase, rpc

BOOK_FIELDS = ("system_qty", "unit_cost", "variance_qty", "first_counted_qty")


def load_migration(version, name):
    """A migration script of the addon, as Odoo's upgrade runs it (its folder and file names are no modules)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations", version, name)
    spec = importlib.util.spec_from_file_location("foreman_cycle_count_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SecurityCase(CycleCountCase):
    """A started cycle with users who have no e-mail address, as warehouse staff often do."""

    @classmethod
    def setUpClass(cls):
        super(SecurityCase, cls).setUpClass()
        cls.counter = cls.make_user("sec_counter", COUNTER)
        cls.counter2 = cls.make_user("sec_counter2", COUNTER)
        cls.coordinator = cls.make_user("sec_coordinator", COORDINATOR)
        cls.manager = cls.make_user("sec_manager", MANAGER)
        cls.plan.cycles_per_count = 1
        cls.plan._generate_calendar(TODAY)
        cls.cycle = cls.plan.cycle_ids.filtered(lambda c: c.state == "planned")
        cls.cycle.sudo(cls.coordinator).action_start()
        cls.line = cls.lines_of(cls.cycle, cls.hashboard, cls.spares)
        cls.line.sudo(cls.coordinator).write({"user_id": cls.counter.id})

    @classmethod
    def make_user(cls, login, group, company=None):
        company = company or cls.env.ref("base.main_company")
        return cls.env["res.users"].with_context(no_reset_password=True).create({
            "name": login.replace("_", " ").title(), "login": login, "email": False,
            "company_id": company.id, "company_ids": [(6, 0, company.ids)],
            "groups_id": [(6, 0, [cls.env.ref("base.group_user").id, cls.env.ref(group).id])],
        })

    def as_user(self, model, user):
        return self.env[model].sudo(user)

    def submit_with(self, counts):
        """Count the given lines as given, the rest as the books, and close counting."""
        for line, qty in counts.items():
            self.count(line, qty)
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.coordinator).action_submit()
        return self.cycle.discrepancy_ids


class TestBlindCounting(SecurityCase):

    def test_read_group_does_not_total_book_figures_for_counters(self):
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        domain = [("cycle_id", "=", self.cycle.id)]
        for name in BOOK_FIELDS:
            with self.refused(AccessError, "book figures"):
                rpc(Line, "read_group", domain, [name, "location_id"], ["location_id"])
            with self.refused(AccessError, "book figures"):
                rpc(Line, "read_group", domain, ["location_id"], [name])
        for group in rpc(Line, "read_group", domain, [], ["location_id"]):
            self.assertFalse(set(BOOK_FIELDS) & set(group), group)
        totals = rpc(self.as_user("foreman.cycle.count.line", self.coordinator), "read_group",
                     [("id", "=", self.line.id)], ["system_qty", "location_id"], ["location_id"])
        self.assertEqual(totals[0]["system_qty"], 50)

    def test_domains_on_book_figures_are_refused_for_counters(self):
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        for name in BOOK_FIELDS:
            with self.refused(AccessError, "book figures"):
                rpc(Line, "search_count", [("id", "=", self.line.id), (name, ">", 25)])
        Cycle = self.as_user("foreman.cycle.count.cycle", self.counter)
        with self.refused(AccessError, "book figures"):
            rpc(Cycle, "search", [("line_ids.system_qty", ">", 25)])
        with self.refused(AccessError, "book figures"):
            rpc(Cycle, "search_read", [("line_ids.variance_qty", "!=", 0)], ["name"])
        Coordinator = self.as_user("foreman.cycle.count.line", self.coordinator)
        self.assertEqual(rpc(Coordinator, "search_count", [("id", "=", self.line.id), ("system_qty", ">", 25)]), 1)

    def test_ordering_by_book_figures_is_refused_for_counters(self):
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        for order in ("system_qty", "unit_cost desc, id", "id, variance_qty"):
            with self.refused(AccessError, "book figures"):
                rpc(Line, "search_read", [("cycle_id", "=", self.cycle.id)], ["id"], order=order)
        with self.refused(AccessError, "book figures"):
            rpc(Line, "read_group", [("cycle_id", "=", self.cycle.id)], ["location_id"], ["location_id"],
                orderby="system_qty")

    def test_cycle_does_not_tell_counters_whether_a_count_matched(self):
        Cycle = self.as_user("foreman.cycle.count.cycle", self.counter)
        for name in ("discrepancy_count", "discrepancy_rate"):
            with self.refused(AccessError):
                rpc(Cycle, "read", self.cycle.ids, [name])
        self.count(self.line, 49)
        figures = rpc(self.as_user("foreman.cycle.count.cycle", self.coordinator), "read", self.cycle.ids,
                      ["discrepancy_count"])
        self.assertEqual(figures[0]["discrepancy_count"], 1)

    def test_counters_cannot_export_whether_a_count_matched(self):
        self.count(self.line, 49)
        Cycle = self.as_user("foreman.cycle.count.cycle", self.counter)
        for path in ("discrepancy_count", "discrepancy_rate", "result_variance_value", "line_ids/system_qty",
                     "line_ids/variance_qty", "plan_id/hotspot_count"):
            with self.refused(AccessError, "book figures"):
                rpc(Cycle, "export_data", self.cycle.ids, ["name", path])
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        with self.refused(AccessError, "book figures"):
            rpc(Line, "export_data", self.line.ids, ["product_id", "first_counted_qty"])
        exported = rpc(Cycle, "export_data", self.cycle.ids, ["name", "line_ids/counted_qty"])
        self.assertEqual(exported["datas"][0][0], self.cycle.name, "what they may read still exports")
        coordinator = rpc(self.as_user("foreman.cycle.count.cycle", self.coordinator), "export_data",
                          self.cycle.ids, ["discrepancy_count"])
        self.assertEqual(coordinator["datas"], [["1"]])

    def test_counters_cannot_query_the_cycles_findings(self):
        self.cycle.sudo(self.coordinator).write({"observations": "<p>Theft suspected in Row 2</p>"})
        Cycle = self.as_user("foreman.cycle.count.cycle", self.counter)
        for name in ("result_discrepancy_count", "result_variance_value", "result_abs_variance_value"):
            with self.refused(AccessError, "book figures"):
                rpc(Cycle, "read_group", [], [name, "plan_id"], ["plan_id"])
            with self.refused(AccessError, "book figures"):
                rpc(Cycle, "search_read", [], ["name"], order="%s desc" % name)
        with self.refused(AccessError, "book figures"):
            rpc(Cycle, "search_count", [("observations", "ilike", "theft")])
        for group in rpc(Cycle, "read_group", [], [], ["plan_id"]):
            self.assertNotIn("result_variance_value", group)
        self.assertEqual(rpc(self.as_user("foreman.cycle.count.cycle", self.coordinator), "search_count",
                             [("observations", "ilike", "theft")]), 1)

    def test_recounter_cannot_learn_the_first_count(self):
        self.count(self.line, 47)
        self.line.sudo(self.coordinator).action_send_to_recount(self.counter2)
        Line = self.as_user("foreman.cycle.count.line", self.counter2)
        with self.refused(AccessError):
            rpc(Line, "read", self.line.ids, ["first_counted_qty"])
        with self.refused(AccessError, "book figures"):
            rpc(Line, "search_count", [("first_counted_qty", "=", 47)])
        with self.refused(AccessError, "book figures"):
            rpc(Line, "read_group", [], ["first_counted_qty", "state"], ["state"])

    def test_counters_do_not_read_approval_requests(self):
        major = self.lines_of(self.cycle, self.antminer, self.row1_rack1)[0]
        discs = self.submit_with({self.line: 47, major: 0})
        self.document(discs, self.coordinator)
        activities = self.env["mail.activity"].search([
            ("res_model", "=", discs._name), ("res_id", "in", discs.ids)])
        # the minor one is asked for on the cycle, which counters can read
        minor_request = self.env["mail.activity"].search([
            ("res_model", "=", self.cycle._name), ("res_id", "=", self.cycle.id),
            ("activity_type_id", "=", self.env.ref("foreman_cycle_count.mail_activity_type_minor_approval").id)])
        self.assertTrue(activities and minor_request)
        Activity = self.as_user("mail.activity", self.counter)
        self.assertFalse(rpc(Activity, "search_read", [("res_model", "=", discs._name)], ["summary"]))
        self.assertFalse(rpc(Activity, "search_read", [("id", "in", minor_request.ids)], ["summary", "note"]))
        self.assertFalse(rpc(Activity, "search", [("note", "ilike", "47")]))
        for request in (activities, minor_request):
            with self.refused(AccessError):
                rpc(Activity, "read", request.ids, ["summary"])
        with self.refused(AccessError):
            rpc(self.as_user(self.cycle._name, self.counter), "action_open_minor_approvals", self.cycle.ids)
        chatter = rpc(self.as_user(self.cycle._name, self.counter), "read", self.cycle.ids, ["activity_ids"])
        self.assertFalse(set(chatter[0]["activity_ids"]) & set(minor_request.ids))
        seen = rpc(self.as_user("mail.activity", self.coordinator), "search",
                   [("res_model", "=", discs._name), ("res_id", "in", discs.ids)])
        self.assertEqual(set(seen), set(activities.ids))


class TestIntegrity(SecurityCase):

    def test_snapshot_is_fixed_for_everyone_admin_included(self):
        discs = self.submit_with({self.line: 47})
        other = self.lines_of(self.cycle, self.cable)[0]
        admin = self.env.ref("base.user_root")
        for user in (self.coordinator, self.manager, admin):
            Line = self.as_user("foreman.cycle.count.line", user)
            for vals in ({"system_qty": 47}, {"location_id": other.location_id.id},
                         {"product_id": self.cable.id}, {"unit_cost": 0}, {"lot_id": False},
                         {"owner_id": self.tech1.partner_id.id}):
                with self.refused(AccessError, "recorded by the system"):
                    rpc(Line, "write", self.line.ids, vals)
            with self.refused(UserError, "being counted"):
                rpc(Line, "write", self.line.ids, {"counted_qty": 50})
        self.assertEqual((self.line.system_qty, self.line.counted_qty, self.line.location_id),
                         (50, 47, self.spares))
        self.assertEqual(discs.variance_qty, -3)

    def test_who_counted_investigated_and_approved_cannot_be_forged(self):
        major = self.lines_of(self.cycle, self.antminer, self.row1_rack1)[0]
        discs = self.submit_with({self.line: 47, major: 0})
        minor_disc = discs.filtered(lambda d: d.line_id == self.line)
        major_disc = discs - minor_disc
        Disc = self.as_user("foreman.cycle.count.discrepancy", self.coordinator)
        for vals in ({"approved_by_id": self.manager.id}, {"date_approved": "2026-11-25 10:00:00"},
                     {"investigator_id": self.manager.id}, {"documented_by_ids": [(5, 0, 0)]}):
            with self.refused(UserError, "recorded by its buttons"):
                rpc(Disc, "write", major_disc.ids, vals)
        with self.refused(AccessError, "recorded by the system"):
            rpc(self.as_user("foreman.cycle.count.line", self.coordinator), "write", self.line.ids,
                {"counted_by_id": self.manager.id})
        with self.refused(UserError, "Manager's approval"):
            self.cycle.sudo(self.coordinator).action_finalize()
        # documenting a discrepancy signs it: whoever documented it may not approve it
        rpc(Disc, "write", minor_disc.ids, {"root_cause": "miscount", "resolution": "Recounted the shelf"})
        self.assertEqual(minor_disc.investigator_id, self.coordinator)
        self.assertTrue(minor_disc.date_investigated)
        with self.refused(AccessError, "someone else"):
            rpc(Disc, "action_approve", minor_disc.ids)
        minor_disc.sudo(self.lead).action_approve()
        self.assertEqual(minor_disc.approved_by_id, self.lead)

    def test_found_item_cannot_carry_audit_fields(self):
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        for forged in ({"counted_by_id": self.manager.id}, {"first_counted_by_id": self.manager.id},
                       {"first_counted_qty": 3}, {"system_qty": 9}, {"state": "counted"}):
            with self.refused(UserError, "set by the system"):
                rpc(Line, "create", dict({"cycle_id": self.cycle.id, "product_id": self.cable.id,
                                          "location_id": self.spares.id, "counted_qty": 2}, **forged))

    def test_workflow_states_change_only_through_their_actions(self):
        discs = self.submit_with({self.line: 47})
        with self.refused(UserError, "recorded by its buttons"):
            rpc(self.as_user("foreman.cycle.count.discrepancy", self.coordinator), "write", discs.ids,
                {"state": "resolved"})
        with self.refused(UserError, "recorded by its buttons"):
            rpc(self.as_user("foreman.cycle.count.discrepancy", self.coordinator), "write", discs.ids,
                {"resolution_type": "relocation"})
        Cycle = self.as_user("foreman.cycle.count.cycle", self.coordinator)
        for vals in ({"state": "finalized"}, {"date_finalized": "2026-11-25 10:00:00"}, {"is_overdue": False}):
            with self.refused(UserError, "only through its buttons"):
                rpc(Cycle, "write", self.cycle.ids, vals)
        with self.refused(UserError, "starts planned"):
            rpc(Cycle, "create", {"plan_id": self.plan.id, "date_start": "2026-12-01",
                                  "date_end": "2026-12-31", "state": "finalized"})
        self.assertEqual((self.cycle.state, discs.state), ("review", "open"))

    def test_lines_go_to_counters_only(self):
        Line = self.as_user("foreman.cycle.count.line", self.coordinator)
        for user_id in (self.env.ref("base.public_user").id, "tech1"):
            with self.refused(UserError, "choose one"):
                rpc(Line, "write", self.line.ids, {"user_id": user_id})
        rpc(Line, "write", self.line.ids, {"user_id": self.counter2.id})
        self.assertEqual(self.line.user_id, self.counter2)
        with self.refused(AccessError, "assigned to another counter"):
            rpc(self.as_user("foreman.cycle.count.line", self.counter), "write", self.line.ids, {"counted_qty": 3})

    def test_send_to_recount_over_rpc_takes_a_user_id(self):
        self.count(self.line, 47)
        Line = self.as_user("foreman.cycle.count.line", self.coordinator)
        rpc(Line, "action_send_to_recount", self.line.ids, self.counter2.id)
        self.assertEqual((self.line.user_id, self.line.state, self.line.first_counted_qty),
                         (self.counter2, "recount", 47))
        self.assertEqual(self.cycle.message_ids[0].author_id, self.coordinator.partner_id)
        with self.refused(UserError, "Choose a cycle count Counter"):
            rpc(Line, "action_send_to_recount", self.line.ids, self.env.ref("base.public_user").id)

    def test_counter_saving_a_line_just_sent_to_recount_is_told(self):
        self.count(self.line, 47)
        self.line.sudo(self.coordinator).action_send_to_recount(self.counter2)
        with self.refused(AccessError, "just sent to another counter"):
            rpc(self.as_user("foreman.cycle.count.line", self.counter), "write", self.line.ids,
                {"counted_qty": 48})
        self.assertEqual(self.line.first_counted_qty, 47)

    def test_admin_gets_no_internal_shortcut(self):
        discs = self.submit_with({self.line: 47})
        admin_env = self.env(user=self.env.ref("base.user_root").id)
        with self.refused(UserError, "being counted"):
            rpc(admin_env["foreman.cycle.count.line"], "write", self.line.ids, {"counted_qty": 50})
        with self.refused(UserError, "come from the count"):
            rpc(admin_env["foreman.cycle.count.discrepancy"].with_context(foreman_sync_from_line=True),
                "write", discs.ids, {"counted_qty": 50})

    def test_found_item_scanned_is_valued_at_cost(self):
        # as the web client scans: an onchange of the barcode field, where Odoo 11 only caches assignments
        Scan = self.env["foreman.cycle.count.scan"].sudo(self.tech1)
        spec = Scan._onchange_spec()
        values = {"cycle_id": self.cycle.id, "location_id": False, "mode": "increment", "set_qty": 1.0,
                  "line_id": False, "message": False}
        for barcode in (self.row1_rack1.barcode, self.hashboard.barcode):
            result = rpc(Scan, "onchange", [], dict(values, _barcode_scanned=barcode), "_barcode_scanned", spec)
            values.update(location_id=result["value"].get("location_id", values["location_id"]))
            if isinstance(values["location_id"], (list, tuple)):
                values["location_id"] = values["location_id"][0]
        self.env["foreman.cycle.count.line"].invalidate_cache()  # the database, as the next request sees it
        found = self.lines_of(self.cycle, self.hashboard, self.row1_rack1)
        self.assertTrue(found.is_found)
        self.assertTrue(self.hashboard.standard_price)
        self.assertEqual(found.unit_cost, self.hashboard.standard_price)


class TestCompanies(SecurityCase):

    @classmethod
    def setUpClass(cls):
        super(TestCompanies, cls).setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Hosting B"})
        cls.coordinator_b = cls.make_user("sec_coordinator_b", COORDINATOR, cls.company_b)
        cls.counter_b = cls.make_user("sec_counter_b", COUNTER, cls.company_b)
        cls.location_b = cls.env["stock.location"].create({
            "name": "B Shelf", "usage": "internal", "company_id": cls.company_b.id})

    def test_other_company_sees_no_lines_segments_or_slices(self):
        for model in ("foreman.cycle.count.line", "foreman.cycle.count.segment", "foreman.cycle.count.slice"):
            Model = self.as_user(model, self.coordinator_b)
            self.assertFalse(rpc(Model, "search_read", [], ["id"]), model)
            self.assertFalse(rpc(Model, "read_group", [], ["company_id"], ["company_id"]), model)
        with self.refused(AccessError):
            rpc(self.as_user("foreman.cycle.count.line", self.coordinator_b), "read", self.line.ids, ["system_qty"])

    def test_what_a_record_copies_from_its_cycle_cannot_be_moved_to_another_company(self):
        major = self.lines_of(self.cycle, self.antminer, self.row1_rack1)[0]
        discs = self.submit_with({major: 0})
        self.document(discs, self.coordinator)
        hotspot_model = self.env["foreman.cycle.count.hotspot"]
        for model, record, name in (
                ("foreman.cycle.count.discrepancy", discs, "company_id"),
                ("foreman.cycle.count.discrepancy", discs, "plan_id"),
                ("foreman.cycle.count.cycle", self.cycle, "company_id"),
                ("foreman.cycle.count.line", major, "company_id"),
                ("foreman.cycle.count.line", major, "tracking"),
                ("foreman.cycle.count.slice", self.cycle.slice_ids[:1], "company_id"),
                ("foreman.cycle.count.segment", self.plan.segment_ids[:1], "company_id")):
            value = "none" if name == "tracking" else (self.company_b.id if name == "company_id" else False)
            with self.refused((UserError, AccessError), "be changed|nobody can edit it"):
                rpc(self.as_user(model, self.coordinator), "write", record.ids, {name: value})
        self.assertIn("company_id", hotspot_model._fields)
        self.assertTrue(hotspot_model._fields["company_id"].related, "hotspots copy theirs from the plan too")
        self.assertEqual(discs.company_id, self.cycle.company_id)
        self.assertEqual(self.antminer.tracking, "serial")
        with self.refused(UserError, "Manager's approval"):
            self.cycle.sudo(self.coordinator).action_finalize()
        self.assertFalse(rpc(self.as_user("foreman.cycle.count.discrepancy", self.coordinator_b), "search",
                             [("id", "in", discs.ids)]))

    def test_found_item_elsewhere_than_the_cycle_is_refused(self):
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        customer = self.env.ref("stock.stock_location_customers")
        outside = self.env["stock.location"].create({
            "name": "New Bay", "usage": "internal", "location_id": self.spares.location_id.id})
        service = self.env["product.product"].create({"name": "Rack cleaning", "type": "service"})
        consumable = self.env["product.product"].create({"name": "Zip ties", "type": "consu"})
        for product, location, message in (
                (self.cable, self.location_b, "not counted in cycle"),
                (self.cable, customer, "not counted in cycle"),
                (self.cable, outside, "not counted in cycle"),
                (service, self.spares, "not a stocked product"),
                (consumable, self.spares, "not a stocked product")):
            with self.refused(UserError, message):
                rpc(Line, "create", {"cycle_id": self.cycle.id, "product_id": product.id,
                                     "location_id": location.id, "counted_qty": 1})
        stock_b = self.on_hand(self.cable, self.location_b)
        self.assertEqual(stock_b, 0)

    def test_a_cycle_values_its_items_at_its_own_companys_cost(self):
        fan = self.env["product.product"].create({"name": "Fan 140mm", "type": "product", "standard_price": 40.0})
        fan.with_context(force_company=self.company_b.id).standard_price = 55.0
        psu = self.env["product.product"].create({"name": "PSU spare", "type": "product", "standard_price": 90.0})
        for product in (fan, psu):
            self.env["stock.quant"]._update_available_quantity(product, self.location_b, 3.0)
        plan = self.env["foreman.cycle.count.plan"].create({
            "name": "Hosting B spares", "company_id": self.company_b.id, "location_ids": [(6, 0, self.location_b.ids)],
            "counts_per_timeframe": 1, "cycles_per_count": 1, "user_ids": [(6, 0, self.counter_b.ids)]})
        plan._generate_calendar(TODAY)
        plan.cycle_ids.sudo(self.coordinator_b).action_start()
        cost = {line.product_id: line.unit_cost for line in plan.cycle_ids.line_ids}
        self.assertEqual(cost, {fan: 55.0, psu: 0.0}, "company B's cost, and none where B has none")

    def test_approvals_are_asked_within_the_company(self):
        major = self.lines_of(self.cycle, self.antminer, self.row1_rack1)[0]
        discs = self.submit_with({self.line: 47, major: 0})
        self.document(discs, self.coordinator)
        asked = self.env["mail.activity"].search([
            "|", "&", ("res_model", "=", discs._name), ("res_id", "in", discs.ids),
            "&", ("res_model", "=", self.cycle._name), ("res_id", "=", self.cycle.id)]).mapped("user_id")
        self.assertTrue(asked)
        self.assertNotIn(self.coordinator_b, asked)

    def test_another_companys_coordinator_reads_none_of_its_approval_requests(self):
        major = self.lines_of(self.cycle, self.antminer, self.row1_rack1)[0]
        discs = self.submit_with({self.line: 47, major: 0})
        self.document(discs, self.coordinator)
        domain = ["|", "&", ("res_model", "=", discs._name), ("res_id", "in", discs.ids),
                  "&", ("res_model", "=", self.cycle._name), ("res_id", "=", self.cycle.id)]
        self.assertTrue(rpc(self.as_user("mail.activity", self.coordinator), "search", domain))
        Activity = self.as_user("mail.activity", self.coordinator_b)
        self.assertFalse(rpc(Activity, "search_read", domain, ["summary", "note"]))
        self.assertFalse(rpc(Activity, "read_group", domain, ["user_id"], ["user_id"]))


class TestChatterAndStock(SecurityCase):
    """The chatter is evidence and counters count: tried over RPC as a curious user would."""

    def test_a_counter_cannot_make_or_validate_an_inventory_adjustment(self):
        Inventory = self.as_user("stock.inventory", self.counter)
        with self.refused(AccessError, "cannot make or validate inventory adjustments"):
            rpc(Inventory, "create", {"name": "My own count", "filter": "product", "product_id": self.cable.id,
                                      "location_id": self.spares.id})
        theirs = self.env["stock.inventory"].create({
            "name": "Finance recount", "filter": "partial", "location_id": self.spares.id})
        theirs.action_start()
        with self.refused(AccessError, "cannot make or validate"):
            rpc(self.as_user("stock.inventory.line", self.counter), "create", {
                "inventory_id": theirs.id, "product_id": self.hashboard.id, "location_id": self.spares.id,
                "product_qty": 500})
        theirs.write({"line_ids": [(0, 0, {"product_id": self.hashboard.id, "location_id": self.spares.id,
                                           "product_qty": 500})]})
        with self.refused(AccessError, "cannot make or validate"):
            rpc(Inventory, "action_done", theirs.ids)
        with self.refused(AccessError, "cannot make or validate"):
            rpc(self.as_user("stock.inventory.line", self.counter), "write", theirs.line_ids.ids, {"product_qty": 1})
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 50)
        theirs.sudo(self.coordinator).action_done()
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 500, "coordinators still adjust stock")

    def test_messages_on_cycle_counts_carry_their_real_author(self):
        discs = self.submit_with({self.line: 47})
        ops = self.env.ref("foreman_cycle_count.demo_user_ops").partner_id
        with self.refused(AccessError, "only cycle count Coordinators write|Only cycle count Coordinators"):
            rpc(self.as_user("mail.message", self.counter), "create", {
                "model": self.cycle._name, "res_id": self.cycle.id, "message_type": "comment",
                "body": "Cycle reviewed by operations, finalize it.", "author_id": ops.id})
        with self.refused(AccessError, "Only cycle count Coordinators"):
            rpc(self.as_user(self.cycle._name, self.counter), "message_post", self.cycle.ids,
                body="Cycle reviewed by operations, finalize it.", message_type="comment")
        with self.refused(AccessError, "in someone else's name"):
            rpc(self.as_user(discs._name, self.coordinator), "message_post", discs.ids,
                body="I approve this adjustment", message_type="comment", author_id=ops.id)
        posted = rpc(self.as_user(discs._name, self.coordinator), "message_post", discs.ids,
                     body="Checked the tickets.", message_type="comment")
        posted = self.env["mail.message"].browse(getattr(posted, "id", posted))
        self.assertEqual(posted.author_id, self.coordinator.partner_id)

    def test_a_counter_cannot_follow_what_they_may_not_read(self):
        discs = self.submit_with({self.line: 47})
        with self.refused(AccessError):
            rpc(self.as_user("mail.followers", self.counter), "create", {
                "res_model": discs._name, "res_id": discs.id, "partner_id": self.counter.partner_id.id,
                "subtype_ids": [(6, 0, self.env.ref("mail.mt_comment").ids)]})
        self.assertNotIn(self.counter.partner_id, discs.message_partner_ids)

    def test_what_counters_read_in_the_chatter_carries_no_finding(self):
        self.count(self.line, 47)
        self.line.sudo(self.coordinator).action_send_to_recount(self.counter2)
        self.count(self.line, 50, self.counter2)
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.counter).action_submit()
        disc = self.cycle.discrepancy_ids
        self.assertFalse(disc, "the recount matched the books")
        for counter in (self.counter, self.counter2):
            Message = self.as_user("mail.message", counter)
            texts = [row["body"] for row in rpc(Message, "search_read", [], ["body"])]
            leaks = [text for text in texts if "first count" in text or "discrepanc" in text]
            self.assertFalse(leaks, "%s reads %s" % (counter.name, leaks))
        self.assertIn("Counting done by %s" % self.counter.name, self.cycle.message_ids[0].body)


class TestBadInput(SecurityCase):

    def test_counts_that_are_not_plausible_numbers_get_a_clear_error(self):
        Line = self.as_user("foreman.cycle.count.line", self.counter)
        for value in (float("nan"), float("inf"), 1e308, 1e15, "twelve", [3], {"qty": 3}, True):
            with self.refused((UserError, ValidationError)):
                rpc(Line, "write", self.line.ids, {"counted_qty": value})
        self.line.product_uom_id.rounding = 1.0
        with self.refused(ValidationError, "steps of 1"):
            rpc(Line, "write", self.line.ids, {"counted_qty": 2.5})
        self.assertFalse(self.line.is_counted)
        rpc(Line, "write", self.line.ids, {"counted_qty": 48})
        self.assertEqual(self.line.counted_qty, 48)


class TestConfigurationReach(SecurityCase):

    def test_a_coordinator_reaches_the_configuration_without_being_inventory_manager(self):
        self.assertFalse(self.coordinator.has_group("stock.group_stock_manager"))
        menus = self.env["ir.ui.menu"].sudo(self.coordinator)._visible_menu_ids()
        config = self.env.ref("foreman_cycle_count.menu_cycle_count_config")
        for xmlid in ("menu_cycle_count_config", "menu_cycle_count_plans_coordinator", "menu_cycle_count_segments"):
            self.assertIn(self.env.ref("foreman_cycle_count." + xmlid).id, menus, xmlid)
        self.assertNotIn(config.id, self.env["ir.ui.menu"].sudo(self.counter)._visible_menu_ids())
        dock = self.env["stock.location"].create({"name": "Loading Dock", "usage": "internal",
                                                   "location_id": self.spares.location_id.id})
        segment = rpc(self.as_user("foreman.cycle.count.segment", self.coordinator), "create", {
            "name": "Loading dock", "plan_id": self.plan.id, "location_ids": [(6, 0, dock.ids)],
            "user_ids": [(6, 0, self.counter.ids)]})
        self.assertTrue(segment)
        with self.refused(AccessError):
            rpc(self.as_user("foreman.cycle.count.segment", self.counter), "write", [segment], {"name": "Mine"})

    def test_activity_menu_cards_say_what_is_asked_and_hide_book_figures_from_counters(self):
        # Odoo's activity menu opens the documents in a kanban view
        for user, visible in ((self.counter, False), (self.coordinator, True)):
            view = rpc(self.as_user(self.cycle._name, user), "fields_view_get", view_type="kanban")
            self.assertIn("activity_ids", view["fields"])
            self.assertEqual("minor_to_approve_count" in view["fields"], visible, user.login)
        view = rpc(self.as_user("foreman.cycle.count.discrepancy", self.manager), "fields_view_get",
                   view_type="kanban")
        for name in ("tier", "variance_qty", "variance_value", "root_cause", "activity_ids"):
            self.assertIn(name, view["fields"])

    def test_the_segment_has_a_form_of_its_own(self):
        arch = self.env["foreman.cycle.count.segment"].fields_view_get(view_type="form")["arch"]
        self.assertIn("Who counts it", arch)
        self.assertIn("many2many_tags", arch)


class TestOdooKeepsWorking(SecurityCase):

    def test_settings_admin_outside_cycle_counts_can_save_any_settings(self):
        admin = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "IT Admin", "login": "sec_it_admin",
            "groups_id": [(6, 0, [self.env.ref("base.group_system").id, self.env.ref("base.group_user").id])]})
        settings = self.env["res.config.settings"].sudo(admin).create({})
        settings.execute()
        self.assertEqual(self.plan.cycles_per_count, 1)

    def test_saving_settings_leaves_the_plan_alone_unless_its_fields_changed(self):
        self.env.user.company_id.cycle_count_plan_id = self.plan
        it_lead = self.make_user("sec_it_lead", COORDINATOR)
        it_lead.groups_id |= self.env.ref("base.group_system")
        self.plan.sudo(self.coordinator).write({"reminder_days": 2})
        settings = self.env["res.config.settings"].sudo(it_lead).create({})
        settings.execute()
        self.plan.invalidate_cache()
        self.assertEqual(self.plan.write_uid, self.coordinator, "an unchanged plan is not written")
        settings = self.env["res.config.settings"].sudo(it_lead).create({"cycle_count_counts_per_timeframe": 2})
        settings.execute()
        self.plan.invalidate_cache()  # the next request reads afresh
        self.assertEqual((self.plan.counts_per_timeframe, self.plan.write_uid), (2, it_lead))

    def test_every_step_works_for_users_without_email(self):
        self.assertFalse(self.coordinator.email or self.counter.email or self.manager.email)
        self.env["foreman.cycle.count.plan"].sudo(self.coordinator).create({"name": "Spares audit", "active": False})
        major = self.lines_of(self.cycle, self.antminer, self.row1_rack1)[0]
        major.sudo(self.coordinator).write({"user_id": self.counter.id})
        self.count(self.line, 45)
        self.count(major, 0)
        self.count_as_books(self.cycle)
        self.line.sudo(self.coordinator).action_send_to_recount(self.counter2.id)
        self.count(self.line, 46)
        self.cycle.sudo(self.counter).action_submit()
        discs = self.cycle.discrepancy_ids
        minor_disc = discs.filtered(lambda d: d.line_id == self.line)
        major_disc = discs - minor_disc
        as_coordinator = discs.sudo(self.coordinator)
        as_coordinator.write({"root_cause": "theft_loss", "resolution": "Reported to security",
                              "root_cause_note": "Rack door found open"})
        as_coordinator.filtered(lambda d: d == major_disc).action_mark_under_investigation()
        as_coordinator.filtered(lambda d: d == minor_disc).action_resolve()
        minor_disc.sudo(self.lead).action_approve()
        major_disc.sudo(self.manager).action_approve()
        self.cycle.sudo(self.coordinator).action_finalize()
        self.assertEqual(self.cycle.state, "finalized")
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 46)
        authors = (self.cycle.message_ids | discs.mapped("message_ids")).mapped("author_id")
        for user in (self.coordinator, self.counter, self.manager):
            self.assertIn(user.partner_id, authors)


class TestNextToOcaInventoryAddons(SecurityCase):
    """The test database is a company's: Invoicing (stock_account), Purchase, Manufacturing, Sales,
    product_expiry, OCA stock_inventory_discrepancy and stock_inventory_lockdown are installed."""

    def test_finalize_posts_valued_moves_that_say_why_through_odoos_adjustment(self):
        if "account_move_ids" not in self.env["stock.move"]._fields:
            self.skipTest("stock_account is not installed")
        category = self.env["product.category"].create({
            "name": "Hashboards valued in real time", "property_valuation": "real_time",
            "property_cost_method": "average"})
        self.hashboard.write({"categ_id": category.id, "standard_price": 120.0})
        discs = self.submit_with({self.line: 47})
        discs.sudo(self.coordinator).write({
            "root_cause": "unticketed_usage", "root_cause_note": "3 boards used in repairs without a ticket",
            "resolution": "Tickets created after the fact."})
        discs.sudo(self.lead).action_approve()
        self.cycle.sudo(self.coordinator).action_finalize()
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 47)
        move = self.cycle.inventory_id.move_ids
        self.assertEqual(move.name, "Cycle count %s: Used without a ticket - 3 boards used in repairs without "
                                    "a ticket" % self.cycle.name)
        entry_lines = move.account_move_ids.line_ids
        self.assertEqual(set(entry_lines.mapped("name")), {move.name}, "the journal items say why too")
        self.assertEqual(sorted(entry_lines.mapped("debit")), [0.0, 360.0])
        self.assertEqual(sorted(entry_lines.mapped("credit")), [0.0, 360.0])
        self.assertIn(category.property_stock_valuation_account_id, entry_lines.mapped("account_id"))

    def test_the_upgrade_gives_earlier_adjustments_their_reasons(self):
        discs = self.submit_with({self.line: 47})
        discs.sudo(self.coordinator).write({"root_cause": "theft_loss", "root_cause_note": "Cage left open",
                                            "resolution": "Lock the cage."})
        discs.sudo(self.lead).action_approve()
        self.cycle.sudo(self.coordinator).action_finalize()
        adjustment = self.cycle.inventory_id.line_ids
        adjustment.write({"cycle_count_reason": False})     # as finalized before 11.0.1.1.0
        migration = load_migration("11.0.1.1.0", "post-migration.py")
        migration.fill_adjustment_reasons(self.env)
        self.assertEqual(adjustment.cycle_count_reason,
                         "Cycle count %s: Theft or loss - Cage left open" % self.cycle.name)

    def test_approvers_follow_what_they_are_asked_to_approve(self):
        discs = self.submit_with({self.line: 20})
        self.assertEqual(discs.tier, "major")
        self.document(discs, self.coordinator)
        requests = self.env["mail.activity"].search([("res_model", "=", discs._name), ("res_id", "=", discs.id)])
        self.assertIn(self.manager, requests.mapped("user_id"))
        self.assertIn(self.manager.partner_id, discs.message_partner_ids,
                      "Odoo's activities make the approver a follower")

    def test_finalize_validates_its_adjustment_whatever_the_validate_button_does(self):
        # OCA's threshold parks an adjustment as 'pending' when its form button (normal_view) validates it
        self.spares.discrepancy_threshold = 1.0
        discs = self.submit_with({self.line: 47})
        self.document(discs, self.coordinator)
        discs.sudo(self.lead).action_approve()
        self.cycle.sudo(self.coordinator).with_context(normal_view=True).action_finalize()
        self.assertEqual(self.cycle.state, "finalized")
        self.assertEqual(self.cycle.inventory_id.state, "done")
        self.assertEqual(set(self.cycle.inventory_id.move_ids.mapped("state")), {"done"})
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 47)

    def test_an_adjustment_in_progress_on_the_same_stock_is_named(self):
        discs = self.submit_with({self.line: 47})
        self.document(discs, self.coordinator)
        discs.sudo(self.lead).action_approve()
        other = self.env["stock.inventory"].create({
            "name": "Spares recount by finance", "filter": "product", "product_id": self.hashboard.id,
            "location_id": self.spares.id})
        other.action_start()
        with self.refused(UserError, "Spares recount by finance"):
            self.cycle.sudo(self.coordinator).action_finalize()
        self.assertEqual(self.cycle.state, "review")
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 50)
