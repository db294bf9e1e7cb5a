# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import CycleCountCase


class DiscrepancyCase(CycleCountCase):
    """A started single-cycle plan over the whole demo facility."""

    @classmethod
    def setUpClass(cls):
        super(DiscrepancyCase, cls).setUpClass()
        cls.cycle = cls.start_single_cycle()
        cls.hashboard_line = cls.lines_of(cls.cycle, cls.hashboard, cls.spares)
        cls.miner_lines = cls.lines_of(cls.cycle, cls.antminer, cls.row1_rack1)

    def submit(self):
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.lead).action_submit()
        return self.cycle.discrepancy_ids

    def disc_of(self, line):
        return self.cycle.discrepancy_ids.filtered(lambda d: d.line_id == line)

    def approval_activities(self, disc):
        kind = self.env.ref("foreman_cycle_count.mail_activity_type_discrepancy_approval")
        return disc.activity_ids.filtered(lambda a: a.activity_type_id == kind)

    def minor_requests(self):
        kind = self.env.ref("foreman_cycle_count.mail_activity_type_minor_approval")
        return self.cycle.activity_ids.filtered(lambda a: a.activity_type_id == kind)


class TestKnowledgeBaseExamples(DiscrepancyCase):

    def test_hashboards_minus_three_is_minor_and_approved_once_documented(self):
        self.assertEqual(self.hashboard_line.system_qty, 50)
        self.count(self.hashboard_line, 47)
        disc = self.submit()
        self.assertEqual(len(disc), 1)
        self.assertEqual((disc.system_qty, disc.counted_qty, disc.variance_qty), (50, 47, -3))
        self.assertEqual(disc.variance_value, -3 * self.hashboard.standard_price)
        self.assertEqual(disc.tier, "minor")
        self.assertFalse(self.minor_requests(), "nothing to decide before it is documented")
        with self.refused(UserError, "before it is documented: record its Root Cause"):
            disc.sudo(self.lead).action_approve()
        # the inventory coordinator investigates, the warehouse lead decides (on one request for the cycle)
        disc.sudo(self.coord).write({"root_cause": "unticketed_usage"})
        self.assertEqual(disc.investigator_id, self.coord)
        self.assertTrue(disc.date_investigated)
        request = self.minor_requests()
        self.assertEqual(request.mapped("user_id"), self.lead)
        self.assertIn("Approve 1 minor discrepancies of %s" % self.cycle.name, request[0].summary)
        self.assertIn("-3", request[0].note)
        with self.refused(AccessError, "someone else must approve it"):
            disc.sudo(self.coord).action_approve()
        action = self.cycle.sudo(self.lead).action_open_minor_approvals()
        self.assertEqual(self.env[action["res_model"]].sudo(self.lead).search(action["domain"]), disc)
        disc.sudo(self.lead).action_approve()
        self.assertEqual((disc.approved_by_id, disc.state), (self.lead, "approved"))
        self.assertTrue(disc.date_approved)
        self.assertFalse(self.minor_requests(), "closed for every approver")
        self.assertIn("approved by %s" % self.lead.name, disc.message_ids[0].body)
        self.assertEqual(disc.message_ids[0].author_id, self.lead.partner_id)
        unresolved = self.env["foreman.cycle.count.discrepancy"].search(
            [("cycle_id", "=", self.cycle.id), ("state", "in", ("open", "under_investigation"))])
        self.assertFalse(unresolved, "approved is not open")
        self.assertAlmostEqual(self.cycle.discrepancy_rate, 100.0 / len(self.cycle.line_ids), places=2)
        reviewing = self.cycle.sudo(self.lead).action_open_discrepancies()
        self.assertIn("search_default_unresolved", reviewing["context"], "under review: what is left to decide")
        self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 47)
        closed = self.cycle.sudo(self.lead).action_open_discrepancies()
        self.assertEqual(self.env[closed["res_model"]].search(closed["domain"]), disc)
        self.assertNotIn("search_default", str(closed["context"]), "finalized: all of them, the approved one too")
        self.assertIn(self.cycle.name, self.cycle.inventory_id.move_ids.mapped("name")[0])

    def test_ten_missing_miners_are_major_and_block_finalization(self):
        missing = self.cycle.line_ids.filtered(lambda l: l.product_id == self.antminer)[:10]
        for line in missing:
            self.count(line, 0)
        discs = self.submit()
        self.assertEqual(len(discs), 10)
        self.assertEqual(set(discs.mapped("tier")), {"major"})
        self.assertFalse(self.approval_activities(discs[0]))
        discs.sudo(self.lead).write({"root_cause": "theft_loss"})
        self.assertFalse(self.approval_activities(discs[0]), "a major one needs its summary and resolution")
        with self.refused(UserError, "Investigation Summary, Resolution Taken"):
            discs[0].sudo(self.ops).action_approve()
        self.document(discs, self.lead, "theft_loss")
        requests = self.approval_activities(discs[0])
        self.assertEqual(requests.mapped("user_id"), self.ops | self.finance)
        self.assertEqual(len(self.env["mail.activity"].search([("res_model", "=", discs._name),
                                                                ("res_id", "in", discs.ids)])), 20,
                         "one request per major discrepancy and manager")
        self.assertIn("major discrepancy: %s, -1 " % discs[0].name, requests[0].summary)
        self.assertIn("Theft or loss", requests[0].note)
        with self.assertRaisesRegex(UserError, "Manager's approval"):
            self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.cycle.state, "review")
        self.assertFalse(discs[0].sudo(self.lead).can_approve)
        self.assertTrue(discs[0].sudo(self.ops).can_approve)
        with self.assertRaises(AccessError):
            discs[0].sudo(self.lead).action_approve()
        discs.sudo(self.ops).action_approve()
        self.assertFalse(discs[0].sudo(self.finance).can_approve, "already approved")
        self.assertFalse(self.approval_activities(discs[0]), "closed for the other manager too")
        self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.cycle.state, "finalized")
        for line in missing:
            self.assertEqual(self.on_hand(self.antminer, line.location_id, line.lot_id), 0)

    def test_miner_moved_to_repair_bay_is_relocated(self):
        line = self.miner_lines[0]
        serial = line.lot_id
        self.count(line, 0)
        found = self.Line.sudo(self.tech2).create({
            "cycle_id": self.cycle.id, "product_id": self.antminer.id,
            "location_id": self.repair_bay.id, "lot_id": serial.id, "counted_qty": 1})
        self.submit()
        disc = self.disc_of(line)
        self.assertEqual(disc.relocation_line_id, found)
        disc.sudo(self.lead).action_resolve_as_relocation()
        self.assertEqual(disc.root_cause, "moved")
        self.assertEqual(self.disc_of(found).resolution_type, "relocation")
        repair_before = self.on_hand(self.antminer, self.repair_bay)
        self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.on_hand(self.antminer, self.row1_rack1, serial), 0)
        self.assertEqual(self.on_hand(self.antminer, self.repair_bay, serial), 1)
        self.assertEqual(self.on_hand(self.antminer, self.repair_bay), repair_before + 1)
        picking = self.cycle.relocation_picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id.code, "internal")
        self.assertEqual((picking.location_id, picking.location_dest_id), (self.row1_rack1, self.repair_bay))
        self.assertFalse(self.cycle.inventory_id, "no loss and gain booked for a relocation")
        self.assertEqual(self.cycle.discrepancy_count, 1, "one serial moved: one discrepancy, not two")


