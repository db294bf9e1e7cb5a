# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from email.utils import formataddr

from odoo import api, models


class CycleCountMailThread(models.AbstractModel):
    """Chatter of the cycle count documents, for users with or without an e-mail address.

    Odoo 11 refuses to post a message whose author has no e-mail address, which
    would stop warehouse staff at every step that writes to the chatter. The
    message keeps its author; its sender address falls back to the company's.
    """

    _name = "foreman.cycle.count.mail.thread"
    _inherit = "mail.thread"
    _description = "Cycle Count Chatter"

    @api.multi
    def message_post(self, body="", subject=None, message_type="notification", subtype=None,
                     parent_id=False, attachments=None, content_subtype="html", **kwargs):
        if not kwargs.get("email_from"):
            kwargs["email_from"] = self._message_email_from(kwargs.get("author_id"))
        return super(CycleCountMailThread, self).message_post(
            body=body, subject=subject, message_type=message_type, subtype=subtype, parent_id=parent_id,
            attachments=attachments, content_subtype=content_subtype, **kwargs)

    def _message_email_from(self, author_id=None):
        """Sender of a message by this author: their address, else their company's."""
        author = self.env["res.partner"].sudo().browse(author_id) if author_id else self.env.user.partner_id.sudo()
        return formataddr((author.name or "", author.email or self.env.user.company_id.email or ""))
