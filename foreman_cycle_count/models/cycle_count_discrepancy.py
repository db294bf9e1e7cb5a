# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from html import escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import formatLang

from ..lib import discrepancy as discrepancy_lib
from .cycle_count_plan import COORDINATOR, MANAGER, expand_tree

ROOT_CAUSES = [
    ("ticket_pending", "Usage on open tickets not logged yet"),
    ("moved", "Moved without updating the location"),
    ("data_entry", "Data-entry error in the initial upload"),
    ("theft_loss", "Theft or loss"),
    ("miscount", "Miscounted during the cycle count"),
    ("unticketed_usage", "Used without a ticket"),
    ("other", "Other"),
]

# The usual way out for each root cause, offered when the cause is chosen.
SUGGESTED_RESOLUTIONS = {
    "ticket_pending": "Wait for the open tickets to close, or adjust to the usage actually made.",
    "moved": "Transfer the item to where it was found; remind the team to record transfers.",
    "data_entry": "Correct the quantity to the physical count; trace where the uploaded figure came from.",
    "theft_loss": "Record the loss, adjust stock and review physical security and access logs.",
    "miscount": "Recount by a second person; if the recount matches the books, retrain on counting.",
    "unticketed_usage": "Create the missing tickets after the fact; remind technicians to log usage.",
    "other": "",
}

# Fields copied from the count line: only a new count changes them.
QUANTITY_FIELDS = frozenset({"line_id", "cycle_id", "product_id", "location_id", "lot_id", "owner_id",
                             "system_qty", "counted_qty", "variance_qty", "unit_cost", "tier"})
# The workflow's record (status, who investigated and approved): set by its actions only.
WORKFLOW_FIELDS = frozenset({"state", "resolution_type", "investigator_id", "date_investigated",
                             "documented_by_ids", "approved_by_id", "date_approved",
                             "relocation_picking_id"})
# What a coordinator writes while investigating.
DOCUMENTATION_FIELDS = frozenset({"root_cause", "root_cause_note", "resolution"})


