# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import scheduling

COORDINATOR = "foreman_cycle_count.group_cycle_count_coordinator"
MANAGER = "foreman_cycle_count.group_cycle_count_manager"
COUNTER = "foreman_cycle_count.group_cycle_count_counter"

# Approval thresholds: only a Manager may set them.
THRESHOLD_FIELDS = ("minor_qty_limit", "minor_value_limit", "high_value_category_ids")


def hierarchies_overlap(records_a, records_b):
    """True when two sets of tree nodes (locations, categories) share a node.

    An empty set stands for the whole tree.
    """
    if not records_a or not records_b:
        return True
    model = records_a.browse().with_context(active_test=False)
    return bool(
        model.search_count([("id", "in", records_a.ids), ("id", "child_of", records_b.ids)])
        or model.search_count([("id", "in", records_b.ids), ("id", "child_of", records_a.ids)]))


def classes_overlap(classes_a, classes_b):
    """True when two selections of A/B/C classes share a class (an empty one means all)."""
    return not classes_a or not classes_b or bool(classes_a & classes_b)


def within_tree(records, roots):
    """True when every one of ``records`` lies under one of ``roots`` (False when either is empty)."""
    if not records or not roots:
        return False
    model = records.browse().with_context(active_test=False)
    return model.search_count([("id", "in", records.ids), ("id", "child_of", roots.ids)]) == len(records)


def trees_overlap(records_a, excluded_a, records_b, excluded_b):
    """True when two selections of tree nodes share a node once their handed-over subtrees are taken out.

    An empty selection stands for the whole tree.
    """
    if not excluded_a and not excluded_b:
        return hierarchies_overlap(records_a, records_b)
    nodes_a, nodes_b = expand_tree(records_a), expand_tree(records_b)
    out_a, out_b = expand_tree(excluded_a) or set(), expand_tree(excluded_b) or set()
    if nodes_a is None and nodes_b is None:
        return True
    if nodes_a is None:
        return bool(nodes_b - out_b - out_a)
    if nodes_b is None:
        return bool(nodes_a - out_a - out_b)
    return bool((nodes_a - out_a) & (nodes_b - out_b))


def expand_tree(records):
    """Ids of the records and all their descendants (None for an empty set: all)."""
    if not records:
        return None
    model = records.browse().with_context(active_test=False)
    return set(model.search([("id", "child_of", records.ids)]).ids)


