"""Every chart has its table, and every table can be downloaded as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.text import slugify

from yakist.core.spreadsheets import XLSX_CONTENT_TYPE, csv_row_safe, xlsx_bytes


def table_download(
    *, title: str, columns: Sequence[str], rows: Sequence[Sequence], fmt: str
) -> HttpResponse:
    name = slugify(title, allow_unicode=False) or "table"
    if fmt == "xlsx":
        content = xlsx_bytes({title: [list(columns), *rows]})
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(csv_row_safe(row) for row in rows)
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
