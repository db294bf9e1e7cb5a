# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

from .cycle_count_plan import COORDINATOR

# The documents whose chatter is part of the cycle count's record.
CYCLE_COUNT_MODELS = frozenset({
    "foreman.cycle.count.plan", "foreman.cycle.count.cycle", "foreman.cycle.count.discrepancy",
    "foreman.cycle.count.hotspot"})


class MailMessage(models.Model):
    """Messages on cycle count documents carry their real author, and counters write none themselves.

    The chatter of a cycle or a discrepancy is evidence for the auditors (who
    approved what, what the investigation found). Odoo 11 lets anyone who may post
    name any partner as the author, and every follower post. On these documents the
    author is the user who writes (the workflow's own notes, written by the system,
    name whom they are about), and only Coordinators write; counters' steps are
    written for them by the workflow (and by Odoo when they mark an activity done).
    """

    _inherit = "mail.message"

    @api.model
    def create(self, values):
        if values.get("model") in CYCLE_COUNT_MODELS and self.env.uid != SUPERUSER_ID:
            self._check_cycle_count_author(values)
        return super(MailMessage, self).create(values)

    @api.model
    def _check_cycle_count_author(self, values):
        # marking one's own activity done (Odoo's feedback note) is a counter's step too
        if not self.env.user.has_group(COORDINATOR) and not values.get("mail_activity_type_id"):
            raise AccessError(_("Only cycle count Coordinators write in the chatter of cycle counts: the steps "
                                "of counting are recorded there by the workflow."))
        if values.get("author_id") and values["author_id"] != self.env.user.partner_id.id:
            raise AccessError(_("A message in the chatter of a cycle count is signed by whoever writes it: "
                                "you cannot post it in someone else's name."))


class MailFollowers(models.Model):
    """Only those who may read a cycle count document follow it (and so receive its messages)."""

    _inherit = "mail.followers"

    @api.model
    def create(self, vals):
        if vals.get("res_model") in CYCLE_COUNT_MODELS and self.env.uid != SUPERUSER_ID:
            document = self.env[vals["res_model"]].browse(vals.get("res_id"))
            document.check_access_rights("read")
            document.check_access_rule("read")
        return super(MailFollowers, self).create(vals)
