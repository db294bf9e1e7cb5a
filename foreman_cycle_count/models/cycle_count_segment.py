# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .cycle_count_plan import COUNTER, classes_overlap, hierarchies_overlap


class CycleCountSegment(models.Model):
    """A logical part of a plan's scope (a row, a category) and who counts it."""

    _name = "foreman.cycle.count.segment"
    _description = "Cycle Count Segment"
    _inherit = ["foreman.cycle.count.copied.fields.mixin"]
    _order = "plan_id, sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    plan_id = fields.Many2one(
        "foreman.cycle.count.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, readonly=True)
    location_ids = fields.Many2many(
        "stock.location", "foreman_cycle_count_segment_location_rel", "segment_id", "location_id",
        string="Locations", domain=[("usage", "=", "internal")],
        help="Locations of this segment, with their sub-locations. Empty means all of the plan's.")
    category_ids = fields.Many2many(
        "product.category", "foreman_cycle_count_segment_category_rel", "segment_id", "category_id",
        string="Categories",
        help="Categories of this segment, with their sub-categories. Empty means all of the plan's.")
    velocity_class_ids = fields.Many2many(
        "foreman.cycle.count.class", "foreman_cycle_count_segment_velocity_class_rel", "segment_id", "class_id",
        string="Usage Classes",
        help="Products of these usage classes only (A: moves most often). Empty means every class.")
    value_class_ids = fields.Many2many(
        "foreman.cycle.count.class", "foreman_cycle_count_segment_value_class_rel", "segment_id", "class_id",
        string="Value Classes", help="Products of these stock value classes only. Empty means every class.")
    user_ids = fields.Many2many(
        "res.users", "foreman_cycle_count_segment_user_rel", "segment_id", "user_id",
        string="Responsible Counters",
        help="Counters of this segment; its locations are shared out between them.")

    @api.constrains("user_ids")
    def _check_user_ids(self):
        counter_group = self.env.ref(COUNTER)
        for segment in self:
            outsiders = segment.user_ids.filtered(lambda user: counter_group not in user.groups_id)
            if outsiders:
                raise ValidationError(_(
                    "%(users)s cannot count segment '%(segment)s': only users of the cycle count "
                    "Counter group can.") % {"users": ", ".join(outsiders.mapped("name")),
                                             "segment": segment.name})

    @api.constrains("location_ids", "category_ids", "plan_id", "velocity_class_ids", "value_class_ids")
    def _check_single_coverage(self):
        for segment in self:
            for other in segment.plan_id.segment_ids - segment:
                if segment._overlaps(other):
                    raise ValidationError(_(
                        "Segments '%(segment)s' and '%(other)s' cover the same stock: an item must belong "
                        "to one segment only. Narrow their locations or categories.")
                        % {"segment": segment.name, "other": other.name})

    def _overlaps(self, other):
        return (hierarchies_overlap(self.location_ids, other.location_ids)
                and hierarchies_overlap(self.category_ids, other.category_ids)
                and classes_overlap(self.velocity_class_ids, other.velocity_class_ids)
                and classes_overlap(self.value_class_ids, other.value_class_ids))
