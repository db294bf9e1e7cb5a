# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import AccessError

from ..lib import query_fields


class RestrictedFieldsMixin(models.AbstractModel):
    """Fields restricted by ``groups=`` stay out of every query of users outside those groups.

    Odoo 11 checks a field's ``groups=`` when a record is read, but not in search
    domains, ``order``, ``read_group`` (groupings and aggregates) or ``export_data``:
    a counter could learn book figures by filtering, sorting, totalling or exporting
    by them. Models inherit this mixin; which fields it guards comes from each
    field's own ``groups=``, computed or stored, so a new restricted field is
    guarded without more code.
    """

    _name = "foreman.cycle.count.restricted.mixin"
    _description = "Cycle Count Restricted Fields"

    @api.model
    def _restricted_field_names(self):
        """Names of this model's fields that the current user may not read."""
        return {name for name, field in self._fields.items()
                if field.groups and not self.user_has_groups(field.groups)}

    @api.model
    def _check_fields_usable(self, names):
        used = self._restricted_field_names().intersection(names)
        if used:
            raise self._restricted_error(self, used)

    @api.model
    def _restricted_error(self, model, names):
        """The refusal of a query of ``model`` (this one, or one an export path reaches) naming hidden fields."""
        return AccessError(_(
            "You may not filter, sort, group, total or export %(model)s by %(fields)s: these fields "
            "are hidden from you (book figures stay hidden while counting).") % {
                "model": model._description,
                "fields": ", ".join(model._fields[name].string for name in sorted(names))})

    @api.model
    def _search(self, args, offset=0, limit=None, order=None, count=False, access_rights_uid=None):
        self._check_fields_usable(query_fields.domain_fields(args) | query_fields.order_fields(order))
        return super(RestrictedFieldsMixin, self)._search(
            args, offset=offset, limit=limit, order=order, count=count, access_rights_uid=access_rights_uid)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        restricted = self._restricted_field_names()
        if restricted:
            # no fields means every stored one to Odoo: only the readable ones here
            fields = fields or [name for name, field in self._fields.items()
                                if field.store and name not in restricted]
            self._check_fields_usable(
                query_fields.domain_fields(domain) | {spec.split(":", 1)[0] for spec in fields}
                | query_fields.grouping_fields(groupby) | query_fields.order_fields(orderby))
        return super(RestrictedFieldsMixin, self).read_group(
            domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)

    @api.multi
    def export_data(self, fields_to_export, raw_data=False):
        for path in fields_to_export:
            self._check_export_path(path)
        return super(RestrictedFieldsMixin, self).export_data(fields_to_export, raw_data=raw_data)

    @api.model
    def _check_export_path(self, path):
        """An export path ("line_ids/system_qty") names no field hidden from the user, at any depth."""
        model = self
        for name in path.split("/"):
            field = model._fields.get(name)
            if field is None:       # "id", ".id" or a name Odoo itself refuses
                return
            if field.groups and not model.user_has_groups(field.groups):
                raise self._restricted_error(model, {name})
            if not field.relational:
                return
            model = self.env[field.comodel_name]
