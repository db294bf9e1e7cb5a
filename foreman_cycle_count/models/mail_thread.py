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

    def _tracked_values(self, field_names):
        """{record id: {field: value}} of tracked fields, to compare before and after a bulk write."""
        return {record.id: {name: record[name] for name in field_names} for record in self}

    def _log_tracking(self, field_names, initial_values):
        """Log changed tracked fields as Odoo's tracking does: one note per record with
        its tracking values, credited to the current user.

        The notes are created through ``mail.message`` (its defaults, notifications of
        the note's subscribers and access checks apply) without the rest of
        ``message_post``: the followers and the author's subscription, which a note
        of a bulk edit needs no more than Odoo's own tracking notes do.
        """
        Tracking = self.env["mail.tracking.value"]
        infos = self.fields_get(field_names)
        author = self.env.user.partner_id
        email_from = self._message_email_from(author.id)
        subtype_id = self.env.ref("mail.mt_note").id
        Message = self.env["mail.message"]
        for record in self:
            old, new = initial_values[record.id], record._tracked_values(field_names)[record.id]
            values = [Tracking.create_tracking_values(old[name], new[name], name, infos[name])
                      for name in field_names if old[name] != new[name]]
            values = [value for value in values if value]
            if not values:
                continue
            Message.create({
                "model": self._name, "res_id": record.id, "record_name": record.display_name,
                "message_type": "notification", "subtype_id": subtype_id, "body": "",
                "author_id": author.id, "email_from": email_from, "reply_to": email_from,
                "tracking_value_ids": [(0, 0, value) for value in values]})
