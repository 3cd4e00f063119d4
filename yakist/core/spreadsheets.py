"""Plain XLSX workbooks (one header row and data per sheet) for downloads and open data.

openpyxl is imported when a workbook is written, not when Django starts: every `yakist`
command and server boot would otherwise pay for it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(sheets: Mapping[str, Iterable[Sequence]]) -> bytes:
    """A write-only workbook: sheet title (cut to Excel's 31 characters) -> its rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title[:31] or "table")
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
