# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from collections import defaultdict
from html import escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..lib import discrepancy as discrepancy_lib
from ..lib import scheduling
from ..lib import stock_keys
from .cycle_count_plan import COORDINATOR, expand_tree

OPEN_STATES = ("planned", "in_progress", "review")
# Lines whose discrepancies are written together when counting closes (memory stays at one batch).
SYNC_BATCH = 500
# Items listed in a cycle's request to approve its minor discrepancies.
MINOR_REQUEST_ITEMS = 20
# The workflow's own record: changed by its actions only.
SYSTEM_FIELDS = frozenset({
    "state", "date_started", "date_finalized", "inventory_id", "relocation_picking_ids",
    "reminded_user_ids", "is_overdue", "started_by_id", "finalized_by_id",
    "result_counted_count", "result_discrepancy_count", "result_discrepancy_rate",
    "result_variance_value", "result_abs_variance_value"})
# What the calendar decides: editable while the cycle is planned.
PLANNING_FIELDS = frozenset({
    "plan_id", "date_start", "date_end", "count_index", "cycle_index", "slice_ids", "user_ids"})


class CycleCountCycle(models.Model):
    """One scheduled cycle of a plan: a date window and a slice of the scope."""

    _name = "foreman.cycle.count.cycle"
    _description = "Cycle Count Cycle"
    _inherit = ["foreman.cycle.count.mail.thread", "mail.activity.mixin", "foreman.cycle.count.restricted.mixin",
                "foreman.cycle.count.copied.fields.mixin"]
    _order = "date_start, plan_id, id"

    name = fields.Char(
        "Reference", required=True, readonly=True, copy=False,
        default=lambda self: self.env["ir.sequence"].next_by_code("foreman.cycle.count.cycle") or "/")
    plan_id = fields.Many2one(
        "foreman.cycle.count.plan", required=True, ondelete="cascade", index=True,
        track_visibility="onchange")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, readonly=True)
    color = fields.Integer(related="plan_id.id", readonly=True)
    date_start = fields.Date(required=True, index=True, track_visibility="onchange")
    date_end = fields.Date(required=True, track_visibility="onchange")
    count_index = fields.Integer("Count", default=1, help="Which count of the timeframe.")
    cycle_index = fields.Integer("Cycle", default=1, help="Which cycle of its count.")
    state = fields.Selection(
        [("planned", "Planned"),
         ("in_progress", "Counting"),
         ("review", "To Review"),
         ("finalized", "Finalized"),
         ("cancelled", "Cancelled")],
        default="planned", required=True, readonly=True, copy=False, index=True,
        track_visibility="onchange")
    is_overdue = fields.Boolean(
        "Overdue", readonly=True, copy=False, index=True,
        help="The cycle ended without being finalized.")
    slice_ids = fields.One2many(
        "foreman.cycle.count.slice", "cycle_id",
        help="The part of the plan's scope counted in this cycle.")
    planned_item_count = fields.Integer(compute="_compute_planned_item_count", store=True)
    user_ids = fields.Many2many(
        "res.users", "foreman_cycle_count_cycle_user_rel", "cycle_id", "user_id",
        string="Responsible Counters")
    reminded_user_ids = fields.Many2many(
        "res.users", "foreman_cycle_count_cycle_reminded_rel", "cycle_id", "user_id",
        string="Reminded Counters", readonly=True, copy=False)
    line_ids = fields.One2many("foreman.cycle.count.line", "cycle_id", string="Count Lines")
    discrepancy_ids = fields.One2many(
        "foreman.cycle.count.discrepancy", "cycle_id", string="Discrepancies")
    line_count = fields.Integer(compute="_compute_progress")
    counted_line_count = fields.Integer(compute="_compute_progress")
    # whether a count matched the books: hidden from counters, like the book figures
    discrepancy_count = fields.Integer(compute="_compute_progress", groups=COORDINATOR)
    minor_to_approve_count = fields.Integer(
        "Minor to Approve", compute="_compute_minor_to_approve_count", groups=COORDINATOR,
        help="Minor discrepancies of this cycle, documented, that you may approve.")
    discrepancy_rate = fields.Float(
        "Discrepancy Rate (%)", compute="_compute_progress", digits=(16, 2), groups=COORDINATOR,
        help="Items with a discrepancy divided by items counted, in percent.")
    date_started = fields.Datetime(readonly=True, copy=False)
    started_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_finalized = fields.Datetime(readonly=True, copy=False)
    finalized_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    # the review's findings: written by coordinators in any state, finalized included
    observations = fields.Html(
        "Key Observations", groups=COORDINATOR, copy=False,
        help="What the review of this cycle found, for the auditors: patterns, causes, actions decided.")
    # the cycle's figures as they stood when it was finalized (later investigation does not change them)
    result_counted_count = fields.Integer("Items Counted", readonly=True, copy=False)
    result_discrepancy_count = fields.Integer(
        "Items with Discrepancies", readonly=True, copy=False, groups=COORDINATOR)
    result_discrepancy_rate = fields.Float(
        "Final Discrepancy Rate (%)", readonly=True, copy=False, digits=(16, 2), groups=COORDINATOR)
    result_variance_value = fields.Monetary(
        "Net Variance Value", readonly=True, copy=False, groups=COORDINATOR, currency_field="currency_id",
        help="Sum of the counted variances at unit cost, when the cycle was finalized (transfers of serials "
             "found elsewhere excluded).")
    result_abs_variance_value = fields.Monetary(
        "Absolute Variance Value", readonly=True, copy=False, groups=COORDINATOR, currency_field="currency_id",
        help="Sum of the variances' values regardless of sign, when the cycle was finalized.")
    inventory_id = fields.Many2one(
        "stock.inventory", "Stock Adjustment", readonly=True, copy=False,
        help="The inventory adjustment that applied the counted variances.")
    relocation_picking_ids = fields.Many2many(
        "stock.picking", "foreman_cycle_count_cycle_picking_rel", "cycle_id", "picking_id",
        string="Relocations", readonly=True, copy=False)

    @api.depends("slice_ids.item_count")
    def _compute_planned_item_count(self):
        for cycle in self:
            cycle.planned_item_count = sum(cycle.slice_ids.mapped("item_count"))

    def _compute_progress(self):
        lines = self.env["foreman.cycle.count.line"].sudo()
        totals = {row["cycle_id"][0]: row["cycle_id_count"] for row in lines.read_group(
            [("cycle_id", "in", self.ids)], ["cycle_id"], ["cycle_id"])}
        counted = {row["cycle_id"][0]: row["cycle_id_count"] for row in lines.read_group(
            [("cycle_id", "in", self.ids), ("is_counted", "=", True)], ["cycle_id"], ["cycle_id"])}
        differing = {row["cycle_id"][0]: row["cycle_id_count"] for row in lines.read_group(
            [("cycle_id", "in", self.ids), ("is_counted", "=", True), ("variance_qty", "!=", 0)],
            ["cycle_id"], ["cycle_id"])}
        # a serial found elsewhere differs at both places: one discrepancy, resolved by a transfer
        relocated = {row["cycle_id"][0]: row["cycle_id_count"] for row in self.env[
            "foreman.cycle.count.discrepancy"].sudo().read_group(
            [("cycle_id", "in", self.ids), ("resolution_type", "=", "relocation"), ("variance_qty", ">", 0)],
            ["cycle_id"], ["cycle_id"])}
        for cycle in self:
            cycle.line_count = totals.get(cycle.id, 0)
            cycle.counted_line_count = counted.get(cycle.id, 0)
            cycle.discrepancy_count = differing.get(cycle.id, 0) - relocated.get(cycle.id, 0)
            cycle.discrepancy_rate = discrepancy_lib.discrepancy_rate(
                cycle.discrepancy_count, cycle.counted_line_count)

    def _compute_minor_to_approve_count(self):
        for cycle in self:
            cycle.minor_to_approve_count = len(cycle._minor_awaiting_by_approver().get(self.env.uid, []))

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for cycle in self:
            if cycle.date_end < cycle.date_start:
                raise UserError(_("Cycle %s ends before it starts.") % cycle.name)

    @api.model
    def create(self, vals):
        recorded = {name for name in SYSTEM_FIELDS.intersection(vals) if vals[name]} - {"state"}
        if recorded or vals.get("state", "planned") != "planned":
            raise UserError(_("A new cycle starts planned; its progress is recorded by its actions."))
        return super(CycleCountCycle, self).create(vals)

    @api.multi
    def write(self, vals):
        if SYSTEM_FIELDS.intersection(vals):
            raise UserError(_("The status of a cycle and what it recorded change only through its buttons "
                              "(Start, Counting Done, Finalize, Cancel)."))
        if PLANNING_FIELDS.intersection(vals) and self.filtered(lambda cycle: cycle.state != "planned"):
            raise UserError(_("Dates, scope and counters of a cycle can only change while it is planned."))
        return super(CycleCountCycle, self).write(vals)

    def _write_system(self, vals):
        """Workflow steps record their progress here, past the user-facing write rules."""
        return super(CycleCountCycle, self).write(vals)  # pylint: disable=super-method-mismatch

    @api.multi
    def unlink(self):
        if any(cycle.state not in ("planned", "cancelled") for cycle in self):
            raise UserError(_("Only planned or cancelled cycles can be deleted."))
        return super(CycleCountCycle, self).unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_start(self):
        """Snapshot the books for this cycle's slice and open counting."""
        self._check_coordinator()
        for cycle in self:
            if cycle.state != "planned":
                raise UserError(_("Cycle %s is not planned: it cannot be started.") % cycle.name)
            cycle._snapshot_lines()
            cycle._write_system({"state": "in_progress", "date_started": fields.Datetime.now(),
                                 "started_by_id": self.env.uid})
            cycle._drop_reminders()
            cycle._request_counts()
        return True

    @api.multi
    def action_submit(self):
        """Counting is done: move to review, or list what is still uncounted."""
        for cycle in self:
            if cycle.state != "in_progress":
                raise UserError(_("Cycle %s is not being counted.") % cycle.name)
            cycle._check_all_counted()
            # counters may close counting: the chatter line below says who did
            cycle.sudo().with_context(tracking_disable=True)._write_system({"state": "review"})
            cycle.sudo()._sync_discrepancies()
            # counters may close counting without write access to the cycle; they read this chatter,
            # so it tells nothing of the discrepancies (the Discrepancies button counts them)
            cycle.sudo().message_post(
                body=_("Counting done by %s: the counts are ready for review.") % self.env.user.name,
                author_id=self.env.user.partner_id.id)
        return True

    def _check_all_counted(self):
        """Counting Done with lines left names them, and who still has them to count."""
        domain = [("cycle_id", "=", self.id), ("is_counted", "=", False)]
        Line = self.env["foreman.cycle.count.line"].sudo()
        per_counter = Line.read_group(domain, ["user_id"], ["user_id"])
        if not per_counter:
            return
        nobody = _("no counter")
        raise UserError(_("%(count)d lines are not counted yet (%(counters)s):\n%(lines)s") % {
            "count": sum(group["user_id_count"] for group in per_counter),
            "counters": ", ".join("%s: %d" % (group["user_id"][1] if group["user_id"] else nobody,
                                              group["user_id_count"]) for group in per_counter),
            "lines": "\n".join("%s (%s)" % (line._describe(), line.user_id.name or nobody)
                               for line in Line.search(domain, limit=30))})

    @api.multi
    def action_finalize(self):
        """Apply the counted variances to stock and lock the cycle, all or nothing."""
        self._check_coordinator()
        for cycle in self:
            if cycle.state != "review":
                raise UserError(_("Only a cycle in review can be finalized (%(cycle)s is %(state)s).") % {
                    "cycle": cycle.name, "state": dict(self._fields["state"].selection)[cycle.state]})
            cycle._check_discrepancies_approved()
            cycle._check_no_open_adjustment()
            with self.env.cr.savepoint():
                # stock operations need Inventory Manager rights coordinators may lack;
                # their own chatter would want the superuser's e-mail address
                stock_cycle = cycle.sudo().with_context(
                    tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
                stock_cycle._apply_relocations()
                stock_cycle._apply_adjustments()
                cycle._write_system(dict(cycle._result_figures(), state="finalized", is_overdue=False,
                                         date_finalized=fields.Datetime.now(), finalized_by_id=self.env.uid))
            # the finalizing coordinator decided the minor ones
            cycle._sync_minor_approval_requests()
            cycle._drop_activities("foreman_cycle_count.mail_activity_type_count")
            cycle.message_post(body=_("Cycle finalized: stock now matches the physical count."))
        return True

    @api.multi
    def action_cancel(self):
        self._check_coordinator()
        if any(cycle.state not in ("planned", "in_progress") for cycle in self):
            raise UserError(_("Only planned or counting cycles can be cancelled."))
        self._write_system({"state": "cancelled"})
        self._drop_reminders()
        self._drop_activities("foreman_cycle_count.mail_activity_type_count")
        return True

    @api.multi
    def action_open_lines(self):
        self.ensure_one()
        action = self.env.ref("foreman_cycle_count.foreman_cycle_count_line_action").read()[0]
        action["domain"] = [("cycle_id", "=", self.id)]
        action["context"] = {"default_cycle_id": self.id, "show_expected": not self.plan_id.blind_count}
        # the web client titles the view with display_name, which read() filled in
        action["name"] = action["display_name"] = _("Count %s") % self.name
        return action

    @api.multi
    def action_open_scanner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Scan %s") % self.name,
            "res_model": "foreman.cycle.count.scan",
            "view_mode": "form",
            "target": "new",
            "context": {"default_cycle_id": self.id},
        }

    @api.multi
    def action_open_discrepancies(self):
        """The cycle's discrepancies: those left to decide while it is reviewed, all of them once closed."""
        self.ensure_one()
        action = self._discrepancy_action()
        action["domain"] = [("cycle_id", "=", self.id)]
        if self.state in ("finalized", "cancelled"):
            action["context"] = {}
        return action

    def _discrepancy_action(self):
        return self.env.ref("foreman_cycle_count.foreman_cycle_count_discrepancy_action").read()[0]

    @api.multi
    def action_open_minor_approvals(self):
        """The cycle's minor discrepancies awaiting the current user's approval, to approve in bulk."""
        self.ensure_one()
        self._check_coordinator()
        waiting = self._minor_awaiting(self.env.user)
        action = self._discrepancy_action()
        title = _("Minor discrepancies of %s to approve") % self.name
        action.update(name=title, display_name=title, domain=[("id", "in", waiting.ids)], context={})
        return action

    @api.multi
    def action_export_results(self):
        """Export Results: download the workbook (through the controller, as the user)."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "self",
                "url": "/foreman_cycle_count/cycle/%d/results.xlsx" % self.id}

    @api.multi
    def export_results_xlsx(self):
        """The results workbook, base64-encoded, holding what the calling user may read."""
        self.ensure_one()
        return base64.b64encode(self.env["foreman.cycle.count.results.export"]._workbook(self)).decode("ascii")

    @api.multi
    def import_counts(self, data, filename):
        """Apply counts filled offline (a base64 .xlsx or .csv with Line ID and Counted Quantity), all or nothing.

        Returns {"applied": counts written, "unchanged": rows already counted so}.
        """
        self.ensure_one()
        return self.env["foreman.cycle.count.counts.import"]._import_file(self, data, filename)

    @api.multi
    def action_open_import(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Counts into %s") % self.name,
            "res_model": "foreman.cycle.count.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_cycle_id": self.id},
        }

    @api.multi
    def action_print_count_sheet(self):
        return self.env.ref("foreman_cycle_count.action_report_count_sheet").report_action(self)

    @api.model
    def action_open_current(self):
        """Menu 'Current Cycle': for a counter the cycle they have lines to count in; otherwise the
        default plan's cycle being worked on, or due now."""
        current = self._current_of_counter() if not self.env.user.has_group(COORDINATOR) else self.browse()
        current = current or self._current_of_plan()
        if not current:
            raise UserError(_("No cycle is planned. Generate the calendar of a plan first "
                              "(Inventory > Configuration > Cycle Count Plans)."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Current Cycle"),
            "res_model": self._name,
            "res_id": current.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _current_of_counter(self):
        """The cycle being counted where this user has lines left, else the last one they counted in."""
        Line = self.env["foreman.cycle.count.line"]
        mine = [("user_id", "=", self.env.uid)]
        line = Line.search(mine + [("cycle_state", "=", "in_progress"), ("is_counted", "=", False)], limit=1) \
            or Line.search(mine + [("cycle_state", "=", "in_progress")], limit=1) \
            or Line.search(mine, order="date_counted desc, id desc", limit=1)
        return line.cycle_id

    @api.model
    def _current_of_plan(self):
        today = fields.Date.context_today(self)
        plan = self.env.user.company_id.cycle_count_plan_id
        domain = [("state", "in", OPEN_STATES)] + ([("plan_id", "=", plan.id)] if plan else [])
        return self.search(domain + [("state", "!=", "planned")], limit=1) \
            or self.search(domain + [("date_start", "<=", today)], order="date_start desc", limit=1) \
            or self.search(domain, order="date_start", limit=1)

    def _check_coordinator(self):
        self.env["foreman.cycle.count.plan"]._check_coordinator()

    def _drop_reminders(self):
        """Reminders have served once the cycle starts (or is cancelled)."""
        self._drop_activities("foreman_cycle_count.mail_activity_type_cycle_reminder")

    def _drop_activities(self, type_xmlid):
        self._activities_of_type(type_xmlid).unlink()

    def _activities_of_type(self, type_xmlid, users=None):
        domain = [("res_model", "=", self._name), ("res_id", "in", self.ids),
                  ("activity_type_id", "=", self.env.ref(type_xmlid).id)]
        if users is not None:
            domain.append(("user_id", "in", users.ids))
        return self.env["mail.activity"].sudo().search(domain)

    def _request_counts(self, users=None):
        """Each counter (or only ``users``) with lines to count gets one activity saying how many and where."""
        self.ensure_one()
        Line = self.env["foreman.cycle.count.line"].sudo()
        domain = [("cycle_id", "=", self.id), ("is_counted", "=", False), ("user_id", "!=", False)]
        if users is not None:
            domain.append(("user_id", "in", users.ids))
        todo = {group["user_id"][0]: group["user_id_count"]
                for group in Line.read_group(domain, ["user_id"], ["user_id"])}
        asked = self._activities_of_type("foreman_cycle_count.mail_activity_type_count").mapped("user_id")
        activity_type = self.env.ref("foreman_cycle_count.mail_activity_type_count")
        model_id = self.env["ir.model"]._get(self._name).id
        for user_id, count in todo.items():
            if user_id in asked.ids:
                continue
            self.env["mail.activity"].sudo().create({
                "res_model_id": model_id, "res_id": self.id, "activity_type_id": activity_type.id,
                "user_id": user_id, "date_deadline": self.date_end,
                "summary": self._count_request_summary(user_id, count),
                "note": "<p>%s</p>" % escape(_("Open the cycle and press Enter Counts (or Scan): your lines "
                                               "are listed in walking order."))})

    def _count_request_summary(self, user_id, count):
        """'Count 12 items in Row 1 of CC/2026/0004': where, from the counter's segments or locations."""
        lines = self.env["foreman.cycle.count.line"].sudo().search(
            [("cycle_id", "=", self.id), ("user_id", "=", user_id), ("is_counted", "=", False)], limit=200)
        places = lines.mapped("segment_id").mapped("name") or lines.mapped("location_id").mapped("name")
        where = ", ".join(places[:3]) + (_(" and %d more") % (len(places) - 3) if len(places) > 3 else "")
        text = _("Count 1 item in %(where)s of %(cycle)s") if count == 1 \
            else _("Count %(count)d items in %(where)s of %(cycle)s")
        return text % {"count": count, "where": where, "cycle": self.name}

    def _close_finished_counts(self, user_ids):
        """A counter with nothing left to count here: their count activity is done."""
        if not user_ids:
            return
        self.env.cr.execute("""
            SELECT DISTINCT user_id FROM foreman_cycle_count_line
             WHERE cycle_id = %s AND user_id IN %s AND NOT is_counted""", (self.id, tuple(user_ids)))
        busy = {row[0] for row in self.env.cr.fetchall()}
        finished = self.env["res.users"].browse(set(user_ids) - busy)
        if finished:
            self._mark_activities_done(
                self._activities_of_type("foreman_cycle_count.mail_activity_type_count", finished),
                _("all lines counted"))

    def _mark_activities_done(self, activities, feedback):
        """Like an activity's Mark Done, credited to the real user (counters cannot write the cycle)."""
        for activity in activities:
            self.sudo().message_post(
                body="<p>%s</p>" % escape(_("%(summary)s: done (%(feedback)s).") % {
                    "summary": activity.summary, "feedback": feedback}),
                author_id=self.env.user.partner_id.id, subtype="mail.mt_activities")
        activities.unlink()

    def _minor_awaiting(self, user):
        """Minor discrepancies of this cycle awaiting ``user``'s decision."""
        return self.env["foreman.cycle.count.discrepancy"].browse(self._minor_awaiting_by_approver().get(user.id, []))

    def _minor_awaiting_by_approver(self):
        """{approver id: ids of this cycle's documented minor discrepancies awaiting them}.

        One query and plain rows: a cycle has thousands of minor discrepancies and every
        decision refreshes its requests. The rules are the discrepancy's (_awaits_decision,
        _approvers): a minor one is documented by its root cause.
        """
        self.ensure_one()
        if self.state in ("cancelled", "finalized"):
            return {}
        self.env.cr.execute("""
            SELECT d.id, l.counted_by_id, l.first_counted_by_id, d.investigator_id,
                   ARRAY(SELECT r.user_id FROM foreman_cycle_count_discrepancy_documenter_rel r
                          WHERE r.discrepancy_id = d.id)
              FROM foreman_cycle_count_discrepancy d
              JOIN foreman_cycle_count_line l ON l.id = d.line_id
             WHERE d.cycle_id = %s AND d.tier = 'minor' AND d.approved_by_id IS NULL AND d.variance_qty != 0
               AND d.state != 'under_investigation' AND d.resolution_type != 'relocation'
               AND d.root_cause IS NOT NULL AND l.state != 'recount'
             ORDER BY d.id""", (self.id,))
        rows = self.env.cr.fetchall()
        preferred, fallback = self.env["foreman.cycle.count.discrepancy"]._approver_candidates(
            "minor", self.company_id)
        preferred, fallback = set(preferred.ids), set(fallback.ids)
        waiting = defaultdict(list)
        for disc_id, counter_id, first_counter_id, investigator_id, documenter_ids in rows:
            involved = {counter_id, first_counter_id, investigator_id}.union(documenter_ids)
            for user_id in (preferred - involved) or (fallback - involved):
                waiting[user_id].append(disc_id)
        return waiting

    def _sync_minor_approval_requests(self):
        """One request per Coordinator and cycle for all its minor discrepancies awaiting them."""
        type_xmlid = "foreman_cycle_count.mail_activity_type_minor_approval"
        Discrepancy = self.env["foreman.cycle.count.discrepancy"]
        for cycle in self:
            per_user = cycle._minor_awaiting_by_approver()
            for activity in cycle._activities_of_type(type_xmlid):
                disc_ids = per_user.pop(activity.user_id.id, None)
                if not disc_ids:
                    activity.unlink()
                elif activity.summary != cycle._minor_request_summary(disc_ids):
                    activity.write({"summary": cycle._minor_request_summary(disc_ids),
                                    "note": cycle._minor_request_note(Discrepancy.browse(disc_ids))})
            for user_id, disc_ids in per_user.items():
                self.env["mail.activity"].sudo().create({
                    "res_model_id": self.env["ir.model"]._get(self._name).id, "res_id": cycle.id,
                    "activity_type_id": self.env.ref(type_xmlid).id, "user_id": user_id,
                    "date_deadline": fields.Date.context_today(self),
                    "summary": cycle._minor_request_summary(disc_ids),
                    "note": cycle._minor_request_note(Discrepancy.browse(disc_ids))})

    def _minor_request_summary(self, discrepancies):
        return _("Approve %(count)d minor discrepancies of %(cycle)s") % {
            "count": len(discrepancies), "cycle": self.name}

    def _minor_request_note(self, discrepancies):
        items = "".join("<li>%s: %s</li>" % (escape(disc.name), escape(disc._describe_variance()))
                        for disc in discrepancies[:MINOR_REQUEST_ITEMS])
        more = len(discrepancies) - MINOR_REQUEST_ITEMS
        return "<p>%s</p><ul>%s</ul>%s" % (
            escape(_("Open the cycle and press 'Minor to Approve' to approve them from a list.")), items,
            "<p>%s</p>" % escape(_("... and %d more.") % more) if more > 0 else "")

    def _slice_keys(self):
        """{(segment id, location id): product ids this cycle counts there, or None for all of them}."""
        keys = {}
        for slice_ in self.slice_ids:
            key = (slice_.segment_id.id or False, slice_.location_id.id)
            if not slice_.product_ids or keys.get(key, ()) is None:
                keys[key] = None
            else:
                keys[key] = keys.get(key, frozenset()) | frozenset(slice_.product_ids.ids)
        return keys

    def _reopen_counting(self):
        """A recount sends a cycle in review back to counting."""
        self._write_system({"state": "in_progress"})

    def _check_found_item(self, product, location, lot, owner):
        """A found item must be stock this cycle counts: stockable, in its slice, of its ownership.

        Returns the segment (id or False) that counts it.
        """
        self.ensure_one()
        if not product or not location:
            raise UserError(_("A found item needs its product and the location where it was found."))
        if product.type != "product":
            raise UserError(_("%s is not a stocked product: only stock on the books can be counted.")
                            % product.display_name)
        if lot and lot.product_id != product:
            raise UserError(_("Lot/serial %(lot)s belongs to %(product)s.") % {
                "lot": lot.name, "product": lot.product_id.display_name})
        if product.tracking != "none" and not lot:
            raise UserError(_("%s is tracked: give its lot or serial number.") % product.display_name)
        plan = self.plan_id
        if plan.ownership == "company" and owner or plan.ownership == "customer" and not owner:
            raise UserError(_("Plan %(plan)s counts %(ownership)s only.") % {
                "plan": plan.name, "ownership": dict(plan._fields["ownership"].selection)[plan.ownership]})
        categories = expand_tree(plan.category_ids)
        segment_id = plan._segment_matcher()({
            "location_id": location.id, "categ_id": product.categ_id.id,
            "velocity_class_id": product.cycle_count_velocity_class_id.id,
            "value_class_id": product.cycle_count_value_class_id.id})
        keys = self._slice_keys()
        if categories is not None and product.categ_id.id not in categories \
                or not plan._selects_product(product) or (segment_id, location.id) not in keys:
            raise UserError(_("%(product)s at %(location)s is not counted in cycle %(cycle)s: "
                              "record it in the cycle that counts that place.") % {
                "product": product.display_name, "location": location.sudo().display_name, "cycle": self.name})
        products = keys[(segment_id, location.id)]
        if products is not None and product.id not in products:
            self._check_product_not_counted_elsewhere(product, location, segment_id)
        return segment_id

    def _check_product_not_counted_elsewhere(self, product, location, segment_id):
        """A location split over cycles by product: its products are found in the cycle that counts them.

        A product that no cycle of this count plans at that location is a real
        find: any cycle counting part of the location records it.
        """
        elsewhere = self.env["foreman.cycle.count.slice"].sudo().search([
            ("cycle_id.plan_id", "=", self.plan_id.id), ("cycle_id.count_index", "=", self.count_index),
            ("cycle_id", "!=", self.id), ("cycle_id.state", "!=", "cancelled"),
            ("location_id", "=", location.id), ("segment_id", "=", segment_id),
            ("product_ids", "in", product.id)], limit=1)
        if elsewhere:
            raise UserError(_("%(product)s at %(location)s is counted in cycle %(other)s, not in %(cycle)s: "
                              "record it there.") % {
                "product": product.display_name, "location": location.sudo().display_name,
                "other": elsewhere.cycle_id.name, "cycle": self.name})

    def _snapshot_lines(self):
        """One count line per item of the slice (product, location, lot, owner), in one INSERT ... SELECT.

        Odoo may hold an item in several quants (packages, dates of entry, or a quant
        created while another was locked): the counter counts the item once, against
        their total. Only the few (location, category) pairs of the scope come back
        to Python, to choose their segment and counter; the items stay in PostgreSQL.
        """
        self.ensure_one()
        plan = self.plan_id
        keys = self._slice_keys()
        match = plan._segment_matcher()
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        scope_from, scope_where, scope_params = plan._scope_query()
        items = """
            SELECT stock_quant.product_id, stock_quant.location_id, stock_quant.lot_id, stock_quant.owner_id,
                   tmpl.categ_id, tmpl.uom_id, pp.cycle_count_velocity_class_id AS velocity_class_id,
                   pp.cycle_count_value_class_id AS value_class_id, SUM(stock_quant.quantity) AS quantity
              FROM %s
              JOIN product_product pp ON pp.id = stock_quant.product_id
              JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
             WHERE %s
             GROUP BY stock_quant.product_id, stock_quant.location_id, stock_quant.lot_id, stock_quant.owner_id,
                      tmpl.categ_id, tmpl.uom_id, pp.cycle_count_velocity_class_id, pp.cycle_count_value_class_id
            HAVING ROUND(SUM(stock_quant.quantity)::numeric, %d) <> 0""" % (scope_from, scope_where, digits)
        # the segment depends on the place, the category and the product's classes
        self.env.cr.execute("SELECT DISTINCT location_id, categ_id, velocity_class_id, value_class_id"
                            " FROM (%s) AS items" % items, scope_params)
        pairs = [dict(row, segment_id=match(row)) for row in self.env.cr.dictfetchall()]
        pairs = [pair for pair in pairs if (pair["segment_id"], pair["location_id"]) in keys]
        if not pairs:
            return
        assign = self._counter_assignment(pairs)
        # a location split over cycles brings the list of its products counted here
        buckets = [(pair["location_id"], pair["categ_id"], pair["velocity_class_id"], pair["value_class_id"],
                    pair["segment_id"] or None, assign.get((pair["segment_id"], pair["location_id"])),
                    sorted(keys[(pair["segment_id"], pair["location_id"])] or []) or None) for pair in pairs]
        self.env.cr.execute("""
            INSERT INTO foreman_cycle_count_line (
                cycle_id, plan_id, company_id, product_id, location_id, lot_id, owner_id,
                product_uom_id, segment_id, system_qty, unit_cost, user_id, state,
                is_counted, is_found, variance_qty, create_uid, create_date, write_uid, write_date)
            SELECT %%s, %%s, %%s, items.product_id, items.location_id, items.lot_id, items.owner_id,
                   items.uom_id, bucket.segment_id, items.quantity, COALESCE(cost.unit_cost, 0), bucket.user_id,
                   'todo', FALSE, FALSE, 0, %%s, %%s, %%s, %%s
              FROM (%s) AS items
              JOIN (VALUES %s) AS bucket (location_id, categ_id, velocity_class_id, value_class_id, segment_id,
                                          user_id, product_ids)
                ON bucket.location_id = items.location_id AND bucket.categ_id = items.categ_id
               AND bucket.velocity_class_id IS NOT DISTINCT FROM items.velocity_class_id
               AND bucket.value_class_id IS NOT DISTINCT FROM items.value_class_id
               AND (bucket.product_ids IS NULL OR items.product_id = ANY(bucket.product_ids))
              LEFT JOIN (%s) AS cost ON cost.product_id = items.product_id""" % (
            items, ", ".join(["(%s, %s, %s::int, %s::int, %s::int, %s::int, %s::int[])"] * len(buckets)), self._unit_cost_query()),
            [self.id, plan.id, self.company_id.id] + [self.env.uid, fields.Datetime.now()] * 2
            + scope_params + [value for bucket in buckets for value in bucket] + self._unit_cost_params())
        self.env["foreman.cycle.count.line"].invalidate_cache()
        self.invalidate_cache(["line_ids"])

    def _counter_assignment(self, rows):
        """Give each (segment, location) to one of the segment's counters, in turn."""
        segments = self.env["foreman.cycle.count.segment"].browse(
            {row["segment_id"] for row in rows if row["segment_id"]})
        counters = {segment.id: segment.user_ids.sorted("id").ids for segment in segments}
        counters[False] = self.plan_id.user_ids.sorted("id").ids or self.user_ids.sorted("id").ids
        by_segment = defaultdict(set)
        for row in rows:
            by_segment[row["segment_id"]].add(row["location_id"])
        locations = self.env["stock.location"].browse(
            {row["location_id"] for row in rows}).sorted("complete_name")
        order = {location.id: index for index, location in enumerate(locations)}
        assign = {}
        for segment_id, location_ids in by_segment.items():
            users = counters.get(segment_id) or []
            for index, location_id in enumerate(sorted(location_ids, key=order.get)):
                assign[(segment_id, location_id)] = users[index % len(users)] if users else None
        return assign

    def _unit_costs(self, product_ids):
        """{product: its cost in the cycle's company}."""
        if not product_ids:
            return {}
        self.env.cr.execute("SELECT product_id, unit_cost FROM (%s) AS cost WHERE product_id IN %%s"
                            % self._unit_cost_query(), self._unit_cost_params() + [tuple(product_ids)])
        costs = dict(self.env.cr.fetchall())
        return {product_id: costs.get(product_id, 0.0) for product_id in product_ids}

    def _unit_cost_query(self):
        """Each product's cost in the cycle's company, as SQL (the product's own value, else the default).

        ``standard_price`` is company-dependent: Odoo keeps it in ``ir_property``, a
        company's value before the one for all companies. Read there in one query
        for the whole snapshot instead of loading every product.
        """
        return """
            SELECT DISTINCT ON (pp.id) pp.id AS product_id, COALESCE(own.value_float, dflt.value_float, 0) AS unit_cost
              FROM product_product pp
              LEFT JOIN ir_property own ON own.fields_id = %s AND own.res_id = 'product.product,' || pp.id
                   AND (own.company_id = %s OR own.company_id IS NULL)
              LEFT JOIN ir_property dflt ON dflt.fields_id = %s AND dflt.res_id IS NULL
                   AND (dflt.company_id = %s OR dflt.company_id IS NULL)
             ORDER BY pp.id, own.company_id NULLS LAST, dflt.company_id NULLS LAST"""

    def _unit_cost_params(self):
        field_id = self.env["ir.model.fields"]._get("product.product", "standard_price").id
        return [field_id, self.company_id.id, field_id, self.company_id.id]

    def _sync_discrepancies(self):
        """Keep one discrepancy per counted line that differs from the books, a batch of lines at a time.

        Each batch reads its own lines, products and discrepancies; the record cache
        is emptied between batches, so that memory does not grow with the cycle.
        """
        self.ensure_one()
        # created by the system on behalf of whoever closed counting: no creation notes
        Discrepancy = self.env["foreman.cycle.count.discrepancy"].with_context(tracking_disable=True)
        Line = self.env["foreman.cycle.count.line"]
        self.env.cr.execute("SELECT line_id, id, counted_qty FROM foreman_cycle_count_discrepancy WHERE cycle_id = %s",
                            (self.id,))
        existing = {line_id: (disc_id, counted_qty) for line_id, disc_id, counted_qty in self.env.cr.fetchall()}
        for line_ids in split_every(SYNC_BATCH, self._differing_lines().ids):
            new = []
            for line_id, vals in Discrepancy._values_from_lines(Line.browse(line_ids), self.plan_id).items():
                disc_id, counted_qty = existing.pop(line_id, (None, None))
                if disc_id is None:
                    new.append(vals)
                elif counted_qty != vals["counted_qty"]:
                    Discrepancy.browse(disc_id)._refresh_from_line(vals)
            Discrepancy._create_from_line_values(new)
            self.env.cache.invalidate()
        # a recount now matches the books: keep the record (and its notes), closed
        Discrepancy.browse([disc_id for disc_id, _counted_qty in existing.values()])._close_as_recounted()

    def _result_figures(self):
        """The cycle's result now: items counted, with discrepancies, their rate and value (frozen at finalization)."""
        self.ensure_one()
        progress = self.sudo()
        net, absolute = self._variance_values()
        return {"result_counted_count": progress.counted_line_count,
                "result_discrepancy_count": progress.discrepancy_count,
                # from the counts, not the rounded figure on the form
                "result_discrepancy_rate": discrepancy_lib.discrepancy_rate(
                    progress.discrepancy_count, progress.counted_line_count),
                "result_variance_value": net, "result_abs_variance_value": absolute}

    def _counted_discrepancies_domain(self):
        """The discrepancies behind the discrepancy count: differences still open, a relocated serial once."""
        return [("cycle_id", "in", self.ids), ("variance_qty", "!=", 0),
                "!", "&", ("resolution_type", "=", "relocation"), ("variance_qty", ">", 0)]

    def _variance_values(self):
        """(net, absolute) value of the counted variances, each line's at its unit cost in company currency.

        A serial found elsewhere is moved, not lost and found: its two lines are left out.
        """
        self.env.cr.execute("""
            SELECT COALESCE(SUM(value), 0), COALESCE(SUM(ABS(value)), 0) FROM (
                SELECT ROUND((line.variance_qty * line.unit_cost)::numeric, %s) AS value
                  FROM foreman_cycle_count_line line
                 WHERE line.cycle_id = %s AND line.is_counted AND line.variance_qty != 0
                   AND NOT EXISTS (SELECT 1 FROM foreman_cycle_count_discrepancy disc
                                    WHERE disc.line_id = line.id AND disc.resolution_type = 'relocation')
            ) AS line_values""", (self.company_id.currency_id.decimal_places, self.id))
        net, absolute = self.env.cr.fetchone()
        return float(net), float(absolute)

    def _check_discrepancies_approved(self):
        blocking = self.env["foreman.cycle.count.discrepancy"].search(
            [("cycle_id", "=", self.id)] + self.env["foreman.cycle.count.discrepancy"]._blocking_finalization_domain())
        if blocking:
            raise UserError(_(
                "Major discrepancies need a Manager's approval before %(cycle)s can be finalized "
                "(or mark them 'Under Investigation'):\n%(items)s") % {
                    "cycle": self.name, "items": "\n".join(disc.display_name for disc in blocking)})

    def _differing_lines(self):
        return self.env["foreman.cycle.count.line"].search(
            [("cycle_id", "=", self.id), ("is_counted", "=", True), ("variance_qty", "!=", 0)])

    def _relocated_discrepancies(self):
        return self.env["foreman.cycle.count.discrepancy"].search(
            [("cycle_id", "=", self.id), ("resolution_type", "=", "relocation")])

    def _lines_to_adjust(self):
        return self._differing_lines() - self._relocated_discrepancies().mapped("line_id")

    def _apply_adjustments(self):
        """Apply each counted variance on top of today's stock through stock.inventory.

        The variance, not the counted figure, is applied: goods received or
        shipped after the snapshot stay accounted for.
        """
        lines = self._lines_to_adjust()
        if not lines:
            return
        inventory = self.env["stock.inventory"].create({
            "name": self.name,
            "filter": "partial",
            "company_id": self.company_id.id,
            "location_id": self._adjustment_root_location().id,
        })
        inventory.action_start()
        inventory._post_counted_variances(self._prepare_adjustment_lines(lines))
        self._check_adjustment_done(inventory)
        self._write_system({"inventory_id": inventory.id})

    def _check_no_open_adjustment(self):
        """Odoo refuses two adjustments in progress on the same stock: name the one in the way.

        Whatever else other addons refuse (OCA stock_inventory_lockdown's locked
        locations, for the relocation transfers) they say when finalize runs their code.
        """
        ours = {key[:2] for key in self._adjustment_variances(self._lines_to_adjust())}
        if not ours:
            return
        open_lines = self.env["stock.inventory.line"].sudo().search([
            ("inventory_id.state", "=", "confirm"),
            ("product_id", "in", list({product_id for product_id, _location_id in ours})),
            ("location_id", "in", list({location_id for _product_id, location_id in ours}))])
        blocking = open_lines.filtered(lambda line: (line.product_id.id, line.location_id.id) in ours)
        if blocking:
            raise UserError(_(
                "Inventory adjustment %(inventory)s is in progress on %(product)s at %(location)s: "
                "validate or cancel it (Inventory > Inventory Adjustments) before finalizing %(cycle)s.") % {
                    "inventory": blocking[0].inventory_id.name, "product": blocking[0].product_id.display_name,
                    "location": blocking[0].location_id.display_name, "cycle": self.name})

    def _check_adjustment_done(self, inventory):
        """Another addon may stop an adjustment short of validating it: then nothing happens."""
        if inventory.state != "done" or self.env["stock.move"].search_count(
                [("inventory_id", "=", inventory.id), ("state", "!=", "done")]):
            raise UserError(_(
                "Odoo did not validate the stock adjustment of %(cycle)s (it is '%(state)s'): "
                "nothing was changed. Check the inventory adjustment rules of your other addons.") % {
                    "cycle": self.name,
                    "state": dict(inventory._fields["state"].selection).get(inventory.state, inventory.state)})

    def _prepare_adjustment_lines(self, lines):
        """Inventory adjustment lines: today's stock plus the counted variance, one per stock key.

        The variance goes to the stock outside packages (what an adjustment line
        without a package adjusts), and never takes the item below zero.
        """
        variance = self._adjustment_variances(lines)
        on_hand = self._on_hand_of_keys(list(variance))
        units = self._adjustment_units({key[0] for key in variance})
        reasons = self._adjustment_reasons(lines)
        values = []
        for key, key_variance in variance.items():
            total, loose = on_hand.get(key, (0.0, 0.0))
            values.append(self._prepare_adjustment_line(
                key, loose + max(key_variance, -total), units[key[0]],
                self._adjustment_reason_text(reasons.get(key))))
        return values

    @api.model
    def _prepare_adjustment_line(self, key, product_qty, uom_id, reason):
        """Values of one ``stock.inventory.line`` (see stock.inventory._post_counted_variances)."""
        product_id, location_id, lot_id, owner_id = key
        return {
            "product_id": product_id, "product_uom_id": uom_id,
            "location_id": location_id, "prod_lot_id": lot_id, "partner_id": owner_id,
            "product_qty": max(0.0, product_qty), "cycle_count_reason": reason,
        }

    def _adjustment_reasons(self, lines):
        """{stock key: [root cause and summary of each of its discrepancies]}."""
        Discrepancy = self.env["foreman.cycle.count.discrepancy"]
        causes = dict(Discrepancy.fields_get(["root_cause"])["root_cause"]["selection"])
        found = defaultdict(list)
        for disc in Discrepancy.search([("line_id", "in", lines.ids)]):
            text = " - ".join(filter(None, [causes.get(disc.root_cause), (disc.root_cause_note or "").strip()]))
            if text:
                found[(disc.product_id.id, disc.location_id.id, disc.lot_id.id, disc.owner_id.id)].append(text)
        return found

    def _adjustment_reason_text(self, causes):
        """'Cycle count CC/2026/0001: Theft or loss - ...': the name of the adjustment's stock move."""
        if not causes:
            return _("Cycle count %s") % self.name
        return _("Cycle count %(cycle)s: %(causes)s") % {"cycle": self.name, "causes": "; ".join(causes)}

    def _adjustment_variances(self, lines):
        """{stock key (product, location, lot, owner): counted variance} of the lines, in one query."""
        if not lines:
            return {}
        self.env.cr.execute("""
            SELECT product_id, location_id, lot_id, owner_id, SUM(variance_qty) FROM foreman_cycle_count_line
             WHERE id IN %s GROUP BY product_id, location_id, lot_id, owner_id""", (tuple(lines.ids),))
        return {stock_keys.key_of(row): row[4] for row in self.env.cr.fetchall()}

    def _adjustment_units(self, product_ids):
        """{product: its unit of measure}, without loading whole products."""
        self.env.cr.execute("""
            SELECT pp.id, pt.uom_id FROM product_product pp
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE pp.id IN %s""", (tuple(product_ids),))
        return dict(self.env.cr.fetchall())

    def _on_hand_of_keys(self, keys):
        """{stock key: (quantity on hand now, of which outside packages)}, in one query."""
        join, params = stock_keys.quants_join(keys)
        self.env.cr.execute("""
            SELECT q.product_id, q.location_id, q.lot_id, q.owner_id,
                   SUM(q.quantity), SUM(CASE WHEN q.package_id IS NULL THEN q.quantity ELSE 0 END)
              FROM stock_quant q %s
             GROUP BY q.product_id, q.location_id, q.lot_id, q.owner_id""" % join, params)
        return {stock_keys.key_of(row): (row[4], row[5]) for row in self.env.cr.fetchall()}

    def _adjustment_root_location(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1)
        return self.plan_id.location_ids[:1] or warehouse.lot_stock_id

    def _apply_relocations(self):
        """One internal transfer per serial found away from its recorded location."""
        pickings = self.env["stock.picking"]
        for disc in self._relocated_discrepancies().filtered(lambda d: d.variance_qty < 0):
            pickings |= disc._make_relocation_picking()
        if pickings:
            self._write_system({"relocation_picking_ids": [(6, 0, pickings.ids)]})

    # ------------------------------------------------------------------
    # Scheduler
    # ------------------------------------------------------------------
    @api.model
    def _cron_send_reminders(self, today=None):
        """Remind counters of upcoming cycles once; flag cycles past their end."""
        today = today or fields.Date.from_string(fields.Date.context_today(self))
        self._remind_counters(today)
        self._mark_overdue(today)

    @api.model
    def _remind_counters(self, today):
        activity_type = self.env.ref("foreman_cycle_count.mail_activity_type_cycle_reminder")
        model_id = self.env["ir.model"]._get(self._name).id
        cycles = self.search([("state", "=", "planned"),
                              ("date_end", ">=", fields.Date.to_string(today))])
        activities = []
        for cycle in cycles:
            start = fields.Date.from_string(cycle.date_start)
            if scheduling.reminder_date(start, cycle.plan_id.reminder_days) > today:
                continue
            for user in cycle.user_ids - cycle.reminded_user_ids:
                activities.append({
                    "res_model_id": model_id,
                    "res_id": cycle.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "date_deadline": cycle.date_start,
                    "summary": _("Cycle count %(cycle)s starts on %(date)s") % {
                        "cycle": cycle.name, "date": cycle.date_start},
                })
            cycle._write_system({"reminded_user_ids": [(4, user.id) for user in cycle.user_ids]})
        for vals in activities:
            self.env["mail.activity"].create(vals)

    @api.model
    def _mark_overdue(self, today):
        self.search([("state", "in", OPEN_STATES),
                     ("date_end", "<", fields.Date.to_string(today)),
                     ("is_overdue", "=", False)])._write_system({"is_overdue": True})


class CycleCountSlice(models.Model):
    """A (segment, location) bucket scheduled into a cycle, or some of its products."""

    _name = "foreman.cycle.count.slice"
    _description = "Cycle Count Slice"
    _inherit = ["foreman.cycle.count.copied.fields.mixin"]
    _order = "cycle_id, location_id"

    cycle_id = fields.Many2one(
        "foreman.cycle.count.cycle", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="cycle_id.company_id", store=True, readonly=True)
    segment_id = fields.Many2one("foreman.cycle.count.segment", ondelete="set null")
    location_id = fields.Many2one("stock.location", required=True, ondelete="cascade")
    product_ids = fields.Many2many(
        "product.product", "foreman_cycle_count_slice_product_rel", "slice_id", "product_id",
        string="Products",
        help="A location too big for one cycle is split over cycles by product: the products counted "
             "here in this cycle. Empty means every product of the location.")
    item_count = fields.Integer("Items", help="Items in stock there when the calendar was made.")
