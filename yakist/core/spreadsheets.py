"""Plain XLSX workbooks and CSV cells for downloads and open data, safe to open in Excel.

Text typed by people (names, report answers, comments) can start with `=`, `+`, `-` or `@`;
spreadsheet programs would run it as a formula (CSV/formula injection, OWASP). XLSX cells
are therefore always written as text, and CSV cells that look like a formula get a leading
apostrophe. Numbers, including negative ones, are left alone.

openpyxl is imported when a workbook is written, not when Django starts: every `yakist`
command and server boot would otherwise pay for it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet will show as text, never evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row_safe(row: Iterable[Any]) -> list[Any]:
    return [csv_safe(value) for value in row]


def formulas_as_text(workbook) -> None:
    """Every cell openpyxl took for a formula (a string starting with `=`) becomes text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def xlsx_bytes(sheets: Mapping[str, Iterable[Sequence]]) -> bytes:
    """A write-only workbook: sheet title (cut to Excel's 31 characters) -> its rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title[:31] or "table")
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, str) and value.startswith("="):
                    value = WriteOnlyCell(sheet, value=value)
                    value.data_type = "s"
                cells.append(value)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