class TestApprovalRules(DiscrepancyCase):

    def test_nobody_approves_their_own_count(self):
        self.hashboard_line.sudo(self.lead).write({"counted_qty": 48})
        disc = self.submit()
        with self.assertRaisesRegex(AccessError, "someone else"):
            disc.sudo(self.lead).action_approve()

    def test_investigator_cannot_approve(self):
        self.count(self.hashboard_line, 48)
        disc = self.submit()
        disc.sudo(self.lead).action_mark_under_investigation()
        self.assertEqual(disc.investigator_id, self.lead)
        self.document(disc, self.lead)
        with self.assertRaises(AccessError):
            disc.sudo(self.lead).action_approve()
        disc.sudo(self.ops).action_approve()

    def test_minor_requests_go_to_the_coordinator_who_did_not_investigate(self):
        self.count(self.hashboard_line, 48)
        cable_line = self.lines_of(self.cycle, self.cable, self.spares)
        self.count(cable_line, cable_line.system_qty - 1)
        discs = self.submit()
        self.assertEqual(set(discs.mapped("tier")), {"minor"})
        self.document(discs[0], self.lead)
        self.assertEqual(self.minor_requests().mapped("user_id"), self.coord)
        self.document(discs[1], self.lead)
        request = self.minor_requests()
        self.assertEqual(len(request), 1, "one request for the cycle, not one per discrepancy")
        self.assertIn("Approve 2 minor", request.summary)
        discs[0].sudo(self.coord).action_approve()
        self.assertIn("Approve 1 minor", self.minor_requests().summary)
        # Under Investigation takes it out of the request
        discs[1].sudo(self.lead).action_mark_under_investigation()
        self.assertFalse(self.minor_requests())

    def test_when_both_coordinators_documented_it_the_managers_are_asked(self):
        self.count(self.hashboard_line, 48)
        disc = self.submit()
        self.document(disc, self.lead)
        disc.sudo(self.coord).write({"resolution": "Adjusted; the shelf label was fixed."})
        self.assertEqual(self.minor_requests().mapped("user_id"), self.ops | self.finance)
        for coordinator in self.lead | self.coord:
            with self.refused(AccessError, "someone else must approve it"):
                disc.sudo(coordinator).action_approve()
        disc.sudo(self.finance).action_approve()
        self.assertEqual(disc.approved_by_id, self.finance)

    def test_counter_cannot_approve_or_read_discrepancies(self):
        self.count(self.hashboard_line, 48)
        disc = self.submit()
        with self.assertRaises(AccessError):
            api.call_kw(disc.sudo(self.tech1), "action_approve", [disc.ids], {})
        self.assertFalse(disc.approved_by_id)

    def test_discrepancies_are_recorded_batch_by_batch(self):
        from ..models import cycle_count_cycle
        differing = self.hashboard_line | self.miner_lines
        self.assertGreater(len(differing), 2)
        self.count(self.hashboard_line, 47)
        for line in self.miner_lines:
            self.count(line, 0)
        batch, cycle_count_cycle.SYNC_BATCH = cycle_count_cycle.SYNC_BATCH, 2
        try:
            discs = self.submit()
        finally:
            cycle_count_cycle.SYNC_BATCH = batch
        self.assertEqual(discs.mapped("line_id"), differing)
        for disc in discs:
            self.assertEqual((disc.counted_qty, disc.variance_qty), (disc.line_id.counted_qty, disc.line_id.variance_qty))

    def test_send_to_recount_from_the_discrepancy(self):
        self.count(self.hashboard_line, 47)
        disc = self.submit()
        recounter = (self.tech1 | self.tech2 | self.tech3) - self.hashboard_line.counted_by_id
        action = disc.sudo(self.lead).action_open_recount()
        wizard = self.env[action["res_model"]].sudo(self.lead).with_context(**action["context"]).create(
            {"user_id": recounter[0].id})
        self.assertEqual(wizard.line_ids, self.hashboard_line)
        wizard.action_confirm()
        self.assertEqual((self.hashboard_line.state, self.hashboard_line.user_id), ("recount", recounter[0]))
        self.assertEqual(self.cycle.state, "in_progress")
        self.assertEqual(self.cycle.message_ids[0].author_id, self.lead.partner_id, "the chatter credits the lead")
        with self.refused(AccessError):
            disc.sudo(self.tech1).action_open_recount()

    def test_a_decision_keeps_what_it_was_decided_on(self):
        self.count(self.hashboard_line, 47)
        disc = self.submit()
        self.document(disc, self.coord)
        disc.sudo(self.lead).action_approve()
        for name in ("root_cause", "root_cause_note", "resolution"):
            with self.refused(UserError, "amended, not erased"):
                api.call_kw(disc.sudo(self.coord), "write", [disc.ids, {name: False}], {})
        disc.sudo(self.coord).write({"root_cause_note": "Checked the shelf and the repair tickets."})
        self.assertEqual((disc.state, disc.approved_by_id), ("approved", self.lead))
        self.assertEqual(disc.root_cause, "miscount")

    def test_a_major_discrepancy_is_not_resolved_without_its_sign_off(self):
        line = self.miner_lines[0]
        self.count(line, 0)
        disc = self.submit()
        self.assertEqual(disc.tier, "major")
        self.document(disc, self.lead, "theft_loss")
        with self.refused(UserError, "a Manager approves it before it is resolved"):
            disc.sudo(self.lead).action_resolve()
        self.assertEqual(disc.state, "open")
        self.assertTrue(self.approval_activities(disc), "the Managers are still asked")
        disc.sudo(self.ops).action_approve()
        disc.sudo(self.lead).action_resolve()
        self.assertEqual(disc.state, "resolved")

    def test_a_count_changed_after_the_decision_withdraws_it_and_says_so(self):
        line = self.miner_lines[0]
        self.count(line, 0)
        disc = self.submit()
        self.document(disc, self.lead, "theft_loss")
        disc.sudo(self.ops).action_approve()
        line.sudo(self.lead).action_send_to_recount(self.tech2)
        self.count(line, 1, user=self.tech2)
        self.assertEqual((disc.variance_qty, disc.state), (0, "resolved"), "the recount matched the books")
        self.assertFalse(disc.approved_by_id, "no longer approved as a theft")
        self.assertEqual(disc.root_cause, "miscount")
        notes = " ".join(disc.message_ids.mapped("body"))
        self.assertIn("The count changed after %s approved it: the approval is withdrawn" % self.ops.name, notes)

    def test_a_recount_in_review_refreshes_the_discrepancy(self):
        first_counter = self.hashboard_line.user_id
        third_counter = (self.tech2 | self.tech3) - first_counter
        self.count(self.hashboard_line, 47)
        disc = self.submit()
        self.document(disc, self.lead)
        disc.sudo(self.ops).action_approve()
        self.hashboard_line.sudo(self.lead).action_send_to_recount(self.tech1)
        self.assertEqual(self.cycle.state, "in_progress")
        self.assertEqual(disc.line_state, "recount", "the form says a recount is pending")
        self.count(self.hashboard_line, 45, user=self.tech1)
        # the discrepancy shows the recount at once, before anyone presses Counting Done
        self.assertEqual((disc.counted_qty, disc.variance_qty), (45, -5))
        self.assertIn("Recounted by %s: 45 (first count 47), variance -5" % self.tech1.name, disc.message_ids[0].body)
        note = disc.message_ids[0]
        self.assertEqual(note.author_id, self.env.ref("base.partner_root"),
                         "written by the system: the recounter must not read the first count in it")
        with self.assertRaises(AccessError):
            note.sudo(self.tech1).read(["body"])
        self.cycle.sudo(self.lead).action_submit()
        self.assertEqual(self.cycle.discrepancy_ids, disc)
        self.assertIn("Counting done by %s" % self.lead.name, self.cycle.message_ids[0].body)
        self.assertEqual((disc.counted_qty, disc.variance_qty), (45, -5))
        self.assertEqual((disc.approved_by_id, disc.state), (self.env["res.users"], "open"),
                         "new figures need a new approval")
        self.assertEqual(self.minor_requests().mapped("user_id"), self.coord)
        # a second recount matching the books closes the discrepancy
        self.hashboard_line.sudo(self.lead).action_send_to_recount(third_counter)
        self.assertFalse(self.minor_requests(), "nothing to decide while the recount is pending")
        with self.refused(UserError, "being recounted"):
            disc.sudo(self.ops).action_approve()
        self.count(self.hashboard_line, 50, user=third_counter)
        self.cycle.sudo(self.lead).action_submit()
        self.assertEqual(self.cycle.sudo(self.lead).discrepancy_count, 0, "what the Discrepancies button counts")
        self.assertEqual(self.cycle.discrepancy_ids, disc, "kept, with its history")
        self.assertEqual((disc.variance_qty, disc.state, disc.root_cause), (0, "resolved", "miscount"))
        self.assertFalse(self.minor_requests())
        self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 50)

    def test_tiers_follow_thresholds_and_six_to_nine_units_are_major(self):
        cable_line = self.lines_of(self.cycle, self.cable, self.spares)
        self.count(cable_line, cable_line.system_qty - 7)
        disc = self.submit()
        self.assertEqual(disc.tier, "major")

    def test_other_root_cause_needs_an_explanation(self):
        self.count(self.hashboard_line, 48)
        disc = self.submit()
        with self.refused(ValidationError, "Explain"):
            disc.sudo(self.lead).write({"root_cause": "other"})
        disc.sudo(self.lead).write({"root_cause": "other", "root_cause_note": "Water damage"})

    def test_root_cause_suggests_a_resolution(self):
        self.count(self.hashboard_line, 48)
        disc = self.submit()
        form = self.env["foreman.cycle.count.discrepancy"].new({"root_cause": "miscount"})
        form._onchange_root_cause()
        self.assertIn("Recount", form.resolution)
        self.assertTrue(disc)

    def test_bulk_edit(self):
        for line in self.miner_lines[:3]:
            self.count(line, 0)
        discs = self.submit()
        wizard = self.env["foreman.cycle.count.discrepancy.bulk"].sudo(self.lead).with_context(
            active_ids=discs.ids).create({"root_cause": "theft_loss", "state": "under_investigation",
                                          "resolution": "Police report filed"})
        wizard.action_apply()
        self.assertEqual(set(discs.mapped("root_cause")), {"theft_loss"})
        self.assertEqual(set(discs.mapped("state")), {"under_investigation"})
        self.assertEqual(discs.mapped("investigator_id"), self.lead)
        for disc in discs:
            # the audit trail of each one: who wrote what, as Odoo's tracking shows it
            tracked = disc.message_ids.filtered("tracking_value_ids")
            documented = tracked.filtered(lambda m: "root_cause" in m.tracking_value_ids.mapped("field"))
            self.assertEqual(len(documented), 1, disc.name)
            self.assertEqual(documented.author_id, self.lead.partner_id)
            values = {value.field: value.get_display_value("new")[0] for value in documented.tracking_value_ids}
            self.assertEqual(values["root_cause"], "Theft or loss")
            self.assertEqual(values["resolution"], "Police report filed")
            self.assertEqual(values["investigator_id"], self.lead.name)
            self.assertIn("date_investigated", values)
        unexplained = self.env["foreman.cycle.count.discrepancy.bulk"].sudo(self.lead).with_context(
            active_ids=discs.ids).create({"state": "resolved", "root_cause": "miscount"})
        discs.write({"resolution": False})
        with self.refused(UserError, "Resolution Taken"):
            unexplained.action_apply()


