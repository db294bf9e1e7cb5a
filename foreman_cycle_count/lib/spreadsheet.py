"""Spreadsheet plumbing of the results export and the offline count import.

Plain functions: number formats from a unit's rounding, reading the rows of an
uploaded .xlsx or .csv file, and parsing the quantities typed into it.
"""
import csv
import io
import math

import xlrd

# Headers integrators' scripts and offline forms rely on: never translated.
LINE_ID_HEADER = "Line ID"
COUNTED_HEADER = "Counted Quantity"
CSV_DELIMITERS = ",;\t"


class SpreadsheetError(ValueError):
    """The file cannot be read as a table of rows; the message says why."""


def decimals_of(rounding):
    """Decimal places a unit's rounding shows: 1 -> 0, 0.01 -> 2, 0.5 -> 1."""
    if not rounding or rounding >= 1:
        return 0
    return min(6, max(0, int(math.ceil(-math.log10(rounding) - 1e-9))))


def number_format(decimals):
    """Excel number format with thousands separator and ``decimals`` places."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def currency_format(decimals, symbol, after):
    """Excel format of an amount in a currency, the symbol where the currency puts it."""
    symbol = '"%s"' % (symbol or "").replace('"', "")
    amount = number_format(decimals)
    signed = "%s;-%s" % (amount, amount)
    if after:
        return ";".join("%s %s" % (part, symbol) for part in signed.split(";"))
    return ";".join("%s %s" % (symbol, part) for part in signed.split(";"))


def read_rows(content, filename):
    """(headers, rows) of the count table in a .xlsx or .csv file.

    ``rows`` are (row number as the spreadsheet shows it, [cell values]). The
    table is the first sheet whose first row has a ``Line ID`` header.
    """
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv"):
        return _csv_rows(content)
    raise SpreadsheetError("unsupported file type")


def _xlsx_rows(content):
    try:
        book = xlrd.open_workbook(file_contents=content)
    except Exception as error:  # xlrd raises many kinds of errors on a damaged file
        raise SpreadsheetError(str(error))
    for sheet in book.sheets():
        if not sheet.nrows:
            continue
        headers = [str(value).strip() for value in sheet.row_values(0)]
        if LINE_ID_HEADER in headers:
            return headers, [(index + 1, sheet.row_values(index)) for index in range(1, sheet.nrows)]
    raise SpreadsheetError("no sheet with a '%s' column" % LINE_ID_HEADER)


def _csv_rows(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError("the CSV file is not UTF-8 text")
    first = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = list(reader)
    except csv.Error as error:
        raise SpreadsheetError(str(error))
    if not table:
        raise SpreadsheetError("the file is empty")
    headers = [value.strip() for value in table[0]]
    if LINE_ID_HEADER not in headers:
        raise SpreadsheetError("no '%s' column" % LINE_ID_HEADER)
    return headers, [(index + 1, row) for index, row in enumerate(table) if index]


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value):
    """A float from a cell (a number, or text such as '12' or '12.5'); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def parse_line_id(value):
    """The integer id in a Line ID cell (xlrd reads numbers as floats), or None."""
    number = parse_number(value)
    if number is None or number != int(number) or number <= 0:
        return None
    return int(number)


class Styles(object):
    """The workbook's cell formats, made once each (xlsxwriter keeps every format it is given)."""

    def __init__(self, workbook, currency_decimals=2, currency_symbol="", currency_after=True):
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "text_wrap": True,
                                           "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 13})
        self.label = workbook.add_format({"bold": True})
        self.text = workbook.add_format({})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.integer = workbook.add_format({"num_format": "0"})
        self.percent = workbook.add_format({"num_format": "0.00%"})
        self.money = workbook.add_format({"num_format": currency_format(
            currency_decimals, currency_symbol, currency_after)})
        self._quantities = {}

    def quantity(self, decimals):
        if decimals not in self._quantities:
            self._quantities[decimals] = self.workbook.add_format({"num_format": number_format(decimals)})
        return self._quantities[decimals]


def write_cell(sheet, row, col, value, style=None):
    """Write one cell by the value's type: text always as text (never a formula), nothing for no value."""
    if value is None or value is False:
        return
    if isinstance(value, str):
        if value:
            sheet.write_string(row, col, value, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, style)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, style)
    else:  # dates and datetimes
        sheet.write_datetime(row, col, value, style)


def write_header(sheet, styles, columns, row=0):
    """A table's header row (``columns`` are (header, width) pairs), with its widths."""
    for col, (header, width) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write_string(row, col, header, styles.header)


def finish_table(sheet, columns, last_row, header_row=0):
    """Frozen header and autofilter over the table written."""
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(header_row, last_row), len(columns) - 1)
