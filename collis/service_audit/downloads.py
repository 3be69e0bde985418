"""The service audit's tables as files: a streamed CSV and an XLSX workbook of the same
`presenters.Table`s, so the page and both files never disagree. Every cell is a value,
never a formula: a text that a spreadsheet would read as one (it begins with = + - @, a
tab or a carriage return) is written as text (OWASP's guard against formula injection)."""

from __future__ import annotations

import csv
import io
import re

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_number(value) -> bool:
    return isinstance(value, int | float) or (isinstance(value, str)
                                              and NUMBER.fullmatch(value) is not None)


def needs_guard(value) -> bool:
    """A text a spreadsheet would take for a formula (a plain number such as -3 is not)."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not is_number(value))


def csv_safe(value) -> str:
    """The cell as CSV text: a would-be formula gets a leading apostrophe, which Excel and
    LibreOffice read as "this is text"."""
    text = "" if value is None else str(value)
    return "'" + text if needs_guard(text) else text


class _Echo:
    """A file that hands back what is written to it, for csv.writer over a stream."""

    def write(self, value):
        return value


def csv_lines(tables, heading: list[str]):
    """The lines of the CSV: the heading (window, filters, suppression, when computed),
    then each table with its caption and headers."""
    writer = csv.writer(_Echo())
    for line in heading:
        yield writer.writerow([csv_safe(line)])
    for table in tables:
        yield writer.writerow([])
        yield writer.writerow([csv_safe(table.caption)])
        yield writer.writerow([csv_safe(h) for h in table.headers])
        for row in table.rows:
            yield writer.writerow([csv_safe(v) for v in row])


def csv_response(tables, *, filename: str, heading: list[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(tables, heading),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _sheet_title(caption: str, index: int, used: set) -> str:
    """A worksheet's name: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", caption)[:27].strip() or "Table"
    title = base
    while title.lower() in used:
        title = f"{base[:24]} ({index})"
        index += 1
    used.add(title.lower())
    return title


def xlsx_bytes(tables, *, heading: list[str]) -> bytes:
    """A workbook: a first sheet "About" with the heading lines, then one sheet per table
    (caption, headers, rows). Plain numbers are numbers; everything else is text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    used: set = set()

    def cell(sheet, value, *, bold=False):
        if is_number(value):
            number = float(value)
            c = WriteOnlyCell(sheet, value=int(number) if number.is_integer() else number)
        else:
            c = WriteOnlyCell(sheet, value="" if value is None else str(value))
            # Always a string cell: openpyxl would otherwise store "=..." as a formula.
            c.data_type = "s"
            if needs_guard(c.value):
                c.quotePrefix = True
        if bold:
            from openpyxl.styles import Font

            c.font = Font(bold=True)
        return c

    about = workbook.create_sheet(_sheet_title("About", 1, used))
    for line in heading:
        about.append([cell(about, line)])
    for index, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(_sheet_title(table.caption, index, used))
        sheet.append([cell(sheet, table.caption, bold=True)])
        sheet.append([cell(sheet, h, bold=True) for h in table.headers])
        for row in table.rows:
            sheet.append([cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(tables, *, filename: str, heading: list[str]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(tables, heading=heading), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def tables_response(tables, *, filename: str, heading: list[str], fmt: str = "csv"):
    """The tables as a download in the format asked for ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return xlsx_response(tables, filename=filename, heading=heading)
    return csv_response(tables, filename=filename, heading=heading)
