# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import UserError


class CopiedFieldsMixin(models.AbstractModel):
    """Fields a record copies from its cycle, plan, line or product (``related=``) are never written.

    Odoo 11 writes a stored related field that is ``readonly`` straight into its
    column when an RPC call names it: a discrepancy could be moved to another
    company away from its approvers. What a record copies stays the copy of its
    source, whoever writes and whatever the form shows.
    """

    _name = "foreman.cycle.count.copied.fields.mixin"
    _description = "Cycle Count Copied Fields"

    @api.multi
    def write(self, vals):
        copied = sorted(name for name in vals if name in self._fields and self._fields[name].related)
        if copied:
            raise UserError(_("%(fields)s of a %(model)s come from where it belongs and cannot be changed.") % {
                "fields": ", ".join(self._fields[name].string for name in copied), "model": self._description})
        return super(CopiedFieldsMixin, self).write(vals)
