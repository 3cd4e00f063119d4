"""Plain XLSX workbooks and CSV cells for downloads and open data, safe to open in Excel.

Text typed by people (names, report answers, comments) can start with `=`, `+`, `-` or `@`;
spreadsheet programs would run it as a formula (CSV/formula injection, OWASP). XLSX cells
are therefore always written as text, and CSV cells that look like a formula get a leading
apostrophe. Numbers, including negative ones, are left alone.

Uploaded workbooks are untrusted: every upload path reads them through `upload_bytes` /
`file_bytes` (size checked before reading), `xlsx_open` (zip entries' declared sizes and
compression ratios checked before openpyxl sees the file, then openpyxl in read-only mode)
and `rows_capped` (a row cap), so one file cannot take the server's memory or minutes of CPU.
`read_table` reads a CSV or XLSX upload through them as rows of {column: text}, for every
import that takes a table (registry, case events, surveys).

openpyxl is imported when a workbook is written or read, not when Django starts: every
`yakist` command and server boot would otherwise pay for it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core.problems import ImportFileInvalid, PayloadTooLarge, Problem

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


# --- Reading uploaded workbooks ----------------------------------------------------------------

# An OLE compound file: a legacy .xls workbook, or an XLSX encrypted with a password (Excel
# wraps those in an OLE container with an "EncryptedPackage" stream).
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURE = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Entries smaller than this are not checked for their ratio: they cannot hurt, and tiny
# repetitive XML parts compress very well.
RATIO_CHECK_FROM = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


class SpreadsheetRefused(Problem):
    slug = "spreadsheet-refused"
    status = 422
    title = gettext_lazy("Файл не прийнято")
    description = gettext_lazy(
        "Завантажений файл не є книгою XLSX, яку можна безпечно прочитати: старий формат .xls, "
        "книга з паролем, пошкоджений архів, надто великий вміст або забагато рядків."
    )


def _size(size: int) -> str:
    """A size for people: «10 МіБ», «2,5 МіБ», «700 КіБ», «100 байт»."""
    if size < 1024:
        return _("%(n)s байт") % {"n": size}
    if size < 1024 * 1024:
        return _("%(n)s КіБ") % {"n": -(-size // 1024)}
    number = f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return _("%(n)s МіБ") % {"n": number}


def too_large(size: int | None, limit: int | None = None) -> PayloadTooLarge:
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    if size is None:
        detail = _("Файл завеликий: дозволено не більше %(limit)s.") % {"limit": _size(limit)}
    else:
        detail = _("Файл має %(size)s, дозволено не більше %(limit)s.") % {
            "size": _size(size),
            "limit": _size(limit),
        }
    return PayloadTooLarge(detail)


def upload_bytes(upload, *, limit: int | None = None) -> bytes:
    """An uploaded file's content, refused by its size before it is read."""
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    if upload.size is not None and upload.size > limit:
        raise too_large(upload.size, limit)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large(None, limit)
    return content


def file_bytes(path: Path, *, limit: int | None = None) -> bytes:
    """A local file's content (command-line imports), refused by its size before reading."""
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    size = path.stat().st_size
    if size > limit:
        raise too_large(size, limit)
    with path.open("rb") as handle:
        content = handle.read(limit + 1)
    if len(content) > limit:
        raise too_large(None, limit)
    return content