class TestFinalization(DiscrepancyCase):

    def test_under_investigation_does_not_block_and_stays_editable(self):
        line = self.miner_lines[0]
        self.count(line, 0)
        disc = self.submit()
        self.assertEqual(disc.tier, "major")
        disc.sudo(self.lead).action_mark_under_investigation()
        self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.cycle.state, "finalized")
        self.assertFalse(self.approval_activities(disc), "nothing to decide while under investigation")
        # counts and quantities are locked, over RPC too
        with self.assertRaises(UserError):
            api.call_kw(self.Line.sudo(self.lead), "write", [[line.id], {"counted_qty": 1}], {})
        with self.assertRaises(UserError):
            api.call_kw(disc.sudo(self.lead), "write", [disc.ids, {"counted_qty": 1}], {})
        with self.assertRaises(UserError):
            api.call_kw(disc.sudo(self.ops), "write", [disc.ids, {"variance_qty": 0}], {})
        with self.assertRaises(UserError):
            api.call_kw(disc.sudo(self.ops).with_context(foreman_sync_from_line=True), "write",
                        [disc.ids, {"counted_qty": 1}], {})
        # discrepancies come from counts only: nobody creates or deletes them by hand
        with self.refused(UserError, "part of its record"):
            disc.sudo(self.ops).unlink()
        with self.refused(AccessError):
            disc.sudo(self.ops).copy()
        with self.refused(UserError, "archive it instead"):
            self.plan.sudo(self.ops).unlink()
        # the investigation goes on, and its end needs a Manager's sign-off: stock was adjusted without one
        disc.sudo(self.lead).write({"root_cause": "theft_loss", "resolution": "Reported to security"})
        with self.refused(UserError, "Investigation Summary"):
            disc.sudo(self.lead).action_resolve()
        self.document(disc, self.lead, "theft_loss")
        disc.sudo(self.lead).action_resolve()
        self.assertEqual(disc.state, "resolved")
        self.assertEqual(line.counted_qty, 0)
        self.assertEqual(self.approval_activities(disc).mapped("user_id"), self.ops | self.finance)
        disc.sudo(self.ops).action_approve()
        self.assertEqual((disc.state, disc.approved_by_id), ("resolved", self.ops))
        self.assertFalse(self.approval_activities(disc))

    def test_stock_is_counted_quantity_plus_moves_after_the_snapshot(self):
        self.count(self.hashboard_line, 47)
        self.deliver(self.hashboard, self.spares, 5)
        cable_line = self.lines_of(self.cycle, self.cable, self.spares)
        self.count(cable_line, cable_line.system_qty + 2)
        self.receive(self.cable, self.spares, 100)
        discs = self.submit()
        self.document(discs, self.lead)
        discs.filtered(lambda d: d.tier == "major").sudo(self.ops).action_approve()
        self.cycle.sudo(self.lead).action_finalize()
        self.assertEqual(self.on_hand(self.hashboard, self.spares), 47 - 5)
        self.assertEqual(self.on_hand(self.cable, self.spares), cable_line.system_qty + 2 + 100)

    def test_a_failure_midway_leaves_no_partial_adjustment(self):
        # a relocation is applied first, then the adjustment fails
        line = self.miner_lines[0]
        self.count(line, 0)
        self.Line.sudo(self.tech2).create({
            "cycle_id": self.cycle.id, "product_id": self.antminer.id,
            "location_id": self.repair_bay.id, "lot_id": line.lot_id.id, "counted_qty": 1})
        self.count(self.hashboard_line, 47)
        self.submit()
        self.disc_of(line).sudo(self.lead).action_resolve_as_relocation()
        self.hashboard.type = "consu"  # stock.inventory refuses to adjust a consumable
        with self.assertRaisesRegex((UserError, ValidationError), "only adjust stockable"):
            self.cycle.sudo(self.lead).action_finalize()
        self.env.clear()
        self.assertEqual(self.cycle.state, "review")
        self.assertEqual(self.on_hand(self.antminer, self.row1_rack1, line.lot_id), 1)
        self.assertEqual(self.on_hand(self.antminer, self.repair_bay, line.lot_id), 0)
        self.assertFalse(self.cycle.relocation_picking_ids)
        self.assertFalse(self.env["stock.inventory"].search([("name", "=", self.cycle.name)]))

    def test_only_coordinators_finalize(self):
        self.submit()
        with self.assertRaises(AccessError):
            self.cycle.sudo(self.tech1).action_finalize()

    def test_discrepancy_report_renders(self):
        self.count(self.miner_lines[0], 0)
        disc = self.submit()
        disc.sudo(self.lead).write({"root_cause": "theft_loss", "resolution": "Reported",
                                    "root_cause_note": "Rack 1 was open overnight."})
        self.env["ir.attachment"].create({"name": "rack-photo.jpg", "datas_fname": "rack-photo.jpg",
                                          "res_model": disc._name, "res_id": disc.id, "datas": b""})
        disc.sudo(self.ops).action_approve()
        html = self.env.ref("foreman_cycle_count.action_report_discrepancy").render_qweb_html(disc.ids)[0]
        html = html.decode() if isinstance(html, bytes) else html
        for text in (disc.lot_id.name, "Theft or loss", "Reported", "rack-photo.jpg", self.ops.name,
                     "Approved by %s." % self.ops.name, "Rack 1 was open overnight.",
                     self.cycle.company_id.name, "Investigated by", "Signature"):
            self.assertIn(text, html)
        self.assertNotIn("Not recorded yet", html)

    def test_an_undocumented_report_says_so_and_prints_no_blanks(self):
        self.count(self.miner_lines[0], 0)
        disc = self.submit()
        html = self.env.ref("foreman_cycle_count.action_report_discrepancy").render_qweb_html(disc.ids)[0]
        html = html.decode() if isinstance(html, bytes) else html
        self.assertIn("Open, to be documented (Root Cause, Investigation Summary, Resolution Taken) before approval.",
                      html)
        self.assertIn("Not recorded yet", html)
        for absent in ("Resolution taken", "Attachments", "Investigation summary", ", </"):
            self.assertNotIn(absent, html)
        self.assertIn(self.cycle.company_id.name, html, "the company is in the body, not only in a header")

    def test_several_discrepancies_print_as_one_document(self):
        for line in self.miner_lines[:2]:
            self.count(line, 0)
        discs = self.submit()
        html = self.env.ref("foreman_cycle_count.action_report_discrepancy").render_qweb_html(discs.ids)[0]
        html = html.decode() if isinstance(html, bytes) else html
        # one body for wkhtmltopdf, one page per discrepancy
        self.assertEqual(html.count('class="article'), 1)
        self.assertEqual(html.count("Discrepancy Report:"), 2)

    def deliver(self, product, location, qty):
        self._transfer(product, location, self.env.ref("stock.stock_location_customers"), qty,
                       self.env.ref("stock.picking_type_out"))

    def receive(self, product, location, qty):
        self._transfer(product, self.env.ref("stock.stock_location_suppliers"), location, qty,
                       self.env.ref("stock.picking_type_in"))

    def _transfer(self, product, source, destination, qty, picking_type):
        picking = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id, "location_id": source.id,
            "location_dest_id": destination.id,
            "move_lines": [(0, 0, {"name": product.name, "product_id": product.id,
                                   "product_uom": product.uom_id.id, "product_uom_qty": qty,
                                   "location_id": source.id, "location_dest_id": destination.id})]})
        picking.action_confirm()
        picking.action_assign()
        for move_line in picking.move_line_ids:
            move_line.qty_done = move_line.product_uom_qty
        picking.action_done()
        self.assertEqual(picking.state, "done")