class CycleCountPlan(models.Model):
    """What is counted, how often, by whom: the policy behind the calendar."""

    _name = "foreman.cycle.count.plan"
    _description = "Cycle Count Plan"
    _inherit = ["foreman.cycle.count.mail.thread", "foreman.cycle.count.restricted.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, track_visibility="onchange")
    active = fields.Boolean(default=True, track_visibility="onchange")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    category_ids = fields.Many2many(
        "product.category", "foreman_cycle_count_plan_category_rel", "plan_id", "category_id",
        string="Inventory Types",
        help="Product categories counted by this plan (with their sub-categories). "
             "Empty means every category.")
    ownership = fields.Selection(
        [("company", "Company-owned stock"),
         ("customer", "Customer-owned stock"),
         ("both", "Company and customer-owned stock")],
        required=True, default="both", track_visibility="onchange",
        help="Customer-owned stock is stock with an owner, such as hosted miners.")
    location_ids = fields.Many2many(
        "stock.location", "foreman_cycle_count_plan_location_rel", "plan_id", "location_id",
        string="Locations", domain=[("usage", "=", "internal")],
        help="Counted locations (with their sub-locations). Empty means every internal location.")
    timeframe = fields.Selection(
        [(scheduling.CALENDAR_YEAR, "Calendar Year"), (scheduling.ROLLING_YEAR, "Rolling Year")],
        required=True, default=scheduling.CALENDAR_YEAR, track_visibility="onchange")
    date_rolling_start = fields.Date(
        "Rolling Year Start", help="First day of the rolling year; it repeats every year.")
    counts_per_timeframe = fields.Integer(
        default=1, required=True, track_visibility="onchange",
        help="How many full counts of the scope happen in the timeframe.")
    cycles_per_count = fields.Integer(
        default=4, required=True, track_visibility="onchange",
        help="How many cycles each count is split into: 4 cycles per yearly count "
             "means one cycle every three months.")
    reminder_days = fields.Integer(
        "Reminder Lead (days)", default=3, required=True,
        help="Counters are reminded this many days before their cycle starts.")
    blind_count = fields.Boolean(
        "Blind Counting", default=True,
        help="Counters do not see the quantity on the books while counting.")
    user_ids = fields.Many2many(
        "res.users", "foreman_cycle_count_plan_user_rel", "plan_id", "user_id",
        string="Default Counters",
        help="Count the stock that no segment covers.")
    segment_ids = fields.One2many("foreman.cycle.count.segment", "plan_id", string="Segments")
    cycle_ids = fields.One2many("foreman.cycle.count.cycle", "plan_id", string="Cycles")
    minor_qty_limit = fields.Float(
        "Minor Variance Limit (units)", default=5.0, track_visibility="onchange",
        help="A variance of at most this many units, either way, can be minor. "
             "Anything larger is major (so 6 to 9 units are major by default).")
    minor_value_limit = fields.Monetary(
        "Minor Variance Limit (value)", default=1000.0, currency_field="currency_id",
        track_visibility="onchange",
        help="A variance worth this much or more is major, whatever the units.")
    high_value_category_ids = fields.Many2many(
        "product.category", "foreman_cycle_count_plan_high_value_rel", "plan_id", "category_id",
        string="High-Value Categories",
        help="Any variance on these categories (for example miners) is major.")
    velocity_class_ids = fields.Many2many(
        "foreman.cycle.count.class", "foreman_cycle_count_plan_velocity_class_rel", "plan_id", "class_id",
        string="Usage Classes",
        help="Count only products of these usage classes (A: moves most often). Empty means every class.")
    value_class_ids = fields.Many2many(
        "foreman.cycle.count.class", "foreman_cycle_count_plan_value_class_rel", "plan_id", "class_id",
        string="Value Classes",
        help="Count only products of these stock value classes. Empty means every class.")
    excluded_location_ids = fields.Many2many(
        "stock.location", "foreman_cycle_count_plan_excluded_location_rel", "plan_id", "location_id",
        string="Locations Handed Over", domain=[("usage", "=", "internal")],
        help="Locations (with their sub-locations) left to other plans, for example hotspots counted "
             "more often elsewhere.")
    excluded_category_ids = fields.Many2many(
        "product.category", "foreman_cycle_count_plan_excluded_category_rel", "plan_id", "category_id",
        string="Categories Handed Over",
        help="Categories (with their sub-categories) left to other plans.")
    target_discrepancy_rate = fields.Float(
        "Target Discrepancy Rate (%)", digits=(16, 2), track_visibility="onchange",
        default=lambda self: self.env.user.company_id.cycle_count_target_rate,
        help="Items with a discrepancy per 100 items counted that this plan aims to stay under. "
             "A location or category above it in two consecutive finalized cycles is a hotspot.")
    cycle_count = fields.Integer(compute="_compute_cycle_count")
    uncovered_quant_ids = fields.Many2many(
        "stock.quant", compute="_compute_uncovered_quant_ids", string="Stock Not Covered")
    uncovered_quant_count = fields.Integer(compute="_compute_uncovered_quant_ids")

    @api.depends("cycle_ids")
    def _compute_cycle_count(self):
        for plan in self:
            plan.cycle_count = len(plan.cycle_ids)

    @api.depends("segment_ids", "category_ids", "location_ids", "ownership", "velocity_class_ids",
                 "value_class_ids", "excluded_location_ids", "excluded_category_ids")
    def _compute_uncovered_quant_ids(self):
        for plan in self:
            if plan.segment_ids:
                rows = plan._read_scope_quants()
                match = plan._segment_matcher()
                quant_ids = [row["id"] for row in rows if not match(row)]
            else:
                quant_ids = []
            plan.uncovered_quant_ids = [(6, 0, quant_ids)]
            plan.uncovered_quant_count = len(quant_ids)

    @api.constrains("counts_per_timeframe", "cycles_per_count", "reminder_days",
                    "timeframe", "date_rolling_start")
    def _check_frequency(self):
        for plan in self:
            if plan.counts_per_timeframe < 1:
                raise ValidationError(_("Counts per timeframe must be at least 1."))
            if plan.cycles_per_count < 1:
                raise ValidationError(_("Cycles per count must be at least 1."))
            if plan.timeframe == scheduling.ROLLING_YEAR and not plan.date_rolling_start:
                raise ValidationError(_("A rolling year needs its start date."))
            if plan.counts_per_timeframe * plan.cycles_per_count > 365:
                raise ValidationError(_(
                    "%(counts)d counts of %(cycles)d cycles make cycles shorter than a day: at most 365 "
                    "cycles fit in a year.") % {"counts": plan.counts_per_timeframe,
                                                "cycles": plan.cycles_per_count})
            if plan.reminder_days < 0:
                raise ValidationError(_("The reminder lead cannot be negative."))
            shortest = plan._shortest_cycle_days()
            if plan.reminder_days > shortest:
                raise ValidationError(_(
                    "The reminder lead (%(lead)d days) is longer than a cycle (%(cycle)d days): "
                    "counters would be reminded of a cycle before the previous one ends.")
                    % {"lead": plan.reminder_days, "cycle": shortest})

    @api.constrains("minor_qty_limit", "minor_value_limit")
    def _check_thresholds(self):
        for plan in self:
            if plan.minor_qty_limit < 0 or plan.minor_value_limit < 0:
                raise ValidationError(_("Approval thresholds cannot be negative."))

    @api.constrains("target_discrepancy_rate")
    def _check_target_discrepancy_rate(self):
        for plan in self:
            if not 0 <= plan.target_discrepancy_rate <= 100:
                raise ValidationError(_("The target discrepancy rate is a percentage, between 0 and 100."))

    @api.onchange("velocity_class_ids")
    def _onchange_velocity_class_ids(self):
        """A plan still at the default frequency gets the one suggested for its most frequent class."""
        default = {"counts_per_timeframe": self._fields["counts_per_timeframe"].default(self),
                   "cycles_per_count": self._fields["cycles_per_count"].default(self)}
        if not self.velocity_class_ids or any(self[name] != value for name, value in default.items()):
            return
        suggested = self.velocity_class_ids.sorted(
            lambda product_class: -product_class.suggested_counts_per_timeframe)[0]
        self.counts_per_timeframe = suggested.suggested_counts_per_timeframe
        self.cycles_per_count = suggested.suggested_cycles_per_count

    @api.constrains("active", "company_id", "category_ids", "location_ids", "ownership", "velocity_class_ids",
                    "value_class_ids", "excluded_location_ids", "excluded_category_ids")
    def _check_scope_overlap(self):
        for plan in self.filtered("active"):
            # settings run with active_test=False: archived plans must not count
            others = self.with_context(active_test=True).search(
                [("id", "!=", plan.id), ("company_id", "=", plan.company_id.id)])
            for other in others:
                if plan._scope_overlaps(other):
                    raise ValidationError(_(
                        "Plans '%(plan)s' and '%(other)s' would count the same stock: give them different "
                        "categories, locations or ownership, or archive one.")
                        % {"plan": plan.name, "other": other.name})

    @api.model
    def create(self, vals):
        if any(vals.get(name) for name in THRESHOLD_FIELDS):
            self._check_threshold_rights()
        return super(CycleCountPlan, self).create(vals)

    @api.multi
    def write(self, vals):
        if any(name in vals for name in THRESHOLD_FIELDS):
            self._check_threshold_rights()
        return super(CycleCountPlan, self).write(vals)

    @api.multi
    def unlink(self):
        if self.mapped("cycle_ids").filtered(lambda cycle: cycle.state not in ("planned", "cancelled")):
            raise UserError(_("This plan has cycles that were counted: archive it instead, "
                              "their counts and adjustments must stay on record."))
        return super(CycleCountPlan, self).unlink()

    @api.multi
    def action_generate_calendar(self):
        """Create or refresh the cycles of the current timeframe from today on, and show them."""
        return self._generate_and_show(next_timeframe=False)

    @api.multi
    def action_generate_next_calendar(self):
        """Plan the timeframe after the current one (a plan set up late in its year), and show it."""
        return self._generate_and_show(next_timeframe=True)

    def _generate_and_show(self, next_timeframe):
        self._check_coordinator()
        for plan in self:
            plan._generate_calendar(fields.Date.from_string(fields.Date.context_today(plan)), next_timeframe)
        action = self.env.ref("foreman_cycle_count.foreman_cycle_count_cycle_action").read()[0]
        action["name"] = _("Cycles of %s") % ", ".join(self.mapped("name"))
        action["domain"] = [("plan_id", "in", self.ids)]
        action["context"] = {"default_plan_id": self.id} if len(self) == 1 else {}
        return action

    @api.multi
    def action_view_cycles(self):
        self.ensure_one()
        action = self.env.ref("foreman_cycle_count.foreman_cycle_count_cycle_action").read()[0]
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    @api.multi
    def action_view_uncovered(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Stock not covered by a segment"),
            "res_model": "stock.quant",
            "view_mode": "tree,form",
            "domain": [("id", "in", self.uncovered_quant_ids.ids)],
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_coordinator(self):
        if not self.env.user.has_group(COORDINATOR):
            raise AccessError(_("Only a cycle count Coordinator can do this."))

    def _check_threshold_rights(self):
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only a cycle count Manager can change approval thresholds."))

    def _timeframe_bounds(self, today):
        self.ensure_one()
        return scheduling.timeframe_bounds(
            self.timeframe, today, fields.Date.from_string(self.date_rolling_start))

    def _windows(self, today):
        first, last = self._timeframe_bounds(today)
        return scheduling.split_period(first, last, self.counts_per_timeframe * self.cycles_per_count)

    def _shortest_cycle_days(self):
        today = fields.Date.from_string(fields.Date.context_today(self))
        return min((end - start).days + 1 for start, end in self._windows(today))

    def _scope_overlaps(self, other):
        if self.company_id != other.company_id:
            return False
        if "both" not in (self.ownership, other.ownership) and self.ownership != other.ownership:
            return False
        return (trees_overlap(self.category_ids, self.excluded_category_ids,
                              other.category_ids, other.excluded_category_ids)
                and trees_overlap(self.location_ids, self.excluded_location_ids,
                                  other.location_ids, other.excluded_location_ids)
                and classes_overlap(self.velocity_class_ids, other.velocity_class_ids)
                and classes_overlap(self.value_class_ids, other.value_class_ids))

    def _scope_domain(self):
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id),
                  ("location_id.usage", "=", "internal"),
                  ("quantity", "!=", 0)]
        if self.location_ids:
            domain.append(("location_id", "child_of", self.location_ids.ids))
        if self.category_ids:
            domain.append(("product_id.categ_id", "child_of", self.category_ids.ids))
        if self.excluded_location_ids:
            domain += ["!", ("location_id", "child_of", self.excluded_location_ids.ids)]
        if self.excluded_category_ids:
            domain += ["!", ("product_id.categ_id", "child_of", self.excluded_category_ids.ids)]
        if self.velocity_class_ids:
            domain.append(("product_id.cycle_count_velocity_class_id", "in", self.velocity_class_ids.ids))
        if self.value_class_ids:
            domain.append(("product_id.cycle_count_value_class_id", "in", self.value_class_ids.ids))
        if self.ownership == "company":
            domain.append(("owner_id", "=", False))
        elif self.ownership == "customer":
            domain.append(("owner_id", "!=", False))
        return domain

    def _selects_product(self, product):
        """Whether the plan's classes and handed-over categories leave ``product`` in its scope."""
        self.ensure_one()
        if self.velocity_class_ids and product.cycle_count_velocity_class_id not in self.velocity_class_ids:
            return False
        if self.value_class_ids and product.cycle_count_value_class_id not in self.value_class_ids:
            return False
        return not within_tree(product.categ_id, self.excluded_category_ids)

    def _read_scope_quants(self):
        """In-scope quants as plain dicts, read in one query (no ORM records)."""
        self.ensure_one()
        from_clause, where_clause, params = self._scope_query()
        self.env.cr.execute("""
            SELECT stock_quant.id, stock_quant.product_id, tmpl.categ_id, tmpl.uom_id,
                   stock_quant.location_id, stock_quant.lot_id, stock_quant.owner_id,
                   stock_quant.quantity, pp.default_code,
                   pp.cycle_count_velocity_class_id AS velocity_class_id,
                   pp.cycle_count_value_class_id AS value_class_id
              FROM %s
              JOIN product_product pp ON pp.id = stock_quant.product_id
              JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
             WHERE %s
        """ % (from_clause, where_clause), params)
        return self.env.cr.dictfetchall()

    def _scope_query(self):
        """(FROM, WHERE, parameters) selecting the in-scope quants, with the user's record rules."""
        self.ensure_one()
        quants = self.env["stock.quant"]
        query = quants._where_calc(self._scope_domain())
        quants._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        return from_clause, where_clause or "TRUE", list(params)

    def _segment_matcher(self):
        """A function telling which segment (id, or False) covers a quant row."""
        self.ensure_one()
        criteria = [(segment.id, expand_tree(segment.location_ids), expand_tree(segment.category_ids),
                     set(segment.velocity_class_ids.ids) or None, set(segment.value_class_ids.ids) or None)
                    for segment in self.segment_ids.sorted(lambda s: (s.sequence, s.id))]

        def match(row):
            for segment_id, locations, categories, velocity_classes, value_classes in criteria:
                if (locations is None or row["location_id"] in locations) and \
                        (categories is None or row["categ_id"] in categories) and \
                        (velocity_classes is None or row.get("velocity_class_id") in velocity_classes) and \
                        (value_classes is None or row.get("value_class_id") in value_classes):
                    return segment_id
            return False
        return match

    def _scope_parts(self):
        """Items per product of each (segment id, location id) bucket of the current scope.

        Returns {bucket: [(product id, items)]}, the products of a bucket in a stable
        order: internal reference (products without one last), then id. A location
        too big for one cycle is split across cycles in that order.
        """
        match = self._segment_matcher()
        items = defaultdict(lambda: defaultdict(int))
        codes = {}
        for row in self._read_scope_quants():
            items[(match(row), row["location_id"])][row["product_id"]] += 1
            codes[row["product_id"]] = row["default_code"]

        def order(product_id):
            return (not codes[product_id], codes[product_id] or "", product_id)
        return {bucket: [(product_id, products[product_id]) for product_id in sorted(products, key=order)]
                for bucket, products in items.items()}

    def _scope_buckets(self):
        """Number of items per (segment id, location id) in the current scope."""
        return {bucket: sum(size for _product, size in parts) for bucket, parts in self._scope_parts().items()}

    def _distribute_scope(self, parts, cycles, partial=()):
        """Split the scope into ``cycles`` lists of ((segment, location), product ids or None).

        ``parts`` is the scope still to plan (see _scope_parts); buckets in
        ``partial`` have products counted by cycles already started.
        """
        self.ensure_one()
        groups = defaultdict(list)
        for segment_id, location_id in parts:
            # stock outside every segment is split by location
            groups[segment_id or ("location", location_id)].append((segment_id, location_id))
        return scheduling.distribute(groups, parts, cycles, partial)

    def _generate_calendar(self, today, next_timeframe=False):
        """Create, refresh or remove the planned cycles of the timeframe, and say so in the chatter.

        Cycles that started are kept as they are. Time already past is not planned:
        when a count's windows ended before ``today`` without their cycles starting,
        what is left of that count is spread over what is left of its time.
        With ``next_timeframe``, the timeframe after the current one is planned.
        Returns the summary posted (see _calendar_message).
        """
        self.ensure_one()
        first_day = today
        if next_timeframe:
            first_day = self._timeframe_bounds(today)[1] + datetime.timedelta(days=1)
        windows = self._windows(first_day)
        scope = self._scope_parts()
        Cycle = self.env["foreman.cycle.count.cycle"]
        cycles = self.cycle_ids.filtered(
            lambda cycle: windows[0][0] <= fields.Date.from_string(cycle.date_start) <= windows[-1][1])
        summary = {"created": Cycle, "updated": Cycle, "removed": 0, "kept": cycles.filtered(
            lambda cycle: cycle.state != "planned"), "late": []}
        stale = cycles.filtered(lambda cycle: cycle.state == "planned")
        per_count = self.cycles_per_count
        for count_index in range(1, self.counts_per_timeframe + 1):
            count_windows = windows[(count_index - 1) * per_count:count_index * per_count]
            count_cycles = cycles.filtered(lambda cycle, index=count_index: cycle.count_index == index)
            slots, late = self._count_slots(count_windows, count_cycles, first_day)
            if late:
                summary["late"].append((count_index, slots))
            parts, partial = self._parts_left(scope, count_cycles.filtered(
                lambda cycle: cycle.state not in ("planned", "cancelled")))
            shares = self._distribute_scope(parts, len(slots), partial) if slots else []
            sizes = {bucket: dict(bucket_parts) for bucket, bucket_parts in parts.items()}
            planned = {}
            for cycle in count_cycles.filtered(lambda cycle: cycle.state == "planned").sorted("id"):
                planned.setdefault(cycle.cycle_index, cycle)
            for (cycle_index, (start, end)), share in zip(slots, shares):
                vals = self._prepare_cycle_values(count_index, cycle_index, start, end, share, sizes)
                cycle = planned.get(cycle_index)
                if cycle:
                    cycle.write(vals)
                    stale -= cycle
                    summary["updated"] |= cycle
                else:
                    summary["created"] |= Cycle.create(vals)
        summary["removed"] = len(stale)
        stale.unlink()
        Cycle._mark_overdue(today)
        self.message_post(body=self._calendar_message(summary))
        return summary

    def _count_slots(self, count_windows, count_cycles, first_day):
        """The (cycle index, window) pairs still to plan in one count, and whether time was lost.

        A cycle that started (or was cancelled) keeps its place. When a window left
        to plan ended before ``first_day``, the count is late: its cycles left get
        windows tiling ``first_day`` to the count's last day (fewer if fewer days).
        """
        taken = set(count_cycles.filtered(lambda cycle: cycle.state != "planned").mapped("cycle_index"))
        free = [index for index in range(1, len(count_windows) + 1) if index not in taken]
        if all(count_windows[index - 1][1] >= first_day for index in free):
            return [(index, count_windows[index - 1]) for index in free], False
        windows = scheduling.remaining_windows(first_day, count_windows[-1][1], len(free))
        return list(zip(free, windows)), True

    @api.model
    def _parts_left(self, scope, counted_cycles):
        """The scope minus what cycles already started count: (parts, buckets partly counted)."""
        whole, products = set(), defaultdict(set)
        for slice_ in counted_cycles.mapped("slice_ids"):
            bucket = (slice_.segment_id.id or False, slice_.location_id.id)
            if slice_.product_ids:
                products[bucket].update(slice_.product_ids.ids)
            else:
                whole.add(bucket)
        parts = {}
        for bucket, bucket_parts in scope.items():
            left = [] if bucket in whole else [part for part in bucket_parts if part[0] not in products[bucket]]
            if left:
                parts[bucket] = left
        return parts, {bucket for bucket in parts if bucket in products}

    def _prepare_cycle_values(self, count_index, cycle_index, start, end, share, sizes):
        """Values of a planned cycle: its window, its slices of the scope and their counters.

        ``share`` lists the cycle's ((segment, location), product ids or None); ``sizes``
        gives {(segment, location): {product id: items}}.
        """
        return {
            "plan_id": self.id,
            "date_start": fields.Date.to_string(start),
            "date_end": fields.Date.to_string(end),
            "count_index": count_index,
            "cycle_index": cycle_index,
            "slice_ids": [(5, 0, 0)] + [
                (0, 0, {"segment_id": segment_id, "location_id": location_id,
                        "product_ids": [(6, 0, list(product_ids or []))],
                        "item_count": sum(sizes[(segment_id, location_id)][product_id]
                                          for product_id in product_ids or sizes[(segment_id, location_id)])})
                for (segment_id, location_id), product_ids in share],
            "user_ids": [(6, 0, self._counters_for([bucket for bucket, _products in share]).ids)],
        }

    def _calendar_message(self, summary):
        """What Generate Calendar did, in the plan's chatter."""
        cycles = (summary["created"] | summary["updated"]).sorted("date_start")
        message = _("Calendar generated: %(created)d cycles created, %(updated)d updated, "
                    "%(removed)d removed.") % {
            "created": len(summary["created"]), "updated": len(summary["updated"]),
            "removed": summary["removed"]}
        starts = cycles.mapped("date_start")
        if len(starts) > 6:
            message += " " + _("Cycles start from %(first)s to %(last)s.") % {"first": starts[0], "last": starts[-1]}
        elif starts:
            message += " " + _("Cycles start on %s.") % ", ".join(starts)
        if summary["kept"]:
            message += " " + _("%d cycles already started, finalized or cancelled are kept as they are.") % len(
                summary["kept"])
        for count_index, slots in summary["late"]:
            if slots:
                message += " " + _(
                    "The part of count %(count)d already past is not scheduled: what is left of its scope "
                    "is spread over the remaining %(cycles)d cycles, from %(start)s to %(end)s.") % {
                        "count": count_index, "cycles": len(slots),
                        "start": fields.Date.to_string(slots[0][1][0]),
                        "end": fields.Date.to_string(slots[-1][1][1])}
            else:
                message += " " + _("The time of count %d is over: it is not scheduled.") % count_index
        return message

    def _counters_for(self, buckets):
        segments = self.env["foreman.cycle.count.segment"].browse(
            {segment_id for segment_id, _location in buckets if segment_id})
        users = segments.mapped("user_ids")
        if any(not segment_id for segment_id, _location in buckets):
            users |= self.user_ids
        return users
