# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CycleCountHotspotApply(models.TransientModel):
    """Confirm counting a hotspot more often: into which plan, and what the calendars become."""

    _name = "foreman.cycle.count.hotspot.apply"
    _description = "Count a Hotspot More Often"

    hotspot_id = fields.Many2one("foreman.cycle.count.hotspot", required=True, readonly=True)
    plan_id = fields.Many2one(related="hotspot_id.plan_id", readonly=True, string="Counted Today By")
    company_id = fields.Many2one(related="hotspot_id.company_id", readonly=True)
    target_mode = fields.Selection(
        [("existing", "Move it into an existing plan"), ("new", "Move it into a new plan")],
        default=lambda self: self._default_target_mode(), required=True)
    target_plan_id = fields.Many2one(
        "foreman.cycle.count.plan", "Into Plan",
        help="A plan of the same company that counts more times per timeframe.")
    new_plan_name = fields.Char("New Plan")
    new_counts_per_timeframe = fields.Integer(
        "Counts per Timeframe", help="How often the new plan counts the hotspot's stock.")
    summary = fields.Text(compute="_compute_summary")

    @api.model
    def _default_target_mode(self):
        hotspot = self.env["foreman.cycle.count.hotspot"].browse(self.env.context.get("default_hotspot_id"))
        return "existing" if hotspot and self._candidate_plans(hotspot.plan_id) else "new"

    @api.model
    def default_get(self, fields_list):
        values = super(CycleCountHotspotApply, self).default_get(fields_list)
        hotspot = self.env["foreman.cycle.count.hotspot"].browse(values.get("hotspot_id"))
        if hotspot:
            plan = hotspot.plan_id
            values.setdefault("new_plan_name", _("%(plan)s: %(hotspot)s") % {"plan": plan.name, "hotspot": hotspot.name})
            # twice as often as today: a quarterly count becomes two, a yearly one six-monthly
            values.setdefault("new_counts_per_timeframe", min(plan.counts_per_timeframe * 2, 365))
            values.setdefault("target_plan_id", self._candidate_plans(plan)[:1].id)
        return values

    @api.model
    def _candidate_plans(self, plan):
        return self.env["foreman.cycle.count.plan"].search([
            ("company_id", "=", plan.company_id.id), ("id", "!=", plan.id),
            ("counts_per_timeframe", ">", plan.counts_per_timeframe)], order="counts_per_timeframe desc")

    @api.depends("hotspot_id", "target_mode", "target_plan_id", "new_plan_name", "new_counts_per_timeframe")
    def _compute_summary(self):
        for wizard in self:
            hotspot, plan = wizard.hotspot_id, wizard.hotspot_id.plan_id
            target = wizard.target_plan_id.name if wizard.target_mode == "existing" else wizard.new_plan_name
            counts = wizard.target_plan_id.counts_per_timeframe if wizard.target_mode == "existing" \
                else wizard.new_counts_per_timeframe
            wizard.summary = _(
                "%(plan)s stops counting %(hotspot)s and %(target)s counts it, %(counts)d times per timeframe "
                "instead of %(current)d. The planned cycles of both plans are generated again from today; "
                "cycles already started are kept.") % {
                    "plan": plan.name, "hotspot": hotspot.name, "target": target or "?",
                    "counts": counts or 0, "current": plan.counts_per_timeframe}

    @api.multi
    def action_confirm(self):
        """Move the hotspot's stock and show the calendar of the plan that counts it now."""
        self.ensure_one()
        self.env["foreman.cycle.count.plan"]._check_coordinator()
        hotspot = self.hotspot_id
        if hotspot.state != "open":
            raise UserError(_("Hotspot %s was acted on already.") % hotspot.name)
        today = fields.Date.from_string(fields.Date.context_today(self))
        if self.target_mode == "existing":
            if not self.target_plan_id:
                raise UserError(_("Choose the plan that will count %s more often.") % hotspot.name)
            target = hotspot._move_to_plan(today, target=self.target_plan_id)
        else:
            target = hotspot._move_to_plan(today, new_plan_values=self._prepare_new_plan_values())
        return target.action_view_cycles()

    def _prepare_new_plan_values(self):
        plan = self.hotspot_id.plan_id
        if not (self.new_plan_name or "").strip():
            raise UserError(_("Name the new plan."))
        if self.new_counts_per_timeframe <= plan.counts_per_timeframe:
            raise UserError(_("The new plan must count more often than %(plan)s (%(counts)d times per "
                              "timeframe).") % {"plan": plan.name, "counts": plan.counts_per_timeframe})
        return plan._prepare_hotspot_plan_values(self.hotspot_id, self.new_plan_name.strip(),
                                                 self.new_counts_per_timeframe)
