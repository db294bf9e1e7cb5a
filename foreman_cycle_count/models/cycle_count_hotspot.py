# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter, defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import accuracy
from ..lib import discrepancy as discrepancy_lib
from .cycle_count_plan import COORDINATOR, THRESHOLD_FIELDS, hierarchies_overlap, within_tree

# What a hotspot can be, and the field of the analysis that names it.
KIND_FIELDS = {"location": "location_id", "category": "categ_id"}
# What the cycles found and what was done about it: recorded by the system only.
JUDGED_FIELDS = frozenset({
    "plan_id", "kind", "location_id", "categ_id", "state", "target_rate", "last_rate", "rate_history",
    "root_causes", "cycle_ids", "date_last_cycle", "date_closed", "applied_plan_id"})


class CycleCountHotspot(models.Model):
    """A location or category consistently off: above its plan's target in consecutive finalized cycles."""

    _name = "foreman.cycle.count.hotspot"
    _description = "Cycle Count Hotspot"
    _inherit = ["foreman.cycle.count.mail.thread", "foreman.cycle.count.copied.fields.mixin"]
    _order = "state, date_last_cycle desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    plan_id = fields.Many2one("foreman.cycle.count.plan", required=True, readonly=True,
                              ondelete="cascade", index=True, help="The plan whose cycles found it.")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, readonly=True)
    kind = fields.Selection([("location", "Location"), ("category", "Product Category")],
                            required=True, readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True, index=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True, index=True)
    state = fields.Selection(
        [("open", "To Act On"), ("applied", "Counted More Often"), ("closed", "Back on Target")],
        default="open", required=True, readonly=True, track_visibility="onchange")
    target_rate = fields.Float("Target (%)", readonly=True, digits=(16, 2))
    last_rate = fields.Float("Latest Rate (%)", readonly=True, digits=(16, 2))
    rate_history = fields.Char(
        "Rates", readonly=True, help="Discrepancy rate of each finalized cycle that counted it, oldest first.")
    root_causes = fields.Char(readonly=True,
                              help="Root causes of its discrepancies in those cycles, the most frequent first.")
    suggested_action = fields.Text(compute="_compute_suggested_action")
    cycle_ids = fields.Many2many("foreman.cycle.count.cycle", "foreman_cycle_count_hotspot_cycle_rel",
                                 "hotspot_id", "cycle_id", string="Cycles", readonly=True)
    date_last_cycle = fields.Date("Latest Cycle", readonly=True,
                                  help="Start of the latest finalized cycle that counted it.")
    date_closed = fields.Date("Closed On", readonly=True)
    applied_plan_id = fields.Many2one("foreman.cycle.count.plan", "Now Counted By", readonly=True)

    @api.depends("kind", "location_id", "categ_id")
    def _compute_name(self):
        for hotspot in self:
            record = hotspot.location_id if hotspot.kind == "location" else hotspot.categ_id
            hotspot.name = record.display_name

    def _compute_suggested_action(self):
        for hotspot in self:
            if hotspot.state == "closed":
                hotspot.suggested_action = _("None: back at or below target.")
            elif hotspot.state == "applied":
                hotspot.suggested_action = _("Counted by %s now: watch its next cycles.") % (
                    hotspot.applied_plan_id.name)
            else:
                hotspot.suggested_action = _(
                    "Count it more often: move it into a plan with more counts per timeframe than "
                    "%(plan)s (%(counts)d a timeframe). Its root causes (%(causes)s) tell what to fix meanwhile.") % {
                        "plan": hotspot.plan_id.name, "counts": hotspot.plan_id.counts_per_timeframe,
                        "causes": hotspot.root_causes or _("not documented")}

    @api.model
    def create(self, vals):  # pylint: disable=method-required-super
        raise AccessError(_("Hotspots are found by finalized cycles: they cannot be created by hand."))

    @api.model
    def _create_system(self, vals):
        """A hotspot found by the cycles (see the plan's _refresh_hotspots)."""
        return super(CycleCountHotspot, self).create(vals)  # pylint: disable=super-method-mismatch

    @api.multi
    def write(self, vals):
        if JUDGED_FIELDS.intersection(vals):
            raise UserError(_("A hotspot's rates and status come from the finalized cycles and its "
                              "Count More Often button: they cannot be edited."))
        return super(CycleCountHotspot, self).write(vals)

    def _write_system(self, vals):
        return super(CycleCountHotspot, self).write(vals)  # pylint: disable=super-method-mismatch

    @api.multi
    def action_count_more_often(self):
        """Open the confirmation of the move into a plan counted more often."""
        self.ensure_one()
        self.env["foreman.cycle.count.plan"]._check_coordinator()
        if self.state != "open":
            raise UserError(_("Hotspot %s was acted on already.") % self.name)
        return {
            "type": "ir.actions.act_window",
            "name": _("Count %s more often") % self.name,
            "res_model": "foreman.cycle.count.hotspot.apply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_hotspot_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _record(self):
        self.ensure_one()
        return self.location_id if self.kind == "location" else self.categ_id

    def _create_hotspot_plan(self, values):
        """The new plan, with the approval thresholds of the plan it takes the stock from.

        Only Managers change thresholds; a Coordinator moving a hotspot copies them,
        which lowers nothing: the copy is written as the system (thresholds are the
        source plan's, never the caller's).
        """
        plan_values = {name: value for name, value in values.items() if name not in THRESHOLD_FIELDS}
        plan = self.env["foreman.cycle.count.plan"].create(plan_values)
        source = self.plan_id
        plan.sudo().write({"minor_qty_limit": source.minor_qty_limit, "minor_value_limit": source.minor_value_limit,
                           "high_value_category_ids": [(6, 0, source.high_value_category_ids.ids)]})
        return plan

    def _move_to_plan(self, today, target=None, new_plan_values=None):
        """Hand the hotspot's stock from its plan to ``target`` (or to a new plan made of
        ``new_plan_values``), regenerate both calendars, and return the plan that counts it now."""
        self.ensure_one()
        source, record = self.plan_id, self._record()
        if target:
            source._check_can_hand_over(self.kind, record, target)
        field, excluded = ("location_ids", "excluded_location_ids") if self.kind == "location" \
            else ("category_ids", "excluded_category_ids")
        # the source lets go first: the scopes of two plans never overlap
        if record in source[field]:
            source.write({field: [(3, record.id)]})
        else:
            source.write({excluded: [(4, record.id)]})
        if target and record in target[excluded]:
            target.write({excluded: [(3, record.id)]})
        if target and target[field]:
            target.write({field: [(4, record.id)]})
        elif not target:
            target = self._create_hotspot_plan(new_plan_values)
            source._check_can_hand_over(self.kind, record, target)
        self._write_system({"state": "applied", "applied_plan_id": target.id})
        self.message_post(body=_("Moved into plan %(target)s (%(counts)d counts per timeframe); "
                                 "the calendars of %(source)s and %(target)s were generated again.") % {
            "target": target.name, "counts": target.counts_per_timeframe, "source": source.name})
        for plan in source | target:
            plan._generate_calendar(today)
        return target


class CycleCountPlanHotspots(models.Model):
    """Hotspot detection: each finalized cycle updates the plan's rates per location and category."""

    _inherit = "foreman.cycle.count.plan"

    hotspot_ids = fields.One2many("foreman.cycle.count.hotspot", "plan_id", string="Hotspots")
    hotspot_count = fields.Integer(compute="_compute_hotspot_count", groups=COORDINATOR)

    def _compute_hotspot_count(self):
        counts = {group["plan_id"][0]: group["plan_id_count"] for group in self.env[
            "foreman.cycle.count.hotspot"].read_group(
            [("plan_id", "in", self.ids), ("state", "=", "open")], ["plan_id"], ["plan_id"])}
        for plan in self:
            plan.hotspot_count = counts.get(plan.id, 0)

    @api.multi
    def action_refresh_hotspots(self):
        self._check_coordinator()
        self._refresh_hotspots()
        return self.action_view_hotspots()

    @api.multi
    def action_view_hotspots(self):
        action = self.env.ref("foreman_cycle_count.foreman_cycle_count_hotspot_action").read()[0]
        action["domain"] = [("plan_id", "in", self.ids)]
        return action

    def _is_hotspot(self, rates):
        """Override point: whether a series of rates (oldest first) makes a hotspot.

        Default: above the plan's target in the last two finalized cycles that counted it.
        """
        return accuracy.is_hotspot(rates, self.target_discrepancy_rate, consecutive=2)

    def _is_back_on_target(self, rates):
        """Override point: whether an open hotspot is over (default: its latest rate is on target)."""
        return accuracy.is_back_on_target(rates, self.target_discrepancy_rate)

    def _refresh_hotspots(self):
        """Open, update or close the hotspots of these plans from their finalized cycles."""
        Hotspot = self.env["foreman.cycle.count.hotspot"]
        for plan in self:
            for kind, field in KIND_FIELDS.items():
                known = Hotspot.search([("company_id", "=", plan.company_id.id), ("kind", "=", kind)],
                                       order="date_last_cycle desc, id desc")
                active, latest = {}, {}
                for hotspot in known:
                    record_id = hotspot[field].id
                    latest.setdefault(record_id, hotspot.date_last_cycle)
                    if hotspot.state in ("open", "applied"):
                        active.setdefault(record_id, hotspot)
                for record_id, series in plan._rate_series(field).items():
                    plan._update_hotspot(active.get(record_id), latest.get(record_id), kind, field, record_id,
                                         series)

    def _update_hotspot(self, active, latest_date, kind, field, record_id, series):
        """Update the record's active hotspot with newer cycles (closing it when back on target), or open one.

        A hotspot is not opened again on cycles older than the latest one already judged.
        """
        rates = [rate for _cycle, _date, rate in series]
        last_date = series[-1][1]
        if active:
            if last_date <= active.date_last_cycle:
                return
            values = self._hotspot_values(field, record_id, series)
            if self._is_back_on_target(rates):
                values.update(state="closed", date_closed=fields.Date.context_today(self))
            active._write_system(values)
        elif self._is_hotspot(rates) and not (latest_date and latest_date >= last_date):
            self.env["foreman.cycle.count.hotspot"]._create_system(dict(
                self._hotspot_values(field, record_id, series), plan_id=self.id, kind=kind, **{field: record_id}))

    def _hotspot_values(self, field, record_id, series):
        """Rates, root causes and cycles of the evidence: the latest finalized cycles that counted it."""
        recent = series[-3:]
        cycle_ids = [cycle_id for cycle_id, _date, _rate in recent]
        causes = Counter()
        for group in self.env["foreman.cycle.count.report"].read_group(
                [("cycle_id", "in", cycle_ids), (field, "=", record_id), ("items_discrepant", ">", 0)],
                ["root_cause", "items_discrepant"], ["root_cause"]):
            causes[group["root_cause"] or ""] += group["items_discrepant"]
        names = dict(self.env["foreman.cycle.count.discrepancy"]._fields["root_cause"]._description_selection(
            self.env))
        cycles = self.env["foreman.cycle.count.cycle"].browse(cycle_ids)
        return {
            "target_rate": self.target_discrepancy_rate, "last_rate": recent[-1][2],
            "rate_history": ", ".join("%s: %.1f %%" % (cycle.name, rate) for cycle, (_id, _date, rate)
                                      in zip(cycles, recent)),
            "root_causes": ", ".join("%s (%d)" % (names[cause] if cause else _("not documented"), count)
                                     for cause, count in causes.most_common()),
            "cycle_ids": [(6, 0, cycle_ids)], "date_last_cycle": recent[-1][1],
        }

    def _rate_series(self, field):
        """{record id: [(cycle id, cycle start, rate)]}: the discrepancy rate of each record (location or
        category) in each finalized cycle of the plan that counted it, oldest first."""
        self.ensure_one()
        groups = self.env["foreman.cycle.count.report"].read_group(
            [("plan_id", "=", self.id), ("cycle_state", "=", "finalized")],
            [field, "cycle_id", "items_counted", "items_discrepant"], [field, "cycle_id"], lazy=False)
        cycles = self.env["foreman.cycle.count.cycle"].browse({group["cycle_id"][0] for group in groups})
        order = {cycle.id: (cycle.date_start, cycle.id) for cycle in cycles}
        series = defaultdict(list)
        for group in groups:
            if not group[field]:
                continue
            cycle_id = group["cycle_id"][0]
            series[group[field][0]].append((cycle_id, order[cycle_id][0], discrepancy_lib.discrepancy_rate(
                group["items_discrepant"], group["items_counted"])))
        for points in series.values():
            points.sort(key=lambda point: order[point[0]])
        return series

    def _prepare_hotspot_plan_values(self, hotspot, name, counts_per_timeframe):
        """A new plan for a hotspot: its stock only, counted ``counts_per_timeframe`` times, one cycle each."""
        self.ensure_one()
        record = hotspot._record()
        if hotspot.kind == "location":
            scope = {"location_ids": [(6, 0, record.ids)], "category_ids": [(6, 0, self.category_ids.ids)],
                     "excluded_category_ids": [(6, 0, self.excluded_category_ids.ids)]}
            segments = self.segment_ids.filtered(
                lambda segment: hierarchies_overlap(segment.location_ids, record))
        else:
            scope = {"category_ids": [(6, 0, record.ids)], "location_ids": [(6, 0, self.location_ids.ids)],
                     "excluded_location_ids": [(6, 0, self.excluded_location_ids.ids)]}
            segments = self.segment_ids.filtered(
                lambda segment: hierarchies_overlap(segment.category_ids, record))
        values = dict(scope, **{
            "name": name, "company_id": self.company_id.id, "ownership": self.ownership,
            "velocity_class_ids": [(6, 0, self.velocity_class_ids.ids)],
            "value_class_ids": [(6, 0, self.value_class_ids.ids)],
            "timeframe": self.timeframe, "date_rolling_start": self.date_rolling_start,
            "counts_per_timeframe": counts_per_timeframe, "cycles_per_count": 1,
            "reminder_days": max(0, min(self.reminder_days, 365 // counts_per_timeframe - 1)),
            "blind_count": self.blind_count, "target_discrepancy_rate": self.target_discrepancy_rate,
            # whoever counted it so far keeps counting it
            "user_ids": [(6, 0, (self.user_ids | segments.mapped("user_ids")).ids)],
        })
        return values

    def _check_can_hand_over(self, kind, record, target):
        """``target`` must count more often, in the same company, all the kinds of stock this plan counts there."""
        if target == self or target.company_id != self.company_id or not target.active:
            raise UserError(_("Choose another active plan of %s.") % self.company_id.name)
        # both timeframes are a year long: counts per timeframe compare as they are
        if target.counts_per_timeframe <= self.counts_per_timeframe:
            raise UserError(_(
                "Plan %(target)s counts %(target_counts)d times per timeframe, %(plan)s %(counts)d times: "
                "choose a plan that counts more often.") % {
                    "target": target.name, "target_counts": target.counts_per_timeframe,
                    "plan": self.name, "counts": self.counts_per_timeframe})
        other_field = "category_ids" if kind == "location" else "location_ids"
        narrower = target[other_field] and not (self[other_field] and within_tree(self[other_field],
                                                                                   target[other_field]))
        classes = any(target[name] and not (self[name] and self[name] <= target[name])
                      for name in ("velocity_class_ids", "value_class_ids"))
        ownership = target.ownership not in ("both", self.ownership)
        if narrower or classes or ownership:
            raise UserError(_(
                "Plan %(target)s does not count everything %(plan)s counts at %(record)s (its categories, "
                "locations, classes or ownership are narrower): that stock would no longer be counted.") % {
                    "target": target.name, "plan": self.name, "record": record.display_name})