class CycleCountDiscrepancy(models.Model):
    """A counted line that differs from the books, and its investigation."""

    _name = "foreman.cycle.count.discrepancy"
    _description = "Cycle Count Discrepancy"
    _inherit = ["foreman.cycle.count.mail.thread", "mail.activity.mixin", "foreman.cycle.count.copied.fields.mixin"]
    _order = "cycle_id desc, tier desc, id"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True)
    cycle_id = fields.Many2one(
        "foreman.cycle.count.cycle", required=True, readonly=True, ondelete="cascade", index=True)
    cycle_state = fields.Selection(related="cycle_id.state", readonly=True, string="Cycle Status")
    plan_id = fields.Many2one(related="cycle_id.plan_id", store=True, readonly=True)
    company_id = fields.Many2one(related="cycle_id.company_id", store=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    line_id = fields.Many2one("foreman.cycle.count.line", required=True, readonly=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", readonly=True, index=True)
    location_id = fields.Many2one("stock.location", readonly=True, index=True)
    lot_id = fields.Many2one("stock.production.lot", "Lot/Serial Number", readonly=True)
    owner_id = fields.Many2one("res.partner", readonly=True)
    system_qty = fields.Float("System Count", readonly=True, digits=(16, 3))
    counted_qty = fields.Float("Physical Count", readonly=True, digits=(16, 3))
    variance_qty = fields.Float("Variance", readonly=True, digits=(16, 3))
    unit_cost = fields.Float(readonly=True, digits=(16, 2))
    variance_value = fields.Monetary(
        compute="_compute_variance_value", store=True, currency_field="currency_id")
    tier = fields.Selection(
        [("minor", "Minor"), ("major", "Major")], readonly=True, track_visibility="onchange",
        help="Minor: a Coordinator approves. Major: a Manager (operations or finance) approves.")
    root_cause = fields.Selection(ROOT_CAUSES, track_visibility="onchange")
    root_cause_note = fields.Text(
        "Investigation Summary", track_visibility="onchange",
        help="What the investigation found: a brief explanation for a minor discrepancy, "
             "the summary of the formal report for a major one.")
    resolution = fields.Text("Resolution Taken", track_visibility="onchange")
    resolution_type = fields.Selection(
        [("adjustment", "Adjust stock to the count"), ("relocation", "Transfer to where it was found")],
        default="adjustment", required=True, readonly=True, track_visibility="onchange")
    investigator_id = fields.Many2one(
        "res.users", readonly=True, track_visibility="onchange",
        help="The coordinator who first documented the discrepancy.")
    date_investigated = fields.Date("Investigated On", readonly=True, track_visibility="onchange")
    documented_by_ids = fields.Many2many(
        "res.users", "foreman_cycle_count_discrepancy_documenter_rel", "discrepancy_id", "user_id",
        readonly=True,
        help="Everyone who wrote the root cause or resolution: none of them may approve it.")
    state = fields.Selection(
        [("open", "Open"), ("under_investigation", "Under Investigation"), ("approved", "Approved"),
         ("resolved", "Resolved")],
        default="open", required=True, readonly=True, track_visibility="onchange")
    # the approval is logged by an explicit chatter message from the approver
    approved_by_id = fields.Many2one("res.users", readonly=True)
    date_approved = fields.Datetime("Approved On", readonly=True)
    counted_by_id = fields.Many2one(related="line_id.counted_by_id", readonly=True)
    line_state = fields.Selection(related="line_id.state", readonly=True, string="Count Status")
    relocation_line_id = fields.Many2one(
        "foreman.cycle.count.line", compute="_compute_relocation_line_id",
        string="Found At", help="The same serial number, counted in another location of this cycle.")
    relocation_picking_id = fields.Many2one("stock.picking", "Relocation Transfer", readonly=True)
    can_approve = fields.Boolean(
        compute="_compute_can_approve", help="The current user may approve this discrepancy.")

    @api.depends("product_id", "location_id", "lot_id")
    def _compute_name(self):
        for disc in self:
            disc.name = " / ".join(filter(None, [
                disc.product_id.display_name, disc.location_id.display_name, disc.lot_id.name]))

    @api.depends("variance_qty", "unit_cost")
    def _compute_variance_value(self):
        for disc in self:
            disc.variance_value = disc.variance_qty * disc.unit_cost

    def _compute_relocation_line_id(self):
        lines = self.env["foreman.cycle.count.line"].sudo()
        for disc in self:
            found = lines.browse()
            if disc.lot_id and disc.variance_qty < 0:
                found = lines.search([
                    ("cycle_id", "=", disc.cycle_id.id), ("lot_id", "=", disc.lot_id.id),
                    ("product_id", "=", disc.product_id.id), ("location_id", "!=", disc.location_id.id),
                    ("is_counted", "=", True), ("counted_qty", ">", 0)], limit=1)
            disc.relocation_line_id = found

    def _compute_can_approve(self):
        for disc in self:
            disc.can_approve = disc._approval_refusal() is None

    @api.constrains("root_cause", "root_cause_note")
    def _check_root_cause_note(self):
        for disc in self:
            if disc.root_cause == "other" and not (disc.root_cause_note or "").strip():
                raise ValidationError(_("Explain the root cause when it is 'Other' (%s).") % disc.name)

    @api.onchange("root_cause")
    def _onchange_root_cause(self):
        suggestions = set(SUGGESTED_RESOLUTIONS.values())
        if self.root_cause and (not self.resolution or self.resolution in suggestions):
            self.resolution = SUGGESTED_RESOLUTIONS[self.root_cause]

    @api.model
    def create(self, vals):  # pylint: disable=method-required-super
        raise AccessError(_("Discrepancies come from the counts: they are created when counting is done."))

    @api.model
    def _create_from_line_values(self, values_list):
        """The count found differences: record them, through the ORM, as the system.

        Created without tracking notes (the Discrepancies button counts them) and with
        each record's name, plan and company computed by the ORM; nothing to approve
        yet: requests go out once each is documented.
        """
        Discrepancy = self.with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
                                        mail_notrack=True)
        created = self.browse()
        for vals in values_list:
            created |= super(CycleCountDiscrepancy, Discrepancy).create(vals)  # pylint: disable=super-method-mismatch
        return created

    @api.multi
    def write(self, vals):
        if QUANTITY_FIELDS.intersection(vals):
            raise UserError(_("Counts and quantities of a discrepancy come from the count "
                              "and cannot be edited."))
        if WORKFLOW_FIELDS.intersection(vals):
            raise UserError(_("The status of a discrepancy, who investigated and who approved it are "
                              "recorded by its buttons (Under Investigation, Resolve, Approve)."))
        if DOCUMENTATION_FIELDS.intersection(vals):
            self._check_investigator_rights()
            self._check_documentation_kept(vals)
            return self._write_documentation(vals)
        return super(CycleCountDiscrepancy, self).write(vals)

    def _check_documentation_kept(self, vals):
        """A decided discrepancy (approved or resolved) keeps what it was decided on: amend, never erase."""
        erased = [name for name in DOCUMENTATION_FIELDS.intersection(vals) if not (vals[name] or "").strip()]
        decided = self.filtered(lambda disc: disc.approved_by_id or disc.state == "resolved")
        if erased and decided:
            raise UserError(_("%(item)s was decided on its %(fields)s: they can be amended, not erased.") % {
                "item": decided[0].name, "fields": ", ".join(self._fields[name].string for name in sorted(erased))})

    def _write_documentation(self, vals):
        """Root cause and resolution, signed by whoever wrote them, in one tracked change each."""
        tracked = list(DOCUMENTATION_FIELDS) + ["investigator_id", "date_investigated"]
        initial = self._tracked_values(tracked)
        vals = dict(vals, documented_by_ids=[(4, self.env.uid)])
        undocumented = self.filtered(lambda disc: not disc.investigator_id)
        untracked = self.with_context(tracking_disable=True)
        result = (untracked - undocumented)._write_system(vals)
        if undocumented:
            untracked.browse(undocumented.ids)._write_system(dict(
                vals, investigator_id=self.env.uid, date_investigated=fields.Date.context_today(self)))
        self._log_tracking(tracked, initial)
        # documented: the approvers can be asked now
        self._sync_approval_requests()
        return result

    def _write_system(self, vals):
        """Workflow steps and the count record here, past the user-facing write rules."""
        return super(CycleCountDiscrepancy, self).write(vals)  # pylint: disable=super-method-mismatch

    @api.multi
    def unlink(self):
        if self.filtered(lambda disc: disc.cycle_id.state == "finalized"):
            raise UserError(_("Discrepancies of a finalized cycle are part of its record: "
                              "they cannot be deleted."))
        return super(CycleCountDiscrepancy, self).unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_mark_under_investigation(self):
        """Keep investigating; the cycle may be finalized meanwhile."""
        self._check_investigator_rights()
        for disc in self:
            disc._write_system({"state": "under_investigation",
                                "investigator_id": disc.investigator_id.id or self.env.uid,
                                "date_investigated": disc.date_investigated or fields.Date.context_today(self)})
        self._sync_approval_requests()
        return True

    @api.multi
    def action_reopen(self):
        """Back to open: the investigation starts over.

        An approval given before the cycle was finalized is withdrawn (the chatter
        keeps it); after finalization it stays, the stock was adjusted on it.
        """
        self._check_investigator_rights()
        withdrawn = self.filtered(lambda disc: disc.approved_by_id and disc.cycle_id.state != "finalized")
        self._write_system({"state": "open"})
        if withdrawn:
            withdrawn._write_system({"approved_by_id": False, "date_approved": False})
            for disc in withdrawn:
                disc.with_prefetch().message_post(body=_("Reopened by %s: the approval is withdrawn.")
                                                  % self.env.user.name)
        self._sync_approval_requests()
        return True

    @api.multi
    def action_resolve(self):
        self._check_investigator_rights()
        for disc in self:
            disc._check_documented(_("resolved"))
            if not (disc.resolution or "").strip():
                raise UserError(_("Record the resolution taken for %s first.") % disc.name)
            disc._check_resolvable()
            disc._write_system({"state": "resolved",
                                "investigator_id": disc.investigator_id.id or self.env.uid,
                                "date_investigated": fields.Date.context_today(self)})
        # a major one resolved after finalization still needs a Manager's sign-off
        self._sync_approval_requests()
        return True

    def _check_resolvable(self):
        """Resolving a major discrepancy before finalization needs the sign-off approving it would.

        After finalization (a major one set aside Under Investigation) resolving it asks
        the Managers for their sign-off, which the cycle could not wait for.
        """
        if self.tier == "major" and not self.approved_by_id and self.cycle_id.state != "finalized":
            raise UserError(_("%s is a major discrepancy: a Manager approves it before it is resolved (or "
                              "mark it Under Investigation to finalize the cycle without it).") % self.name)

    @api.multi
    def action_resolve_as_relocation(self):
        """The serial was moved: transfer it instead of booking a loss and a gain."""
        self._check_investigator_rights()
        for disc in self:
            found_line = disc.relocation_line_id
            if not found_line:
                raise UserError(_("%s was not counted anywhere else in this cycle.") % disc.name)
            found = self.search([("line_id", "=", found_line.id)])
            vals = {"root_cause": "moved", "resolution_type": "relocation",
                    "resolution": _("Transfer %(serial)s from %(source)s to %(found)s, where it was found.") % {
                        "serial": disc.lot_id.name, "source": disc.location_id.display_name,
                        "found": found_line.location_id.display_name},
                    "state": "resolved", "investigator_id": self.env.uid,
                    "date_investigated": fields.Date.context_today(self),
                    "documented_by_ids": [(4, self.env.uid)]}
            if (disc | found).filtered(lambda d: d.cycle_id.state == "finalized"):
                raise UserError(_("The cycle is finalized: stock was already adjusted."))
            (disc | found)._write_system(vals)
            (disc | found)._sync_approval_requests()
        return True

    @api.multi
    def action_approve(self):
        """Approve the adjustment: Coordinator for minor, Manager for major, once documented."""
        for disc in self:
            disc._check_can_approve()
            disc._check_documented(_("approved"))
        now = fields.Datetime.now()
        # the approval message below says it: no tracking message besides
        untracked = self.with_context(tracking_disable=True)
        untracked.filtered(lambda disc: disc.state != "resolved")._write_system({"state": "approved"})
        untracked._write_system({"approved_by_id": self.env.uid, "date_approved": now})
        self._sync_approval_requests()
        tiers = dict(self._fields["tier"].selection)
        for disc in self:
            # alone in its prefetch: posting must not re-read the whole selection each time
            disc.with_prefetch().message_post(body=_("%(tier)s discrepancy approved by %(user)s.") % {
                "tier": tiers[disc.tier], "user": self.env.user.name})
        return True

    @api.multi
    def action_open_recount(self):
        """Send to Recount from the discrepancy: the recount wizard, on its counted line."""
        self._check_investigator_rights()
        action = self.env.ref("foreman_cycle_count.foreman_cycle_count_recount_action").read()[0]
        action["context"] = {"default_line_ids": [(6, 0, self.mapped("line_id").ids)]}
        return action

    def _report_status(self):
        """The status in words for the formal report: where it stands and whose decision it waits for."""
        states = dict(self._fields["state"].selection)
        status = states[self.state]
        if self.approved_by_id and self.state == "approved":
            return _("Approved by %s.") % self.approved_by_id.name
        if self.approved_by_id:
            return _("%(state)s, approved by %(user)s.") % {"state": status, "user": self.approved_by_id.name}
        if self.resolution_type == "relocation":
            return _("%s: transferred to where it was found, no approval needed.") % status
        if self.line_state == "recount":
            return _("%s, recount pending.") % status
        if self.cycle_id.state == "finalized" and self.tier == "minor":
            return _("%s, adjusted when the cycle was finalized.") % status
        missing = self._documentation_missing()
        if missing:
            return _("%(state)s, to be documented (%(missing)s) before approval.") % {
                "state": status, "missing": ", ".join(missing)}
        if self.state == "under_investigation":
            return _("%s: approval once the investigation is done.") % status
        return _("%(state)s, awaiting the approval of a cycle count %(group)s.") % {
            "state": status, "group": _("Manager") if self.tier == "major" else _("Coordinator")}

    @api.multi
    def action_print_report(self):
        return self.env.ref("foreman_cycle_count.action_report_discrepancy").report_action(self)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _values_from_lines(self, lines, plan):
        """Discrepancy values for counted lines of one plan, read in a few queries."""
        rows = lines.read(["cycle_id", "product_id", "location_id", "lot_id", "owner_id", "system_qty",
                           "counted_qty", "variance_qty", "unit_cost"], load="_classic_write")
        high_value_categories = expand_tree(plan.high_value_category_ids) or set()
        categories = {product["id"]: product["categ_id"] for product in self.env["product.product"].browse(
            {row["product_id"] for row in rows}).read(["categ_id"], load="_classic_write")}
        values = {}
        for row in rows:
            values[row["id"]] = {
                "cycle_id": row["cycle_id"], "line_id": row["id"], "product_id": row["product_id"],
                "location_id": row["location_id"], "lot_id": row["lot_id"], "owner_id": row["owner_id"],
                "system_qty": row["system_qty"], "counted_qty": row["counted_qty"],
                "variance_qty": row["variance_qty"], "unit_cost": row["unit_cost"],
                "tier": discrepancy_lib.classify_tier(
                    row["variance_qty"], row["variance_qty"] * row["unit_cost"], plan.minor_qty_limit,
                    plan.minor_value_limit, categories[row["product_id"]] in high_value_categories),
            }
        return values

    def _refresh_from_line(self, vals):
        """A recount changed the figures: update them; an approval of the old figures no longer holds."""
        withdrawn = self.approved_by_id
        reset = dict(vals, approved_by_id=False, date_approved=False)
        if self.state in ("approved", "resolved"):
            reset["state"] = "open"
        self._write_system(reset)
        if withdrawn:
            self._post_decision_withdrawn(withdrawn)
        self._sync_approval_requests()

    def _refresh_from_recount(self):
        """The recount is in: the discrepancy shows its figures now, not at the next Counting Done."""
        line = self.line_id
        before = self.counted_qty
        if line.variance_qty:
            self._refresh_from_line(self._values_from_lines(line, self.plan_id)[line.id])
        else:
            self._close_as_recounted()
        # written by the system, not as the recounter: Odoo lets authors read their own messages,
        # and the recounter must not learn the first count
        self.message_post(body=_("Recounted by %(user)s: %(qty)s (first count %(before)s), variance %(variance)s.")
                          % {"user": line.counted_by_id.name, "qty": "{:g}".format(line.counted_qty),
                             "before": "{:g}".format(before), "variance": "{:+g}".format(line.variance_qty)},
                          author_id=self.env.ref("base.partner_root").id)

    def _close_as_recounted(self):
        for disc in self:
            withdrawn = disc.approved_by_id
            disc._write_system({
                "counted_qty": disc.line_id.counted_qty, "variance_qty": 0.0, "state": "resolved",
                "root_cause": "miscount" if withdrawn else disc.root_cause or "miscount",
                "resolution": _("A recount matched the books.") if withdrawn
                else disc.resolution or _("A recount matched the books."),
                "approved_by_id": False, "date_approved": False,
            })
            if withdrawn:
                disc._post_decision_withdrawn(withdrawn)
        self._sync_approval_requests()

    def _post_decision_withdrawn(self, approver):
        self.message_post(body=_("The count changed after %(user)s approved it: the approval is withdrawn and "
                                 "the discrepancy is to be decided again.") % {"user": approver.name},
                          author_id=self.env.ref("base.partner_root").id)

    def _approver_group_xmlid(self):
        return MANAGER if self.tier == "major" else COORDINATOR

    def _documentation_missing(self):
        """Labels of what the investigator must still write before this can be decided."""
        missing = [] if self.root_cause else [self._fields["root_cause"].string]
        if self.tier == "major":
            missing += [self._fields[name].string for name in ("root_cause_note", "resolution")
                        if not (self[name] or "").strip()]
        return missing

    def _check_documented(self, step):
        missing = self._documentation_missing()
        if missing:
            raise UserError(_("%(item)s cannot be %(step)s before it is documented: record its %(missing)s "
                              "first.") % {"item": self.name, "step": step, "missing": ", ".join(missing)})

    @api.model
    def _awaiting_approval_domain(self):
        """Discrepancies whose approval is still to be given (documented or not)."""
        return [("approved_by_id", "=", False), ("variance_qty", "!=", 0),
                ("state", "!=", "under_investigation"), ("resolution_type", "!=", "relocation"),
                ("cycle_id.state", "!=", "cancelled"),
                "|", ("tier", "=", "major"), ("cycle_id.state", "!=", "finalized")]

    def _awaits_decision(self):
        """Documented, not decided, and its approval still matters: approvers are asked now."""
        # the line, not the related line_state: a related field is read record by record
        return (not self.approved_by_id and self.variance_qty and self.line_id.state != "recount"
                and self.state != "under_investigation"
                and self.resolution_type != "relocation" and self.cycle_id.state != "cancelled"
                and (self.tier == "major" or self.cycle_id.state != "finalized")
                and not self._documentation_missing())

    def _sync_approval_requests(self):
        """Ask each approver once per decision, and only while it is open.

        A major discrepancy is one request per Manager; the minor ones of a cycle are
        one request per Coordinator, on the cycle (see its _sync_minor_approval_requests).
        Requests of decided discrepancies are closed for every approver.
        """
        eligible = {}
        majors = self.filtered(lambda disc: disc.tier == "major" and disc._awaits_decision())
        wanted = {(disc.id, user.id) for disc in majors for user in disc._approvers(eligible)}
        existing = self._approval_activities()
        stale = existing.filtered(lambda activity: (activity.res_id, activity.user_id.id) not in wanted)
        kept = {(activity.res_id, activity.user_id.id) for activity in existing - stale}
        stale.unlink()
        self._create_approval_requests(sorted(wanted - kept))
        self.mapped("cycle_id")._sync_minor_approval_requests()

    def _create_approval_requests(self, pairs):
        """Approval activities for (discrepancy id, user id) pairs, through ``mail.activity``.

        Odoo makes each approver a follower of the discrepancy and refreshes their
        activity counter, as for an activity scheduled by hand.
        """
        if not pairs:
            return
        activity_type = self.env.ref("foreman_cycle_count.mail_activity_type_discrepancy_approval")
        model_id = self.env["ir.model"]._get(self._name).id
        today = fields.Date.context_today(self)
        texts = {disc.id: disc._approval_request_texts() for disc in self.browse({pair[0] for pair in pairs})}
        # as the other workflow activities: the request is the workflow's, whoever documented it
        Activity = self.env["mail.activity"].sudo()
        for disc_id, user_id in pairs:
            summary, note = texts[disc_id]
            Activity.create({"res_model_id": model_id, "res_id": disc_id, "activity_type_id": activity_type.id,
                             "summary": summary, "note": note, "date_deadline": today, "user_id": user_id})

    def _approval_request_texts(self):
        """(summary, note) of a request: what is to be decided, at a glance."""
        tiers = dict(self._fields["tier"].selection)
        summary = _("Approve %(tier)s discrepancy: %(item)s, %(variance)s") % {
            "tier": tiers[self.tier].lower(), "item": self.name, "variance": self._describe_variance()}
        causes = dict(self._fields["root_cause"].selection)
        note = "<p>%s</p>" % escape(_("Root cause: %(cause)s. %(summary)s") % {
            "cause": causes.get(self.root_cause, ""), "summary": self.root_cause_note or ""})
        return summary, note

    def _describe_variance(self):
        """'-3 Unit(s), -360.00 €': the variance in units and in value."""
        uom = self.line_id.product_uom_id or self.product_id.uom_id
        return "%s %s, %s" % ("{:+g}".format(self.variance_qty), uom.name,
                              formatLang(self.env, self.variance_value, currency_obj=self.currency_id))

    def _approvers(self, eligible=None):
        """Users asked to approve this discrepancy: an override point.

        Major: the cycle count Managers; minor: the Coordinators who are not
        Managers, or any Coordinator when none of those is free to. Nobody is asked
        to approve what they counted or documented; the administrator is not asked.
        ``eligible`` caches the candidates per tier and company over a batch.
        """
        eligible = {} if eligible is None else eligible
        key = (self.tier, self.company_id.id)
        if key not in eligible:
            eligible[key] = self._approver_candidates(self.tier, self.company_id)
        involved = self._involved_users()
        preferred, fallback = eligible[key]
        return (preferred - involved) or (fallback - involved)

    @api.model
    def _approver_candidates(self, tier, company):
        """(first choice, fallback) of the users who may approve a ``tier`` discrepancy of ``company``."""
        def members(group):
            return self.env.ref(group).users.filtered(
                lambda user: user.active and user.id != SUPERUSER_ID and company in user.company_ids)
        managers = members(MANAGER)
        if tier == "major":
            return managers, managers
        coordinators = members(COORDINATOR)
        return coordinators - managers, coordinators

    def _involved_users(self):
        line = self.line_id
        return line.counted_by_id | line.first_counted_by_id | self.investigator_id | self.documented_by_ids

    def _check_investigator_rights(self):
        if not self.env.user.has_group(COORDINATOR):
            raise AccessError(_("Only a cycle count Coordinator can investigate discrepancies."))

    def _check_can_approve(self):
        refusal = self._approval_refusal()
        if refusal:
            raise refusal

    def _approval_refusal(self):
        """The error the current user meets when approving, or None if they may."""
        user = self.env.user
        if self.approved_by_id:
            return UserError(_("%(item)s is already approved by %(user)s.") % {
                "item": self.name, "user": self.approved_by_id.name})
        if not user.has_group(self._approver_group_xmlid()):
            return AccessError(_("A %(tier)s discrepancy needs the approval of a cycle count %(group)s.") % {
                "tier": self.tier, "group": _("Manager") if self.tier == "major" else _("Coordinator")})
        if user in self._involved_users():
            return AccessError(_("You counted or investigated %s: someone else must approve it.") % self.name)
        if self.line_state == "recount":
            return UserError(_("%s is being recounted: approve it once the recount is in.") % self.name)
        return None

    def _approval_activities(self):
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", self.env.ref(
                "foreman_cycle_count.mail_activity_type_discrepancy_approval").id)])

    @api.model
    def _blocking_finalization_domain(self):
        """Discrepancies a cycle cannot be finalized with: major ones nobody has approved or set aside."""
        return [("tier", "=", "major"), ("variance_qty", "!=", 0), ("approved_by_id", "=", False),
                ("state", "!=", "under_investigation"), ("resolution_type", "!=", "relocation")]

    def _internal_picking_type(self):
        # Odoo archives internal transfer types until multi-locations is enabled
        warehouse = self.location_id.get_warehouse()
        return warehouse.int_type_id or self.env["stock.picking.type"].with_context(active_test=False).search(
            [("code", "=", "internal"), ("warehouse_id.company_id", "=", self.company_id.id)], limit=1)

    def _make_relocation_picking(self):
        """Internal transfer of this serial from its recorded to its found location."""
        found_line = self.relocation_line_id
        picking_type = self._internal_picking_type()
        picking = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id,
            "location_id": self.location_id.id,
            "location_dest_id": found_line.location_id.id,
            "origin": self.cycle_id.name,
            "owner_id": self.owner_id.id,
            "move_lines": [(0, 0, {
                "name": _("%s: relocation") % self.cycle_id.name,
                "product_id": self.product_id.id,
                "product_uom": self.product_id.uom_id.id,
                "product_uom_qty": abs(self.variance_qty),
                "location_id": self.location_id.id,
                "location_dest_id": found_line.location_id.id,
                "restrict_partner_id": self.owner_id.id,
            })],
        })
        picking.action_confirm()
        move = picking.move_lines
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create({
            "move_id": move.id, "picking_id": picking.id, "product_id": self.product_id.id,
            "product_uom_id": self.product_id.uom_id.id, "lot_id": self.lot_id.id,
            "qty_done": abs(self.variance_qty), "location_id": self.location_id.id,
            "location_dest_id": found_line.location_id.id, "owner_id": self.owner_id.id,
        })
        picking.action_done()
        self._write_system({"relocation_picking_id": picking.id})
        return picking