def xlsx_check(content: bytes) -> None:
    """Refuse what openpyxl must not be given: not a zip, a zip bomb, an OLE file."""
    if content.startswith(OLE_SIGNATURE):
        if ENCRYPTED_STREAM in content:
            raise SpreadsheetRefused(
                _(
                    "Книгу захищено паролем (зашифровано); такий файл не можна прочитати. "
                    "Зніміть пароль в Excel або LibreOffice і збережіть як .xlsx."
                )
            )
        raise SpreadsheetRefused(
            _(
                "Це книга старого формату Excel 97–2003 (.xls). Збережіть її в Excel або "
                "LibreOffice як «Книга Excel (.xlsx)» і завантажте знову."
            )
        )
    not_xlsx = SpreadsheetRefused(
        _(
            "Файл не є книгою Excel (XLSX). Збережіть його в Excel або LibreOffice як "
            "«Книга Excel (.xlsx)»."
        )
    )
    if not content.startswith(ZIP_SIGNATURE):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise not_xlsx from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise not_xlsx
    # Python's zipfile never inflates an entry beyond its declared size, so the declared
    # sizes are the real upper bounds of what openpyxl can be made to read.
    total = sum(entry.file_size for entry in entries)
    if total > settings.XLSX_MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetRefused(
            _(
                "Вміст книги після розпакування має %(size)s, дозволено не більше "
                "%(limit)s. Розділіть дані на кілька файлів."
            )
            % {"size": _size(total), "limit": _size(settings.XLSX_MAX_UNCOMPRESSED_BYTES)}
        )
    for entry in entries:
        if entry.file_size < RATIO_CHECK_FROM:
            continue
        if entry.file_size > settings.XLSX_MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise SpreadsheetRefused(
                _(
                    "Частина книги «%(name)s» стиснута в %(ratio)s разів (дозволено до "
                    "%(limit)s): так виглядає «zip-бомба», а не таблиця. Файл не прочитано."
                )
                % {
                    "name": entry.filename[:80],
                    "ratio": entry.file_size // max(entry.compress_size, 1),
                    "limit": settings.XLSX_MAX_COMPRESSION_RATIO,
                }
            )


@contextlib.contextmanager
def xlsx_open(content: bytes) -> Iterator[Any]:
    """A checked workbook in openpyxl's read-only mode (sheets stream from the archive)."""
    xlsx_check(content)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise SpreadsheetRefused(
            _(
                "Книгу XLSX пошкоджено або збережено нестандартно. Відкрийте її в Excel або "
                "LibreOffice і збережіть знову як «Книга Excel (.xlsx)»."
            )
        ) from error
    try:
        yield workbook
    finally:
        workbook.close()


def rows_capped(rows: Iterable[Any], *, limit: int | None = None) -> Iterator[Any]:
    """The rows of a table, refused once there are more than UPLOAD_MAX_ROWS of them."""
    limit = settings.UPLOAD_MAX_ROWS if limit is None else limit
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise SpreadsheetRefused(
                _("Файл має понад %(limit)s рядків. Розділіть дані на кілька файлів.")
                % {"limit": limit}
            )
        yield row


# --- Reading uploaded tables ---------------------------------------------------------------


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as {column: text}, header names normalised."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xls")):  # a real .xls is refused with its own message
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(content)
    else:
        raise ImportFileInvalid(
            _("Непідтримуваний формат файлу «%(name)s»: потрібен .csv або .xlsx.")
            % {"name": filename}
        )
    if not rows:
        raise ImportFileInvalid(_("Файл порожній: немає рядка заголовків."))
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    if not any(header):
        raise ImportFileInvalid(_("Перший рядок файлу має містити назви колонок."))
    result = []
    for values in rows[1:]:
        if all(str(value or "").strip() == "" for value in values):
            continue  # blank lines at the end of spreadsheets are common
        record = {
            column: cell_text(values[index]) if index < len(values) else ""
            for index, column in enumerate(header)
            if column
        }
        result.append(record)
    return result


def cell_text(value: Any) -> str:
    """A cell as the text people see: dates in ISO form, whole numbers without «.0»."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileInvalid(
            _("CSV-файл має бути в кодуванні UTF-8 (байт %(position)s не розпізнано).")
            % {"position": error.start}
        ) from error
    if "\x00" in text:
        raise ImportFileInvalid(_("CSV-файл містить двійкові дані; це не текстовий файл."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return list(rows_capped(reader))
    except csv.Error as error:
        raise ImportFileInvalid(
            _("Некоректний CSV у рядку %(line)s: перевірте лапки й роздільники (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from error


def _read_xlsx(content: bytes) -> list[list[Any]]:
    with xlsx_open(content) as workbook:
        sheet = workbook.worksheets[0]
        return [list(row) for row in rows_capped(sheet.iter_rows(values_only=True))]
