# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_round

from .cycle_count_plan import COORDINATOR, COUNTER

# The snapshot of the books: fixed once the line exists, for everybody.
SNAPSHOT_FIELDS = frozenset({
    "cycle_id", "plan_id", "company_id", "segment_id", "product_id", "location_id", "lot_id",
    "owner_id", "product_uom_id", "system_qty", "unit_cost", "is_found"})
# Who counted what and when, and the line's state: recorded by the system only.
AUDIT_FIELDS = frozenset({
    "is_counted", "state", "variance_qty", "counted_by_id", "date_counted",
    "first_counted_qty", "first_counted_by_id", "date_first_counted"})
# What each role may write on an existing line.
COUNTER_WRITABLE = frozenset({"counted_qty"})
COORDINATOR_WRITABLE = frozenset({"counted_qty", "user_id"})
# What a found item may be created with.
FOUND_ITEM_FIELDS = frozenset({
    "cycle_id", "product_id", "location_id", "lot_id", "owner_id", "counted_qty", "user_id"})
# No stock room holds a billion of anything: larger figures are typing errors.
MAX_COUNTED_QTY = 1e9


class CycleCountLine(models.Model):
    """One item to count: a quant of the books at the start of the cycle."""

    _name = "foreman.cycle.count.line"
    _description = "Cycle Count Line"
    # book figures (system quantity, cost, variance, first count) stay out of counters' queries
    _inherit = ["foreman.cycle.count.restricted.mixin", "foreman.cycle.count.copied.fields.mixin"]
    _order = "cycle_id, location_id, product_id, lot_id, id"

    cycle_id = fields.Many2one(
        "foreman.cycle.count.cycle", required=True, ondelete="cascade", index=True,
        default=lambda self: self._default_cycle_id(), domain=[("state", "=", "in_progress")])
    plan_id = fields.Many2one("foreman.cycle.count.plan", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    cycle_state = fields.Selection(related="cycle_id.state", readonly=True)
    segment_id = fields.Many2one("foreman.cycle.count.segment", readonly=True)
    product_id = fields.Many2one("product.product", required=True, index=True)
    blind_count = fields.Boolean(related="plan_id.blind_count", readonly=True)
    tracking = fields.Selection(related="product_id.tracking", readonly=True)
    location_id = fields.Many2one(
        "stock.location", required=True, index=True, domain=[("usage", "=", "internal")])
    lot_id = fields.Many2one("stock.production.lot", "Lot/Serial Number")
    owner_id = fields.Many2one("res.partner", help="Customer who owns the item, if any.")
    product_uom_id = fields.Many2one("product.uom", "Unit of Measure", readonly=True)
    system_qty = fields.Float(
        "System Quantity", readonly=True, groups=COORDINATOR,
        digits=dp.get_precision("Product Unit of Measure"),
        help="Quantity on the books when the cycle started.")
    expected_qty = fields.Float(
        "Expected", compute="_compute_expected_qty", digits=dp.get_precision("Product Unit of Measure"),
        help="Quantity on the books, shown to counters when the plan does not count blind.")
    unit_cost = fields.Float(readonly=True, groups=COORDINATOR, digits=dp.get_precision("Product Price"))
    counted_qty = fields.Float("Counted Quantity", digits=dp.get_precision("Product Unit of Measure"))
    is_counted = fields.Boolean("Counted", readonly=True, index=True)
    # written with the count (one UPDATE), not recomputed: see _write_count
    variance_qty = fields.Float(
        "Variance", readonly=True, groups=COORDINATOR, digits=dp.get_precision("Product Unit of Measure"),
        help="Counted minus system quantity.")
    user_id = fields.Many2one("res.users", "Counter", index=True)
    counted_by_id = fields.Many2one("res.users", readonly=True)
    date_counted = fields.Datetime("Counted On", readonly=True)
    first_counted_qty = fields.Float(
        "First Count", readonly=True, groups=COORDINATOR, digits=dp.get_precision("Product Unit of Measure"),
        help="The count before a recount; hidden from counters so the recount stays blind.")
    first_counted_by_id = fields.Many2one("res.users", readonly=True)
    date_first_counted = fields.Datetime("First Counted On", readonly=True)
    state = fields.Selection(
        [("todo", "To Count"), ("counted", "Counted"), ("recount", "To Recount")],
        default="todo", readonly=True, required=True)
    is_found = fields.Boolean(
        "Found on the Floor", readonly=True,
        help="Added by a counter: the books did not have this item here.")

    @api.model
    def _default_cycle_id(self):
        """A found item goes to the cycle being counted where the user has lines (the last one started)."""
        line = self.search([("user_id", "=", self.env.uid), ("cycle_state", "=", "in_progress")],
                           order="cycle_id desc", limit=1)
        return line.cycle_id.id or self.env["foreman.cycle.count.cycle"].search(
            [("state", "=", "in_progress")], order="date_started desc", limit=1).id

    @api.depends("plan_id.blind_count", "system_qty")
    def _compute_expected_qty(self):
        for line in self:
            line.expected_qty = 0.0 if line.sudo().plan_id.blind_count else line.sudo().system_qty

    @api.constrains("counted_qty")
    def _check_counted_qty(self):
        self._check_serial_counted_once()

    def _check_count_value(self, qty):
        """Refuse anything but a plausible count of this line's item, in the user's words."""
        if isinstance(qty, bool) or not isinstance(qty, (int, float)) or not math.isfinite(qty):
            raise UserError(_("The counted quantity of %s must be a number (0 if the item is not there).")
                            % self._describe())
        if qty < 0:
            raise ValidationError(_("A counted quantity cannot be negative (%s).") % self._describe())
        if qty > MAX_COUNTED_QTY:
            raise ValidationError(_("%(qty)s is not a plausible count of %(item)s: check the figure.")
                                  % {"qty": qty, "item": self._describe()})
        uom = self.product_uom_id or self.product_id.uom_id
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        # compared finer than the step itself: at the step's own precision 2.0004 would pass as 2.0
        # and then be stored rounded, a count silently changed
        if float_compare(qty, float_round(qty, precision_rounding=uom.rounding), precision_digits=digits + 6):
            raise ValidationError(_("%(item)s is counted in steps of %(step)s %(uom)s: %(qty)s is not one.")
                                  % {"item": self._describe(), "step": uom.rounding, "uom": uom.name, "qty": qty})
        # lot first: most lines have none, and the related tracking costs two reads
        if self.lot_id and self.tracking == "serial" and qty not in (0, 1):
            raise ValidationError(_(
                "Serial number %s is one unit: count 1 if it is there, 0 if not.") % self.lot_id.name)

    def _check_serial_counted_once(self):
        serial_lines = self.filtered(lambda l: l.lot_id and l.tracking == "serial" and l.counted_qty > 0)
        if not serial_lines:
            return
        self.env.cr.execute("""
            SELECT lot_id FROM foreman_cycle_count_line
             WHERE cycle_id IN %s AND lot_id IN %s AND is_counted AND counted_qty > 0
          GROUP BY cycle_id, lot_id HAVING COUNT(*) > 1""",
                            (tuple(serial_lines.mapped("cycle_id").ids), tuple(serial_lines.mapped("lot_id").ids)))
        twice = [row[0] for row in self.env.cr.fetchall()]
        if twice:
            names = self.env["stock.production.lot"].browse(twice).mapped("name")
            raise ValidationError(_(
                "Serial number %s is already counted in another place of this cycle: "
                "set the other count to 0 first if it was moved.") % ", ".join(names))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        """A counter adds an item found on the floor that the books do not have."""
        cycle = self.env["foreman.cycle.count.cycle"].browse(vals.get("cycle_id"))
        if not cycle.exists() or cycle.state != "in_progress":
            raise UserError(_("Items can only be added while the cycle is being counted."))
        self._check_found_item_fields(vals)
        product = self.env["product.product"].browse(vals.get("product_id")).exists()
        location = self.env["stock.location"].browse(vals.get("location_id")).exists()
        owner = self.env["res.partner"].browse(vals.get("owner_id") or [])
        lot = self.env["stock.production.lot"].browse(vals.get("lot_id") or [])
        segment_id = cycle._check_found_item(product, location, lot, owner)
        values = self._prepare_found_line_values(
            cycle, segment_id, product, location, lot, owner, vals.get("user_id"))
        self._check_not_already_listed(values)
        # counters have no right to create the snapshot fields: the checks above stand in for it
        line = super(CycleCountLine, self.sudo()).create(values).sudo(self.env.uid)
        # the web client sends False for a quantity left blank: not counted yet
        if vals.get("counted_qty") is not None and vals["counted_qty"] is not False:
            line.write({"counted_qty": vals["counted_qty"]})
        return line

    def _check_found_item_fields(self, vals):
        forbidden = [name for name, value in vals.items() if name not in FOUND_ITEM_FIELDS and value]
        if forbidden:
            raise UserError(_("A found item is recorded with its product, place, lot, owner and count only; "
                              "%s are set by the system.") % ", ".join(sorted(forbidden)))

    def _prepare_found_line_values(self, cycle, segment_id, product, location, lot, owner, user_id):
        """Values of a count line for an item found where the books do not have it."""
        if not user_id or not self.env.user.has_group(COORDINATOR):
            user_id = self.env.uid
        return {
            "cycle_id": cycle.id, "plan_id": cycle.plan_id.id, "company_id": cycle.company_id.id,
            "segment_id": segment_id,
            "product_id": product.id, "location_id": location.id, "lot_id": lot.id or False,
            "owner_id": owner.id or False, "product_uom_id": product.uom_id.id, "user_id": user_id,
            "system_qty": 0.0, "unit_cost": cycle._unit_costs({product.id})[product.id],
            "is_found": True, "state": "todo", "is_counted": False, "variance_qty": 0.0,
        }

    def _check_not_already_listed(self, vals):
        duplicate = self.sudo().search([
            ("cycle_id", "=", vals.get("cycle_id")), ("product_id", "=", vals.get("product_id")),
            ("location_id", "=", vals.get("location_id")), ("lot_id", "=", vals.get("lot_id") or False),
            ("owner_id", "=", vals.get("owner_id") or False)], limit=1)
        if duplicate:
            raise UserError(_("%(item)s is already on the count sheet (counter: %(user)s): count it on that line.")
                            % {"item": duplicate._describe(), "user": duplicate.user_id.name or _("nobody")})

    @api.multi
    def write(self, vals):
        self._check_still_assigned()
        self._check_not_finalized()
        self._check_write_allowed(vals)
        if "counted_qty" in vals:
            return self._write_count(vals)
        return super(CycleCountLine, self).write(vals)

    def _write_count(self, vals):
        """Record a count: who, when, and the variance against the snapshot, in one go."""
        for line in self:
            line._check_count_value(vals["counted_qty"])
        vals = dict(vals, is_counted=True, state="counted",
                    counted_by_id=self.env.uid, date_counted=fields.Datetime.now())
        recounted = self.filtered(lambda line: line.state == "recount")
        result = super(CycleCountLine, self).write(vals)  # pylint: disable=super-method-mismatch
        self._update_variance()
        recounted._refresh_recounted_discrepancies()
        self._close_finished_counts()
        return result

    def _refresh_recounted_discrepancies(self):
        if not self:
            return
        # counters may not read discrepancies: the recount updates them on their behalf
        Discrepancy = self.env["foreman.cycle.count.discrepancy"].sudo().with_context(tracking_disable=True)
        for disc in Discrepancy.search([("line_id", "in", self.ids)]):
            disc._refresh_from_recount()

    def _close_finished_counts(self):
        for cycle in self.mapped("cycle_id"):
            cycle._close_finished_counts(self.filtered(lambda l, c=cycle: l.cycle_id == c).mapped("user_id").ids)

    def _update_variance(self):
        # one UPDATE instead of a stored compute: nothing left pending in the
        # environment if PostgreSQL makes Odoo retry the request
        if self.ids:
            self.env.cr.execute("""
                UPDATE foreman_cycle_count_line
                   SET variance_qty = CASE WHEN is_counted THEN counted_qty - system_qty ELSE 0 END
                 WHERE id IN %s""", (tuple(self.ids),))
            self.invalidate_cache(["variance_qty"], self.ids)

    def _write_system(self, vals):
        """Internal updates (a recount) that bypass the user-facing write rules."""
        return super(CycleCountLine, self).write(vals)  # pylint: disable=super-method-mismatch

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        """An uncounted line reads as no count at all (False), not as a counted 0.

        The web client then shows it blank, and a 0 typed there is a change it saves.
        """
        result = super(CycleCountLine, self).read(fields=fields, load=load)
        if result and "counted_qty" in result[0]:
            uncounted = set(self.browse([row["id"] for row in result]).filtered(lambda line: not line.is_counted).ids)
            for row in result:
                if row["id"] in uncounted:
                    row["counted_qty"] = False
        return result

    @api.multi
    def name_get(self):
        return [(line.id, line._describe()) for line in self]

    @api.multi
    def unlink(self):
        if any(not line.is_found or line.cycle_id.state != "in_progress" for line in self):
            raise UserError(_("Only items added on the floor can be removed, while counting."))
        return super(CycleCountLine, self).unlink()

    def _check_still_assigned(self):
        """A counter whose line went to someone else meanwhile is told so in plain words."""
        if self.env.user.has_group(COORDINATOR):
            return
        moved = self.sudo().filtered(lambda line: line.user_id.id != self.env.uid)
        recounted = moved.filtered(lambda line: line.state == "recount"
                                   and line.first_counted_by_id.id == self.env.uid)
        if recounted:
            raise AccessError(_("%s was just sent to another counter for a recount: this count was not saved "
                                "(your first count is kept for the coordinator).") % recounted[0]._describe())
        if moved:
            # not described: the counter may not read what they do not count
            raise AccessError(_("This line is assigned to another counter."))

    def _check_not_finalized(self):
        # state read once per cycle, not once per line
        if "finalized" in self.mapped("cycle_id.state"):
            raise UserError(_("This cycle is finalized: its counts can never change again."))

    def _check_write_allowed(self, vals):
        recorded = (SNAPSHOT_FIELDS | AUDIT_FIELDS).intersection(vals)
        if recorded:
            raise AccessError(_("%s: recorded by the system when the cycle started or the item was counted; "
                                "nobody can edit it.") % ", ".join(self._fields[name].string for name in sorted(recorded)))
        if "counted_qty" in vals and set(self.mapped("cycle_id.state")) - {"in_progress"}:
            raise UserError(_("Counts can only be entered while the cycle is being counted."))
        if self.env.user.has_group(COORDINATOR):
            if set(vals) - COORDINATOR_WRITABLE:
                raise AccessError(_("Only the count and the counter of a line can be changed."))
            user_id = vals.get("user_id")
            counter = self.env["res.users"].browse(user_id if isinstance(user_id, int) else []).exists()
            if user_id and (not counter or not counter.has_group(COUNTER)):
                raise UserError(_("Lines are counted by cycle count Counters: choose one."))
            return
        if set(vals) - COUNTER_WRITABLE:
            raise AccessError(_("Counters can only enter counted quantities."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_count_missing(self):
        """The item is not there: count 0, in one click."""
        return self.write({"counted_qty": 0.0})

    @api.multi
    def action_clear_count(self):
        """Undo a count (a wrong 'Not there', a typo) while the cycle is still being counted."""
        if set(self.mapped("cycle_id.state")) - {"in_progress"}:
            raise UserError(_("Counts can only be cleared while the cycle is being counted."))
        self._check_still_assigned()
        for line in self.filtered("is_counted"):
            line._write_system({"counted_qty": 0.0, "is_counted": False,
                                "state": "recount" if line.first_counted_by_id else "todo",
                                "counted_by_id": False, "date_counted": False})
            line._update_variance()  # a book figure: counters may not write it
            line.cycle_id._request_counts(users=line.user_id)
        return True

    @api.multi
    def action_send_to_recount(self, user_id):
        """Have another counter (a res.users id) count these lines again; the first count is kept."""
        self.env["foreman.cycle.count.plan"]._check_coordinator()
        if isinstance(user_id, models.BaseModel):
            user_id = user_id.id
        user = self.env["res.users"].browse(user_id if isinstance(user_id, int) else []).exists()
        if not user or not user.has_group(COUNTER):
            raise UserError(_("Choose a cycle count Counter to do the recount."))
        for line in self:
            line._check_recount_possible(user)
        self._reset_for_recount(user)
        cycles = self.mapped("cycle_id")
        cycles.filtered(lambda cycle: cycle.state == "review")._reopen_counting()
        # a pending recount takes its discrepancy out of the approvers' requests
        self.env["foreman.cycle.count.discrepancy"].sudo().search(
            [("line_id", "in", self.ids)])._sync_approval_requests()
        for cycle in cycles:
            cycle._request_counts(users=user)
            cycle.message_post(body=_("%(count)d lines sent to %(user)s for a recount.") % {
                "count": len(self.filtered(lambda l, c=cycle: l.cycle_id == c)), "user": user.name})
        return True

    def _check_recount_possible(self, user):
        if not self.is_counted:
            raise UserError(_("%s has not been counted yet.") % self._describe())
        if self.cycle_id.state not in ("in_progress", "review"):
            raise UserError(_("Cycle %s is not open for counting.") % self.cycle_id.name)
        if user == self.counted_by_id or user == self.first_counted_by_id:
            raise UserError(_(
                "%(user)s counted %(item)s already: a recount must be done by someone else.")
                % {"user": user.name, "item": self._describe()})

    def _reset_for_recount(self, user):
        for line in self:
            line._write_system({
                "first_counted_qty": line.counted_qty,
                "first_counted_by_id": line.counted_by_id.id,
                "date_first_counted": line.date_counted,
                "counted_qty": 0.0, "is_counted": False, "state": "recount", "user_id": user.id,
                "counted_by_id": False, "date_counted": False, "variance_qty": 0.0,
            })

    def _describe(self):
        parts = [self.product_id.display_name, self.location_id.display_name]
        if self.lot_id:
            parts.append(self.lot_id.name)
        return " / ".join(parts)
