# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import csv
import io
import zipfile

import xlrd
import xlsxwriter

from odoo.exceptions import AccessError, UserError

from ..lib import spreadsheet
from .common import CycleCountCase, rpc

FORMULA_NAME = '=HYPERLINK("http://x","y")'
BOOK_HEADERS = {"System Quantity", "Variance", "Unit Cost", "Variance Value", "First Count"}


def workbook_of(data):
    content = base64.b64decode(data)
    return content, xlrd.open_workbook(file_contents=content)


def table(sheet):
    """[{header: value}] of a sheet whose first row is its header."""
    headers = sheet.row_values(0)
    return [dict(zip(headers, sheet.row_values(index))) for index in range(1, sheet.nrows)]


def summary(book):
    """{label: value} of the Summary sheet (breakdown rows keep their count)."""
    sheet = book.sheet_by_name("Summary")
    return {sheet.cell_value(index, 0): sheet.cell_value(index, 1) for index in range(sheet.nrows)
            if sheet.ncols > 1}


def xlsx_file(rows, headers=(spreadsheet.LINE_ID_HEADER, spreadsheet.COUNTED_HEADER)):
    """A count sheet filled offline, as base64 .xlsx."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output)
    sheet = workbook.add_worksheet("Lines")
    for row, values in enumerate([list(headers)] + [list(values) for values in rows]):
        for col, value in enumerate(values):
            if value is not None:
                sheet.write(row, col, value)
    workbook.close()
    return base64.b64encode(output.getvalue())


def csv_file(rows, headers=(spreadsheet.LINE_ID_HEADER, spreadsheet.COUNTED_HEADER)):
    output = io.StringIO()
    writer = csv.writer(output)
    for values in [headers] + list(rows):
        writer.writerow(["" if value is None else value for value in values])
    return base64.b64encode(output.getvalue().encode("utf-8"))


class TestExportResults(CycleCountCase):
    """A cycle counted with three differences whose figures are worked out by hand."""

    @classmethod
    def setUpClass(cls):
        super(TestExportResults, cls).setUpClass()
        cls.cycle = cls.start_single_cycle()
        lines = cls.cycle.line_ids
        cls.cable_line = lines.filtered(lambda l: l.product_id == cls.cable and not l.lot_id)[0]
        cls.hashboard_line = lines.filtered(lambda l: l.product_id == cls.hashboard)[0]
        cls.miner_line = lines.filtered(lambda l: l.product_id == cls.antminer and l.lot_id)[0]
        # cable +3 at 4.00 (minor), hashboard -2 at 450.00 (minor), a missing S19 at 3,500.00 (major)
        cls.expected_counts = {cls.cable_line: cls.cable_line.system_qty + 3,
                               cls.hashboard_line: cls.hashboard_line.system_qty - 2,
                               cls.miner_line: 0.0}
        for line, qty in cls.expected_counts.items():
            line.sudo(line.user_id).write({"counted_qty": qty})
        todo = lines - cls.cable_line - cls.hashboard_line - cls.miner_line
        for line in todo:
            line.sudo(line.user_id).write({"counted_qty": line.system_qty})
        cls.cycle.sudo(cls.lead).action_submit()
        cls.cable.name = FORMULA_NAME

    def export_as(self, user):
        return workbook_of(rpc(self.Cycle.sudo(user), "export_results_xlsx", [self.cycle.id]))

    def test_lines_sheet_holds_exactly_the_cycle_lines(self):
        _content, book = self.export_as(self.lead)
        rows = table(book.sheet_by_name("Lines"))
        self.assertEqual(sorted(int(row["Line ID"]) for row in rows), sorted(self.cycle.line_ids.ids))
        by_id = {int(row["Line ID"]): row for row in rows}
        hashboard = by_id[self.hashboard_line.id]
        self.assertEqual(hashboard["Counted Quantity"], self.hashboard_line.system_qty - 2)
        self.assertEqual(hashboard["System Quantity"], self.hashboard_line.system_qty)
        self.assertEqual(hashboard["Variance"], -2)
        self.assertEqual(hashboard["Unit Cost"], 450)
        self.assertEqual(hashboard["Variance Value"], -900)
        self.assertEqual(hashboard["Tier"], "Minor")
        self.assertEqual(hashboard["Discrepancy Status"], "Open")
        self.assertEqual(by_id[self.miner_line.id]["Tier"], "Major")
        self.assertEqual(by_id[self.miner_line.id]["Lot/Serial Number"], self.miner_line.lot_id.name)
        # counted on is a real date cell, not text
        sheet = book.sheet_by_name("Lines")
        self.assertEqual(sheet.cell(1, sheet.row_values(0).index("Counted On")).ctype, xlrd.XL_CELL_DATE)
        self.assertEqual(len(table(book.sheet_by_name("Discrepancies"))), 3)

    def test_summary_has_the_hand_computed_figures(self):
        _content, book = self.export_as(self.lead)
        figures = summary(book)
        counted = len(self.cycle.line_ids)
        self.assertEqual(figures["Items counted"], counted)
        self.assertEqual(figures["Items with discrepancies"], 3)
        self.assertAlmostEqual(figures["Discrepancy rate"], 3.0 / counted)
        self.assertAlmostEqual(figures["Net variance value"], 12 - 900 - 3500)
        self.assertAlmostEqual(figures["Absolute variance value"], 12 + 900 + 3500)
        self.assertEqual(figures["Minor"], 2)
        self.assertEqual(figures["Major"], 1)
        self.assertEqual(figures["Not documented yet"], 3)
        self.assertEqual(figures["Plan"], self.plan.name)
        self.assertEqual(figures["Started by"], self.lead.name)

    def test_text_that_looks_like_a_formula_stays_text(self):
        content, book = self.export_as(self.lead)
        row = next(row for row in table(book.sheet_by_name("Lines")) if int(row["Line ID"]) == self.cable_line.id)
        self.assertEqual(row["Product"], FORMULA_NAME)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
            self.assertEqual(len(sheets), 3)
            for name in sheets:
                self.assertNotIn(b"<f>", archive.read(name), "no cell is a formula")

    def test_counter_export_of_blind_cycle_has_no_book_figures(self):
        self.assertTrue(self.plan.blind_count)
        _content, book = self.export_as(self.tech1)
        self.assertEqual(book.sheet_names(), ["Summary", "Lines"], "no discrepancy sheet for a counter")
        sheet = book.sheet_by_name("Lines")
        headers = set(sheet.row_values(0))
        self.assertFalse(headers & (BOOK_HEADERS | {"Expected Quantity", "Tier", "Discrepancy Status"}))
        mine = self.cycle.line_ids.filtered(lambda l: l.user_id == self.tech1)
        self.assertEqual(sorted(int(row["Line ID"]) for row in table(sheet)), sorted(mine.ids))
        figures = summary(book)
        self.assertNotIn("Items with discrepancies", figures)
        self.assertNotIn("Net variance value", figures)
        self.assertEqual(figures["Your lines counted"], len(mine))

    def test_planned_cycle_has_nothing_to_export(self):
        planned = self.Cycle.create({"plan_id": self.plan.id, "date_start": "2027-01-01", "date_end": "2027-01-31"})
        with self.refused(UserError, "not started"):
            rpc(self.Cycle.sudo(self.lead), "export_results_xlsx", [planned.id])

    def test_finalization_freezes_the_figures_and_observations_stay_editable(self):
        discs = self.env["foreman.cycle.count.discrepancy"].search([("cycle_id", "=", self.cycle.id)])
        self.document(discs, self.lead)
        major = discs.filtered(lambda d: d.tier == "major")
        major.sudo(self.ops).action_approve()
        self.cycle.sudo(self.lead).action_finalize()
        frozen = rpc(self.Cycle.sudo(self.lead), "read", [self.cycle.id], [
            "result_counted_count", "result_discrepancy_count", "result_discrepancy_rate",
            "result_variance_value", "result_abs_variance_value", "finalized_by_id"])[0]
        counted = len(self.cycle.line_ids)
        self.assertEqual(frozen["result_counted_count"], counted)
        self.assertEqual(frozen["result_discrepancy_count"], 3)
        self.assertAlmostEqual(frozen["result_discrepancy_rate"], round(300.0 / counted, 2))
        self.assertAlmostEqual(frozen["result_variance_value"], -4388)
        self.assertAlmostEqual(frozen["result_abs_variance_value"], 4412)
        self.assertEqual(frozen["finalized_by_id"][0], self.lead.id)
        # the investigation goes on after finalization; the frozen figures do not move
        rpc(self.env["foreman.cycle.count.discrepancy"].sudo(self.lead), "write", discs.ids, {"root_cause": "moved"})
        rpc(self.Cycle.sudo(self.lead), "write", [self.cycle.id],
            {"observations": "<p>Hashboards leave the spares store without a ticket.</p>"})
        with self.refused(UserError):
            rpc(self.Cycle.sudo(self.lead), "write", [self.cycle.id], {"result_discrepancy_count": 0})
        with self.refused(AccessError):
            rpc(self.Cycle.sudo(self.tech1), "write", [self.cycle.id], {"observations": "<p>mine</p>"})
        again = rpc(self.Cycle.sudo(self.lead), "read", [self.cycle.id], list(frozen))[0]
        self.assertEqual(again, frozen)
        _content, book = self.export_as(self.lead)
        figures = summary(book)
        self.assertIn("Figures (frozen at finalization)", figures)
        self.assertEqual(figures["Items with discrepancies"], 3)
        self.assertEqual(figures["Moved without updating the location"], 3)
        sheet = book.sheet_by_name("Summary")
        self.assertIn("Hashboards leave the spares store without a ticket.",
                      [sheet.cell_value(index, 0) for index in range(sheet.nrows)])
        with self.assertRaises(AccessError):
            rpc(self.Cycle.sudo(self.tech1), "read", [self.cycle.id], ["observations"])

    def test_count_sheet_lists_a_counters_lines_in_walking_order(self):
        report = self.env.ref("foreman_cycle_count.action_report_count_sheet")
        html = report.sudo(self.tech1).render_qweb_html(self.cycle.ids)[0].decode("utf-8")
        mine = self.Line.sudo(self.tech1).search([("cycle_id", "=", self.cycle.id)])
        others = self.cycle.line_ids - mine
        positions = [html.index(">%d<" % line.id) for line in mine]
        self.assertEqual(positions, sorted(positions), "lines in walking order")
        for line in others:
            self.assertNotIn(">%d<" % line.id, html)
        everything = report.sudo(self.lead).render_qweb_html(self.cycle.ids)[0].decode("utf-8")
        for line in self.cycle.line_ids:
            self.assertIn(">%d<" % line.id, everything)
        self.assertIn("/report/barcode/?type=Code128&amp;value=%s" % self.miner_line.lot_id.name, everything)


class TestImportCounts(CycleCountCase):

    @classmethod
    def setUpClass(cls):
        super(TestImportCounts, cls).setUpClass()
        cls.cycle = cls.start_single_cycle()
        lines = cls.cycle.line_ids
        # the counter with the most untracked items imports; another counter's lines are not theirs
        cls.counter = max(cls.tech1 | cls.tech2 | cls.tech3, key=lambda user: len(lines.filtered(
            lambda l: l.user_id == user and not l.lot_id)))
        cls.other = (lines.mapped("user_id") - cls.counter)[0]
        cls.mine = lines.filtered(lambda l: l.user_id == cls.counter)
        cls.theirs = lines.filtered(lambda l: l.user_id == cls.other)

    def import_as(self, user, data, filename="counts.xlsx"):
        return rpc(self.Cycle.sudo(user), "import_counts", [self.cycle.id], data, filename)

    def imports_posted(self):
        return self.env["mail.message"].search_count([
            ("model", "=", self.cycle._name), ("res_id", "=", self.cycle.id), ("body", "ilike", "imported")])

    def test_a_valid_file_sets_the_counts_and_a_second_import_changes_nothing(self):
        counts = {line.id: line.system_qty + index % 2 for index, line in enumerate(self.mine)
                  if not line.lot_id}
        data = xlsx_file([(line_id, qty) for line_id, qty in counts.items()] + [(self.mine[0].id, None)])
        result = self.import_as(self.counter, data)
        self.assertEqual(result, {"applied": len(counts), "unchanged": 0})
        for line in self.Line.browse(list(counts)):
            self.assertEqual(line.counted_qty, counts[line.id])
            self.assertEqual(line.counted_by_id, self.counter)
        attachment = self.env["ir.attachment"].search([("res_model", "=", self.cycle._name),
                                                       ("res_id", "=", self.cycle.id)])
        self.assertEqual(attachment.mapped("datas_fname"), ["counts.xlsx"])
        self.assertEqual(self.imports_posted(), 1)
        message = self.env["mail.message"].search([("model", "=", self.cycle._name), ("res_id", "=", self.cycle.id),
                                                   ("body", "ilike", "imported")])
        self.assertIn("%s imported %d counts" % (self.counter.name, len(counts)), message.body)
        self.assertEqual(message.author_id, self.counter.partner_id)
        stamps = self.Line.browse(list(counts)).read(["counted_by_id", "date_counted", "write_date"])
        self.env.clear()
        again = self.import_as(self.counter, data)
        self.assertEqual(again, {"applied": 0, "unchanged": len(counts)})
        self.assertEqual(self.Line.browse(list(counts)).read(["counted_by_id", "date_counted", "write_date"]), stamps)
        self.assertEqual(self.imports_posted(), 1, "nothing new in the chatter")
        # the file is attached for coordinators; other counters do not read it
        self.assertFalse(self.env["ir.attachment"].sudo(self.other).search(
            [("res_model", "=", self.cycle._name), ("res_id", "=", self.cycle.id)]))
        self.assertTrue(self.env["ir.attachment"].sudo(self.lead).search(
            [("res_model", "=", self.cycle._name), ("res_id", "=", self.cycle.id)]))

    def test_the_exported_workbook_comes_back_as_a_csv(self):
        exported = workbook_of(rpc(self.Cycle.sudo(self.counter), "export_results_xlsx", [self.cycle.id]))[1]
        rows = table(exported.sheet_by_name("Lines"))
        headers = exported.sheet_by_name("Lines").row_values(0)
        ordinary = {line.id for line in self.mine if not line.lot_id}
        filled = [[("%d" % row[header] if header == "Line ID" else
                    "7" if header == "Counted Quantity" and int(row["Line ID"]) in ordinary else
                    "" if header == "Counted Quantity" else row[header]) for header in headers] for row in rows]
        result = self.import_as(self.counter, csv_file(filled, headers), "offline.csv")
        self.assertEqual(result["applied"], len(ordinary))
        self.assertEqual(set(self.Line.browse(list(ordinary)).mapped("counted_qty")), {7.0})
        self.assertFalse(self.mine.filtered(lambda l: l.lot_id and l.is_counted))

    def test_one_bad_row_applies_nothing_and_every_bad_row_is_named(self):
        serial = self.mine.filtered("lot_id")[:1] or self.theirs.filtered("lot_id")[:1]
        ordinary = self.mine.filtered(lambda l: not l.lot_id)
        other_cycle_line = self.other_cycle_line()
        rows = [(ordinary[0].id, 5), (ordinary[1].id, "five"), (ordinary[2].id, -1), (ordinary[3].id, 2.5005),
                (999999999, 1), (other_cycle_line.id, 1), (self.theirs[0].id, 1), ("abc", 1),
                (ordinary[4].id, 3), (ordinary[4].id, 4)]
        if serial.user_id == self.counter:
            rows.append((serial.id, 2))
        message = self.refusal_of(lambda: self.import_as(self.counter, xlsx_file(rows)))
        self.assertNotIn("Row 2:", message, "the good row is not listed")
        for row, reason in ((3, "'five' is not a number"), (4, "cannot be negative"), (5, "in steps of 0.001"),
                            (6, "no count line 999999999"), (7, "belongs to another cycle"),
                            (8, "not yours to count"), (9, "'abc' is not a line id"),
                            (11, "already on row 10")):
            self.assertRegex(message, "Row %d: [^\n]*%s" % (row, reason))
        if serial.user_id == self.counter:
            self.assertRegex(message, "Row 12: Serial number")
        self.assertFalse(self.Line.browse(ordinary.ids[:5]).filtered("is_counted"), "nothing applied")
        self.assertEqual(self.imports_posted(), 0)

    def test_a_counter_cannot_import_lines_not_theirs(self):
        with self.refused(UserError, "Row 2: line %d is not yours to count" % self.theirs[0].id):
            self.import_as(self.counter, csv_file([(self.theirs[0].id, 1)]), "theirs.csv")
        self.assertFalse(self.theirs[0].is_counted)
        # nor sneak one in with their own
        with self.refused(UserError, "not yours"):
            self.import_as(self.counter, csv_file([(self.mine[0].id, 1), (self.theirs[0].id, 1)]), "mixed.csv")
        self.assertFalse((self.mine[0] | self.theirs[0]).filtered("is_counted"))

    def test_a_blind_counter_file_with_book_quantities_is_refused(self):
        headers = (spreadsheet.LINE_ID_HEADER, "System Quantity", spreadsheet.COUNTED_HEADER)
        line = self.mine.filtered(lambda l: not l.lot_id)[0]
        with self.refused(UserError, "Row 2: it carries System Quantity"):
            self.import_as(self.counter, xlsx_file([(line.id, line.system_qty, line.system_qty)], headers))
        # a coordinator's own export carries them: fine for a coordinator
        result = self.import_as(self.lead, xlsx_file([(line.id, line.system_qty, line.system_qty)], headers))
        self.assertEqual(result["applied"], 1)

    def test_imports_only_while_counting_and_only_spreadsheets(self):
        line = self.mine.filtered(lambda l: not l.lot_id)[0]
        with self.refused(UserError, "cannot be read as a count sheet"):
            self.import_as(self.counter, base64.b64encode(b"%PDF-1.4"), "counts.pdf")
        with self.refused(UserError, "cannot be read as a count sheet"):
            self.import_as(self.counter, base64.b64encode(b"not a zip"), "counts.xlsx")
        with self.refused(UserError, "no 'Counted Quantity' column"):
            self.import_as(self.counter, csv_file([(line.id,)], (spreadsheet.LINE_ID_HEADER,)), "ids.csv")
        self.count_as_books(self.cycle)
        self.cycle.sudo(self.lead).action_submit()
        with self.refused(UserError, "only be imported while the cycle is being counted"):
            self.import_as(self.lead, csv_file([(line.id, 1)]), "late.csv")

    def refusal_of(self, call):
        """The message of the UserError ``call`` raises (what it wrote is rolled back)."""
        with self.assertRaises(UserError) as refusal:
            with self.env.cr.savepoint():
                call()
        self.env.clear()
        return refusal.exception.name

    def other_cycle_line(self):
        """A line of another cycle of the plan, counted at the same time."""
        first = self.cycle.slice_ids[0]
        other = self.Cycle.create({
            "plan_id": self.plan.id, "date_start": self.cycle.date_start, "date_end": self.cycle.date_end,
            "slice_ids": [(0, 0, {"segment_id": first.segment_id.id, "location_id": first.location_id.id})]})
        other.sudo(self.lead).action_start()
        self.assertTrue(other.line_ids)
        return other.line_ids[0]
