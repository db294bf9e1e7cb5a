# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import functools
import io
from collections import defaultdict

import pytz
import xlsxwriter

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, html2plaintext, split_every

from ..lib import spreadsheet
from .cycle_count_plan import COORDINATOR

# Lines read, written and forgotten at a time: memory stays flat with the size of the cycle.
EXPORT_BATCH = 1000
WORKBOOK_OPTIONS = {
    "constant_memory": True,        # each row goes to a temporary file once written
    "strings_to_formulas": False,   # a product named '=HYPERLINK(...)' stays text
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
LINE_FIELDS = ["location_id", "product_id", "lot_id", "owner_id", "product_uom_id", "counted_qty", "is_counted",
               "counted_by_id", "date_counted", "first_counted_by_id", "date_first_counted"]
BOOK_LINE_FIELDS = ["system_qty", "counted_qty", "variance_qty", "unit_cost", "first_counted_qty"]
DISCREPANCY_FIELDS = ["name", "line_id", "location_id", "product_id", "lot_id", "owner_id", "system_qty",
                      "counted_qty", "variance_qty", "unit_cost", "variance_value", "tier", "state", "root_cause",
                      "root_cause_note", "resolution_type", "resolution", "investigator_id", "date_investigated",
                      "approved_by_id", "date_approved", "relocation_picking_id"]


@functools.lru_cache(maxsize=32)
def _zone(name):
    try:
        return pytz.timezone(name or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def _name(value):
    """The display name of a many2one as read() returns it."""
    return value[1] if value else None


class CycleCountResultsExport(models.AbstractModel):
    """The results workbook of a cycle (lines, discrepancies, summary), built from what the user may read.

    Counters get their own lines only (record rules) and, on a blind plan, no book
    figure: the lines are read as the user, never with sudo.
    """

    _name = "foreman.cycle.count.results.export"
    _description = "Cycle Count Results Export"

    @api.model
    def _workbook(self, cycle):
        """The .xlsx file (bytes) of ``cycle`` for the current user."""
        cycle.check_access_rights("read")
        cycle.check_access_rule("read")
        if cycle.state == "planned":
            raise UserError(_("Cycle %s has not started: there are no results to export yet.") % cycle.name)
        currency = cycle.company_id.currency_id
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
        styles = spreadsheet.Styles(workbook, currency.decimal_places, currency.symbol, currency.position == "after")
        may_book = self.env.user.has_group(COORDINATOR)
        summary = workbook.add_worksheet(_("Summary"))
        lines = workbook.add_worksheet(_("Lines"))
        discrepancies = workbook.add_worksheet(_("Discrepancies")) if may_book else None
        self._write_summary(summary, styles, cycle, may_book)
        self._write_lines(lines, styles, cycle, may_book)
        if discrepancies:
            self._write_discrepancies(discrepancies, styles, cycle)
        lines.activate()
        workbook.close()
        return output.getvalue()

    # ------------------------------------------------------------------
    # Lines
    # ------------------------------------------------------------------
    def _line_columns(self, cycle, may_book):
        """(key, header, width) of the Lines sheet for this reader: an override point."""
        columns = [("id", spreadsheet.LINE_ID_HEADER, 9), ("location", _("Location"), 28),
                   ("product", _("Product"), 30), ("default_code", _("Internal Reference"), 16),
                   ("lot", _("Lot/Serial Number"), 18), ("owner", _("Owner"), 18), ("uom", _("Unit"), 9)]
        if may_book:
            columns.append(("system_qty", _("System Quantity"), 12))
        elif not cycle.plan_id.blind_count:
            columns.append(("expected_qty", _("Expected Quantity"), 12))
        columns.append(("counted_qty", spreadsheet.COUNTED_HEADER, 12))
        if may_book:
            columns += [("variance_qty", _("Variance"), 11), ("unit_cost", _("Unit Cost"), 12),
                        ("variance_value", _("Variance Value"), 14)]
        columns += [("counter", _("Counter"), 18), ("date_counted", _("Counted On"), 17)]
        if may_book:
            columns.append(("first_counted_qty", _("First Count"), 11))
        columns += [("recounter", _("Recounter"), 18), ("date_recounted", _("Recounted On"), 17)]
        if may_book:
            columns += [("disc_state", _("Discrepancy Status"), 16), ("tier", _("Tier"), 8),
                        ("root_cause", _("Root Cause"), 26), ("root_cause_note", _("Explanation"), 40),
                        ("resolution", _("Resolution"), 40), ("approver", _("Approved By"), 18)]
        return columns

    def _write_lines(self, sheet, styles, cycle, may_book):
        columns = self._line_columns(cycle, may_book)
        spreadsheet.write_header(sheet, styles, [(header, width) for _key, header, width in columns])
        keys = [key for key, _header, _width in columns]
        Line = self.env["foreman.cycle.count.line"]
        # record rules choose the lines: a counter's own only
        line_ids = Line.search([("cycle_id", "=", cycle.id)]).ids
        labels = self._discrepancy_labels() if may_book else {}
        # names of the few locations, users, units and products met, kept over the batches
        known = defaultdict(dict)
        row = 0
        for batch in split_every(EXPORT_BATCH, line_ids):
            for values in self._line_values(Line.browse(batch), cycle, may_book, labels, known):
                row += 1
                self._write_row(sheet, styles, row, keys, values)
            self.env.cache.invalidate()
        spreadsheet.finish_table(sheet, columns, row)

    def _line_values(self, lines, cycle, may_book, labels, known):
        """The Lines sheet's values of a batch of lines, read as the user, in their order."""
        rows = self._read_lines(lines, LINE_FIELDS + (BOOK_LINE_FIELDS if may_book else []),
                                expected=not may_book and not cycle.plan_id.blind_count)
        products = self._known(known["product.product"], "product.product", {row["product_id"] for row in rows},
                               lambda records: {product["id"]: product for product in records.read(
                                   ["name", "default_code"], load="_classic_write")})
        locations = self._known(known["stock.location"], "stock.location", {row["location_id"] for row in rows})
        users = self._known(known["res.users"], "res.users", {row[name] for row in rows
                                                 for name in ("counted_by_id", "first_counted_by_id")})
        uoms = self._known(known["product.uom"], "product.uom", {row["product_uom_id"] for row in rows},
                           self._uom_values)
        # lots and owners may be as many as the lines: looked up per batch only
        lots = self._known({}, "stock.production.lot", {row["lot_id"] for row in rows})
        owners = self._known({}, "res.partner", {row["owner_id"] for row in rows})
        discrepancies = {}
        if may_book:
            for disc in self.env["foreman.cycle.count.discrepancy"].search([("line_id", "in", lines.ids)]).read(
                    ["line_id", "state", "tier", "root_cause", "root_cause_note", "resolution", "approved_by_id"],
                    load="_classic_write"):
                discrepancies[disc["line_id"]] = disc
            self._known(users, "res.users", {disc["approved_by_id"] for disc in discrepancies.values()})
        zone = self._zone()
        money_digits = cycle.company_id.currency_id.decimal_places  # currency.round, without the ORM per line
        for row in rows:
            product = products[row["product_id"]]
            uom_name, decimals = uoms.get(row["product_uom_id"], (None, 0))
            recounted = bool(row["first_counted_by_id"])
            values = {
                "id": row["id"], "location": locations.get(row["location_id"]), "product": product["name"],
                "default_code": product["default_code"], "lot": lots.get(row["lot_id"]),
                "owner": owners.get(row["owner_id"]), "uom": uom_name, "decimals": decimals,
                "counted_qty": row["counted_qty"],
                "expected_qty": row.get("expected_qty"),
                "counter": users.get(row["first_counted_by_id"] if recounted else row["counted_by_id"]),
                "date_counted": self._datetime(row["date_first_counted"] if recounted else row["date_counted"], zone),
                "recounter": users.get(row["counted_by_id"]) if recounted else None,
                "date_recounted": self._datetime(row["date_counted"], zone) if recounted else None,
            }
            if may_book:
                values.update(
                    system_qty=row["system_qty"], unit_cost=row["unit_cost"],
                    variance_qty=row["variance_qty"] if values["counted_qty"] is not None else None,
                    variance_value=float_round(row["variance_qty"] * row["unit_cost"], precision_digits=money_digits)
                    if values["counted_qty"] is not None else None,
                    first_counted_qty=row["first_counted_qty"] if recounted else None)
                disc = discrepancies.get(row["id"])
                if disc:
                    values.update(
                        disc_state=labels["state"].get(disc["state"]), tier=labels["tier"].get(disc["tier"]),
                        root_cause=labels["root_cause"].get(disc["root_cause"]),
                        root_cause_note=disc["root_cause_note"] or None, resolution=disc["resolution"] or None,
                        approver=users.get(disc["approved_by_id"]))
            yield values

    def _write_row(self, sheet, styles, row, keys, values):
        quantity = styles.quantity(values.get("decimals", 0))
        for col, key in enumerate(keys):
            value = values.get(key)
            if value is None or value is False:
                continue  # most cells of a line without recount or discrepancy: nothing to write
            style = styles.date if type(value) is datetime.date else self._style_of(key, styles, quantity)
            spreadsheet.write_cell(sheet, row, col, value, style)

    @staticmethod
    def _style_of(key, styles, quantity):
        if key.endswith("_qty"):
            return quantity
        if key in ("unit_cost", "variance_value"):
            return styles.money
        if key.startswith("date_"):
            return styles.datetime
        if key in ("root_cause_note", "resolution"):
            return styles.wrap
        return None

    # ------------------------------------------------------------------
    # Discrepancies
    # ------------------------------------------------------------------
    def _discrepancy_columns(self):
        """(key, header, width) of the Discrepancies sheet: an override point."""
        return [
            ("line_id", spreadsheet.LINE_ID_HEADER, 9), ("name", _("Discrepancy"), 40),
            ("location", _("Location"), 28), ("product", _("Product"), 30),
            ("default_code", _("Internal Reference"), 16), ("lot", _("Lot/Serial Number"), 18),
            ("owner", _("Owner"), 18), ("uom", _("Unit"), 9), ("system_qty", _("System Quantity"), 12),
            ("counted_qty", _("Physical Count"), 12), ("variance_qty", _("Variance"), 11),
            ("unit_cost", _("Unit Cost"), 12), ("variance_value", _("Variance Value"), 14),
            ("tier", _("Tier"), 8), ("state", _("Status"), 16), ("root_cause", _("Root Cause"), 26),
            ("root_cause_note", _("Investigation Summary"), 45), ("resolution_type", _("Resolution Type"), 22),
            ("resolution", _("Resolution Taken"), 45), ("investigator", _("Investigator"), 18),
            ("date_investigated", _("Investigated On"), 13), ("counted_by", _("Counted By"), 18),
            ("approver", _("Approved By"), 18), ("date_approved", _("Approved On"), 17),
            ("relocation", _("Relocation Transfer"), 18),
        ]

    def _write_discrepancies(self, sheet, styles, cycle):
        columns = self._discrepancy_columns()
        spreadsheet.write_header(sheet, styles, [(header, width) for _key, header, width in columns])
        keys = [key for key, _header, _width in columns]
        Discrepancy = self.env["foreman.cycle.count.discrepancy"]
        disc_ids = Discrepancy.search([("cycle_id", "=", cycle.id)], order="location_id, product_id, lot_id, id").ids
        labels = self._discrepancy_labels()
        known = defaultdict(dict)
        zone = self._zone()
        row = 0
        for batch in split_every(EXPORT_BATCH, disc_ids):
            # ids, not display names (a count line's name reads its product and location again)
            rows = Discrepancy.browse(batch).read(DISCREPANCY_FIELDS, load="_classic_write")
            counted_by = {line["id"]: line["counted_by_id"] for line in self.env["foreman.cycle.count.line"].browse(
                {disc["line_id"] for disc in rows}).read(["counted_by_id"], load="_classic_write")}
            products = self._known(known["product.product"], "product.product", {disc["product_id"] for disc in rows},
                                   lambda records: {product["id"]: product for product in records.read(
                                       ["name", "default_code", "uom_id"], load="_classic_write")})
            uoms = self._known(known["product.uom"], "product.uom",
                               {product["uom_id"] for product in products.values()}, self._uom_values)
            locations = self._known(known["stock.location"], "stock.location", {disc["location_id"] for disc in rows})
            users = self._known(known["res.users"], "res.users", set(counted_by.values()) | {
                disc[name] for disc in rows for name in ("investigator_id", "approved_by_id")})
            lots = self._known({}, "stock.production.lot", {disc["lot_id"] for disc in rows})
            owners = self._known({}, "res.partner", {disc["owner_id"] for disc in rows})
            pickings = self._known({}, "stock.picking", {disc["relocation_picking_id"] for disc in rows})
            for disc in rows:
                product = products[disc["product_id"]]
                uom_name, decimals = uoms.get(product["uom_id"], (None, 0))
                row += 1
                self._write_row(sheet, styles, row, keys, dict(
                    disc, location=locations.get(disc["location_id"]), product=product["name"],
                    default_code=product["default_code"], lot=lots.get(disc["lot_id"]),
                    owner=owners.get(disc["owner_id"]), uom=uom_name, decimals=decimals,
                    tier=labels["tier"].get(disc["tier"]), state=labels["state"].get(disc["state"]),
                    root_cause=labels["root_cause"].get(disc["root_cause"]),
                    root_cause_note=disc["root_cause_note"] or None, resolution=disc["resolution"] or None,
                    resolution_type=labels["resolution_type"].get(disc["resolution_type"]),
                    investigator=users.get(disc["investigator_id"]),
                    date_investigated=fields.Date.from_string(disc["date_investigated"]),
                    counted_by=users.get(counted_by.get(disc["line_id"])), approver=users.get(disc["approved_by_id"]),
                    date_approved=self._datetime(disc["date_approved"], zone),
                    relocation=pickings.get(disc["relocation_picking_id"])))
            self.env.cache.invalidate()
        spreadsheet.finish_table(sheet, columns, row)

    # ------------------------------------------------------------------
    # Summary
    # ------------------------------------------------------------------
    def _write_summary(self, sheet, styles, cycle, may_book):
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 28)
        sheet.set_column(2, 2, 12)
        rows = [(_("Cycle count results: %s") % cycle.name, None, styles.title)]
        rows += [(label, value, style) for label, value, style in self._summary_facts(cycle, styles)]
        if may_book:
            rows += self._summary_figures(cycle, styles)
        else:
            rows += self._summary_own_progress(cycle)
        row = 0
        for label, value, style in rows:
            if label is not None:
                spreadsheet.write_cell(sheet, row, 0, label, styles.title if style is styles.title else styles.label)
            if isinstance(value, tuple):  # (count, share) of a breakdown
                spreadsheet.write_cell(sheet, row, 1, value[0], styles.integer)
                spreadsheet.write_cell(sheet, row, 2, value[1], styles.percent)
            elif value is not None:
                spreadsheet.write_cell(sheet, row, 1, value, style)
            row += 1
        if may_book:
            self._write_observations(sheet, styles, cycle, row)

    def _summary_facts(self, cycle, styles):
        states = dict(cycle.fields_get(["state"])["state"]["selection"])
        return [
            (None, None, None),
            (_("Plan"), cycle.plan_id.name, None),
            (_("Company"), cycle.company_id.name, None),
            (_("Window from"), fields.Date.from_string(cycle.date_start), styles.date),
            (_("Window to"), fields.Date.from_string(cycle.date_end), styles.date),
            (_("Status"), states.get(cycle.state), None),
            (_("Blind count"), _("Yes") if cycle.plan_id.blind_count else _("No"), None),
            (_("Started on"), self._datetime(cycle.date_started, self._zone()), styles.datetime),
            (_("Started by"), cycle.started_by_id.name or None, None),
            (_("Finalized on"), self._datetime(cycle.date_finalized, self._zone()), styles.datetime),
            (_("Finalized by"), cycle.finalized_by_id.name or None, None),
            (_("Stock adjustment"), cycle.inventory_id.name or None, None),
        ]

    def _summary_figures(self, cycle, styles):
        """Figures of the whole cycle: those frozen at finalization, else today's."""
        if cycle.state == "finalized":
            figures = cycle.read(["result_counted_count", "result_discrepancy_count", "result_discrepancy_rate",
                                  "result_variance_value", "result_abs_variance_value"])[0]
            title = _("Figures (frozen at finalization)")
        else:
            figures = cycle._result_figures()
            title = _("Figures (so far)")
        rows = [(None, None, None), (title, None, styles.title),
                (_("Items to count"), cycle.line_count, styles.integer),
                (_("Items counted"), figures["result_counted_count"], styles.integer),
                (_("Items with discrepancies"), figures["result_discrepancy_count"], styles.integer),
                (_("Discrepancy rate"), figures["result_discrepancy_rate"] / 100.0, styles.percent),
                (_("Net variance value"), figures["result_variance_value"], styles.money),
                (_("Absolute variance value"), figures["result_abs_variance_value"], styles.money)]
        total = figures["result_discrepancy_count"]
        labels = self._discrepancy_labels()
        for title, groupby, label_of in (
                (_("Discrepancies per tier"), "tier", lambda key: labels["tier"].get(key)),
                (_("Discrepancies per root cause"), "root_cause",
                 lambda key: labels["root_cause"].get(key) if key else _("Not documented yet")),
                (_("Discrepancies per location"), "location_id", _name)):
            rows += [(None, None, None), (title, None, styles.title)]
            for key, count in self._discrepancy_breakdown(cycle, groupby):
                rows.append((label_of(key), (count, count / float(total) if total else 0.0), None))
        return rows

    def _summary_own_progress(self, cycle):
        Line = self.env["foreman.cycle.count.line"]
        mine = [("cycle_id", "=", cycle.id)]
        return [(None, None, None),
                (_("Your lines"), Line.search_count(mine), None),
                (_("Your lines counted"), Line.search_count(mine + [("is_counted", "=", True)]), None)]

    def _discrepancy_breakdown(self, cycle, groupby):
        """[(group key, number of discrepancies)] of the cycle's open differences, largest first."""
        groups = self.env["foreman.cycle.count.discrepancy"].read_group(
            cycle._counted_discrepancies_domain(), [groupby], [groupby])
        counts = [(group[groupby], group["%s_count" % groupby]) for group in groups]
        return sorted(counts, key=lambda item: -item[1])

    def _write_observations(self, sheet, styles, cycle, row):
        """The observations as text, a row per line (rows stream in order: no merged cells)."""
        spreadsheet.write_cell(sheet, row + 1, 0, _("Key observations"), styles.title)
        text = html2plaintext(cycle.observations or "").strip()
        for offset, line in enumerate(text.splitlines()):
            spreadsheet.write_cell(sheet, row + 2 + offset, 0, line)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _zone(self):
        """The user's time zone (dates are written as the user reads them on screen)."""
        return _zone(self.env.context.get("tz") or self.env.user.tz)

    @staticmethod
    def _datetime(value, zone):
        """A UTC datetime (or the ORM's string of one) as a naive datetime in ``zone``, or None."""
        if not value:
            return None
        if isinstance(value, str):
            value = fields.Datetime.from_string(value)
        return pytz.utc.localize(value).astimezone(zone).replace(tzinfo=None)

    def _read_lines(self, lines, names, expected=False):
        """The stored fields ``names`` of ``lines`` as dicts, with read()'s checks for the user, done once.

        The access rights, record rules and field groups (book figures are
        Coordinator fields) are those read() applies; the rows come from one query
        instead of read()'s per-record conversion, about a millisecond a line.
        ``expected`` adds the book quantity as counters see it on an open plan.
        An uncounted line has no count (None), as read() gives it.
        """
        Line = self.env["foreman.cycle.count.line"]
        Line.check_access_rights("read")
        Line.check_field_access_rights("read", names + (["expected_qty"] if expected else []))
        lines.check_access_rule("read")
        self.env.cr.execute("SELECT id, %s%s FROM foreman_cycle_count_line WHERE id IN %%s" % (
            ", ".join('"%s"' % name for name in names), ", system_qty AS expected_qty" if expected else ""),
            (tuple(lines.ids),))
        by_id = {row["id"]: row for row in self.env.cr.dictfetchall()}
        rows = [by_id[line_id] for line_id in lines.ids]
        for row in rows:
            if not row["is_counted"]:
                row["counted_qty"] = None
        return rows

    def _known(self, cache, model, ids, fetch=None):
        """``cache`` completed with {id: value} of ``ids`` of ``model`` (display names unless ``fetch`` says)."""
        missing = {record_id for record_id in ids if record_id} - set(cache)
        if missing:
            records = self.env[model].browse(missing)
            cache.update(fetch(records) if fetch else dict(records.name_get()))
        return cache

    @staticmethod
    def _uom_values(uoms):
        """{unit id: (name, decimals of its rounding)}."""
        return {uom.id: (uom.name, spreadsheet.decimals_of(uom.rounding)) for uom in uoms}

    def _discrepancy_labels(self):
        """{field: {value: translated label}} of the discrepancy's selections."""
        names = ["state", "tier", "root_cause", "resolution_type"]
        described = self.env["foreman.cycle.count.discrepancy"].fields_get(names, ["selection"])
        return {name: dict(described[name]["selection"]) for name in names}
