# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .cycle_count_plan import COORDINATOR, COUNTER

# What a counter may write on their own line.
COUNTER_WRITABLE = {"counted_qty"}


class CycleCountLine(models.Model):
    """One item to count: a quant of the books at the start of the cycle."""

    _name = "foreman.cycle.count.line"
    _description = "Cycle Count Line"
    _order = "cycle_id, location_id, product_id, lot_id, id"

    cycle_id = fields.Many2one(
        "foreman.cycle.count.cycle", required=True, ondelete="cascade", index=True)
    plan_id = fields.Many2one("foreman.cycle.count.plan", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    cycle_state = fields.Selection(related="cycle_id.state", readonly=True)
    segment_id = fields.Many2one("foreman.cycle.count.segment", readonly=True)
    product_id = fields.Many2one("product.product", required=True, index=True)
    blind_count = fields.Boolean(related="plan_id.blind_count", readonly=True)
    tracking = fields.Selection(related="product_id.tracking", readonly=True)
    location_id = fields.Many2one(
        "stock.location", required=True, index=True, domain=[("usage", "=", "internal")])
    lot_id = fields.Many2one("stock.production.lot", "Lot/Serial Number")
    owner_id = fields.Many2one("res.partner", help="Customer who owns the item, if any.")
    product_uom_id = fields.Many2one("product.uom", "Unit of Measure")
    system_qty = fields.Float(
        "System Quantity", readonly=True, groups=COORDINATOR,
        digits=(16, 3), help="Quantity on the books when the cycle started.")
    expected_qty = fields.Float(
        "Expected", compute="_compute_expected_qty", digits=(16, 3),
        help="Quantity on the books, shown to counters when the plan does not count blind.")
    unit_cost = fields.Float(readonly=True, groups=COORDINATOR, digits=(16, 2))
    counted_qty = fields.Float("Counted Quantity", digits=(16, 3))
    is_counted = fields.Boolean("Counted", readonly=True, index=True)
    variance_qty = fields.Float(
        "Variance", compute="_compute_variance_qty", store=True, groups=COORDINATOR,
        digits=(16, 3), help="Counted minus system quantity.")
    user_id = fields.Many2one("res.users", "Counter", index=True)
    counted_by_id = fields.Many2one("res.users", readonly=True)
    date_counted = fields.Datetime("Counted On", readonly=True)
    first_counted_qty = fields.Float(
        "First Count", readonly=True, groups=COORDINATOR, digits=(16, 3),
        help="The count before a recount; hidden from counters so the recount stays blind.")
    first_counted_by_id = fields.Many2one("res.users", readonly=True)
    date_first_counted = fields.Datetime("First Counted On", readonly=True)
    state = fields.Selection(
        [("todo", "To Count"), ("counted", "Counted"), ("recount", "To Recount")],
        default="todo", readonly=True, required=True)
    is_found = fields.Boolean(
        "Found on the Floor", readonly=True,
        help="Added by a counter: the books did not have this item here.")

    @api.depends("counted_qty", "system_qty", "is_counted")
    def _compute_variance_qty(self):
        for line in self:
            line.variance_qty = line.counted_qty - line.system_qty if line.is_counted else 0.0

    @api.depends("plan_id.blind_count", "system_qty")
    def _compute_expected_qty(self):
        for line in self:
            line.expected_qty = 0.0 if line.sudo().plan_id.blind_count else line.sudo().system_qty

    @api.constrains("counted_qty")
    def _check_counted_qty(self):
        for line in self:
            line._check_count_value(line.counted_qty)
        self._check_serial_counted_once()

    def _check_count_value(self, qty):
        if qty is False or qty is None:
            raise UserError(_("Enter a counted quantity (0 if the item is not there)."))
        if qty < 0:
            raise ValidationError(_("A counted quantity cannot be negative (%s).") % self._describe())
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

    @api.model
    def create(self, vals):
        """A counter adds an item found on the floor that the books do not have."""
        cycle = self.env["foreman.cycle.count.cycle"].browse(vals.get("cycle_id"))
        if cycle.state != "in_progress":
            raise UserError(_("Items can only be added while the cycle is being counted."))
        is_coordinator = self.env.user.has_group(COORDINATOR)
        vals = dict(vals, plan_id=cycle.plan_id.id, company_id=cycle.company_id.id,
                    is_found=True, state="todo", is_counted=False)
        if not is_coordinator or not vals.get("user_id"):
            vals["user_id"] = self.env.uid
        for forbidden in ("system_qty", "variance_qty", "unit_cost"):
            vals.pop(forbidden, None)
        counted = vals.pop("counted_qty", None)
        product = self.env["product.product"].browse(vals.get("product_id"))
        vals.setdefault("product_uom_id", product.uom_id.id)
        self._check_not_already_listed(vals)
        line = super(CycleCountLine, self.sudo()).create(vals).sudo(self.env.uid)
        line.sudo().unit_cost = product.with_context(force_company=cycle.company_id.id).standard_price
        if counted is not None:
            line.write({"counted_qty": counted})
        return line

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
        self._check_not_finalized()
        if self.env.uid != SUPERUSER_ID:
            self._check_write_allowed(vals)
        # internal resets (a recount) pass is_counted explicitly, as superuser
        raw = self.env.uid == SUPERUSER_ID and "is_counted" in vals
        if "counted_qty" in vals and not raw:
            for line in self:
                line._check_count_value(vals["counted_qty"])
            vals = dict(vals, is_counted=True, state="counted",
                        counted_by_id=self.env.uid, date_counted=fields.Datetime.now())
            # the record rule was checked above; counters may not write the other fields
            return super(CycleCountLine, self.sudo()).write(vals)
        return super(CycleCountLine, self).write(vals)

    @api.multi
    def name_get(self):
        return [(line.id, line._describe()) for line in self]

    @api.multi
    def unlink(self):
        if any(not line.is_found or line.cycle_id.state != "in_progress" for line in self):
            raise UserError(_("Only items added on the floor can be removed, while counting."))
        return super(CycleCountLine, self).unlink()

    def _check_not_finalized(self):
        # state read once per cycle, not once per line
        if "finalized" in self.mapped("cycle_id.state"):
            raise UserError(_("This cycle is finalized: its counts can never change again."))

    def _check_write_allowed(self, vals):
        if "counted_qty" in vals and set(self.mapped("cycle_id.state")) - {"in_progress"}:
            raise UserError(_("Counts can only be entered while the cycle is being counted."))
        if self.env.user.has_group(COORDINATOR):
            return
        if set(vals) - COUNTER_WRITABLE:
            raise AccessError(_("Counters can only enter counted quantities."))
        others = self.filtered(lambda line: line.user_id.id != self.env.uid)
        if others:
            raise AccessError(_("%s is assigned to another counter.") % others[0]._describe())

    @api.multi
    def action_count_missing(self):
        """The item is not there: count 0 (a zero typed over 0.000 is not saved by the web client)."""
        return self.write({"counted_qty": 0.0})

    @api.multi
    def action_send_to_recount(self, user):
        """Have another counter count these lines again; the first count is kept."""
        self.env["foreman.cycle.count.plan"]._check_coordinator()
        if not user.has_group(COUNTER):
            raise UserError(_("%s is not a cycle count Counter.") % user.name)
        for line in self:
            if not line.is_counted:
                raise UserError(_("%s has not been counted yet.") % line._describe())
            if line.cycle_id.state not in ("in_progress", "review"):
                raise UserError(_("Cycle %s is not open for counting.") % line.cycle_id.name)
            if user == line.counted_by_id or user == line.first_counted_by_id:
                raise UserError(_(
                    "%(user)s counted %(item)s already: a recount must be done by someone else.")
                    % {"user": user.name, "item": line._describe()})
        cycles = self.mapped("cycle_id")
        for line in self.sudo():
            line.write({
                "first_counted_qty": line.counted_qty,
                "first_counted_by_id": line.counted_by_id.id,
                "date_first_counted": line.date_counted,
                "counted_qty": 0.0, "is_counted": False, "state": "recount", "user_id": user.id,
                "counted_by_id": False, "date_counted": False,
            })
        cycles.filtered(lambda cycle: cycle.state == "review").sudo().write({"state": "in_progress"})
        for cycle in cycles:
            cycle.message_post(body=_("%(count)d lines sent to %(user)s for a recount.") % {
                "count": len(self.filtered(lambda l, c=cycle: l.cycle_id == c)), "user": user.name})
        return True

    def _stock_key(self):
        return (self.product_id.id, self.location_id.id, self.lot_id.id or False, self.owner_id.id or False)

    def _describe(self):
        parts = [self.product_id.display_name, self.location_id.display_name]
        if self.lot_id:
            parts.append(self.lot_id.name)
        return " / ".join(parts)
