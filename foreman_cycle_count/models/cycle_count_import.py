# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import binascii
from collections import defaultdict
from html import escape

from odoo import _, api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from ..lib import spreadsheet
from .cycle_count_plan import COORDINATOR

# Columns of the book figures in the results workbook (in English, and as translated for the user).
BOOK_HEADERS = ("System Quantity", "Variance", "Unit Cost", "Variance Value", "First Count")


class CycleCountCountsImport(models.AbstractModel):
    """Counts filled offline in a results workbook (or a CSV of the same columns), applied all or nothing.

    Every row is checked first and every refusal listed; the counts are then written
    through the count line's own ``write`` as the importing user, so that every rule
    of counting holds (own lines, cycle state, plausible quantities).
    """

    _name = "foreman.cycle.count.counts.import"
    _description = "Cycle Count Offline Counts Import"

    @api.model
    def _import_file(self, cycle, data, filename):
        """Apply the file to ``cycle``; returns {"applied": n, "unchanged": n}."""
        cycle.check_access_rights("read")
        cycle.check_access_rule("read")
        if cycle.state != "in_progress":
            raise UserError(_("Counts can only be imported while the cycle is being counted (%s is not).")
                            % cycle.name)
        filename = filename or _("file")
        content = self._decode(data, filename)
        try:
            headers, rows = spreadsheet.read_rows(content, filename)
        except spreadsheet.SpreadsheetError as error:
            raise UserError(_("%(file)s cannot be read as a count sheet (an .xlsx or .csv file with the columns "
                              "'%(line_id)s' and '%(counted)s'): %(error)s.") % {
                "file": filename, "line_id": spreadsheet.LINE_ID_HEADER, "counted": spreadsheet.COUNTED_HEADER,
                "error": error})
        if spreadsheet.COUNTED_HEADER not in headers:
            raise UserError(_("%(file)s has no '%(counted)s' column: nothing to import.") % {
                "file": filename, "counted": spreadsheet.COUNTED_HEADER})
        counts, unchanged, errors = self._check_rows(cycle, headers, rows)
        if errors:
            raise UserError(_("Nothing was imported from %(file)s: %(count)d rows are refused.\n%(rows)s") % {
                "file": filename, "count": len(errors), "rows": "\n".join(errors)})
        self._apply_counts(counts)
        if counts:
            self._record_import(cycle, content, filename, len(counts))
        return {"applied": len(counts), "unchanged": unchanged}

    def _decode(self, data, filename):
        try:
            return base64.b64decode(data or b"", validate=False)
        except (binascii.Error, TypeError, ValueError):
            raise UserError(_("%s did not arrive as a file (base64): nothing was imported.") % filename)

    def _check_rows(self, cycle, headers, rows):
        """([(line, quantity)] to write, rows already counted so, [refusals]) of the file's rows."""
        id_col = headers.index(spreadsheet.LINE_ID_HEADER)
        qty_col = headers.index(spreadsheet.COUNTED_HEADER)
        book_cols = [(col, header) for col, header in enumerate(headers)
                     if header in self._book_headers()] if self._counts_blind(cycle) else []
        errors, parsed, first_row = [], [], {}
        for number, cells in rows:
            cell = (lambda col, cells=cells: cells[col] if col < len(cells) else "")
            carried = [header for col, header in book_cols if not spreadsheet.is_blank(cell(col))]
            if carried:
                errors.append(self._row_error(number, _(
                    "it carries %s, which a blind count does not show: fill in your own export of the cycle")
                    % ", ".join(carried)))
                continue
            if spreadsheet.is_blank(cell(qty_col)):
                continue  # no count typed: the line stays as it is
            line_id = spreadsheet.parse_line_id(cell(id_col))
            qty = spreadsheet.parse_number(cell(qty_col))
            if line_id is None:
                errors.append(self._row_error(number, _("'%s' is not a line id") % cell(id_col)))
            elif qty is None:
                errors.append(self._row_error(number, _("'%s' is not a number") % cell(qty_col)))
            elif line_id in first_row:
                errors.append(self._row_error(number, _("line %(line)d is already on row %(row)d") % {
                    "line": line_id, "row": first_row[line_id]}))
            else:
                first_row[line_id] = number
                parsed.append((number, line_id, qty))
        counts, unchanged = [], 0
        lines = self._importable_lines(cycle, parsed, errors)
        for number, line_id, qty in parsed:
            line = lines.get(line_id)
            if line is None:
                continue
            try:
                line._check_count_value(qty)
            except (UserError, ValidationError) as error:
                errors.append(self._row_error(number, error.name))
                continue
            rounding = (line.product_uom_id or line.product_id.uom_id).rounding
            # the same count again is no change: rewriting it would change who counted and when
            if line.is_counted and not float_compare(line.counted_qty, qty, precision_rounding=rounding):
                unchanged += 1
            else:
                counts.append((line, qty))
        return counts, unchanged, [text for _number, text in sorted(errors, key=lambda error: error[0])]

    def _importable_lines(self, cycle, parsed, errors):
        """{line id: line as the user} of the rows' lines this user may count; refusals added to ``errors``."""
        Line = self.env["foreman.cycle.count.line"]
        # read with privileges only to say why a line is refused, without showing it
        owners = {line.id: (line.cycle_id.id, line.user_id.id) for line in Line.sudo().browse(
            [line_id for _number, line_id, _qty in parsed]).exists()}
        coordinator = self.env.user.has_group(COORDINATOR)
        allowed = []
        for number, line_id, _qty in parsed:
            cycle_id, user_id = owners.get(line_id, (None, None))
            if cycle_id is None:
                errors.append(self._row_error(number, _("there is no count line %d") % line_id))
            elif cycle_id != cycle.id:
                errors.append(self._row_error(number, _("line %(line)d belongs to another cycle, not %(cycle)s") % {
                    "line": line_id, "cycle": cycle.name}))
            elif not coordinator and user_id != self.env.uid:
                errors.append(self._row_error(number, _("line %d is not yours to count") % line_id))
            else:
                allowed.append(line_id)
        return {line.id: line for line in Line.browse(allowed)}

    @staticmethod
    def _row_error(number, reason):
        return number, _("Row %(row)d: %(reason)s.") % {"row": number, "reason": reason.rstrip(".")}

    def _counts_blind(self, cycle):
        return cycle.plan_id.blind_count and not self.env.user.has_group(COORDINATOR)

    def _book_headers(self):
        return set(BOOK_HEADERS) | {_(header) for header in BOOK_HEADERS}

    def _apply_counts(self, counts):
        """One count write per quantity, as the user; any refusal undoes them all."""
        by_qty = defaultdict(list)
        for line, qty in counts:
            by_qty[qty].append(line.id)
        Line = self.env["foreman.cycle.count.line"]
        try:
            with self.env.cr.savepoint():
                for qty, line_ids in sorted(by_qty.items()):
                    Line.browse(line_ids).write({"counted_qty": qty})
        except (AccessError, UserError, ValidationError) as error:
            self.env.clear()
            raise UserError(_("Nothing was imported: %s") % error.name)

    def _record_import(self, cycle, content, filename, count):
        """The file goes to the cycle's chatter, credited to whoever imported it."""
        # counters may not write the cycle (nor attach files to it): the system posts on their behalf
        cycle.sudo().message_post(
            body="<p>%s</p>" % escape(_("%(user)s imported %(count)d counts from %(file)s.") % {
                "user": self.env.user.name, "count": count, "file": filename}),
            author_id=self.env.user.partner_id.id, attachments=[(filename, content)])
