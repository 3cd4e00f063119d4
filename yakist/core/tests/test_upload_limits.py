"""Hole 7 of the security review: uploads are refused by size before they are read, and a
workbook is checked (zip bomb, password, legacy .xls, row cap) before openpyxl opens it."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.test import override_settings
from openpyxl import Workbook

from yakist.core.spreadsheets import SpreadsheetRefused, xlsx_open
from yakist.registry.models.reference import Centre

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
BOUNDARY = "yakist-test-boundary"


class LazyMultipart:
    """A multipart body with one file of `size` bytes, made on demand while the server reads
    it, counting every byte handed over (the server's memory never holds what it never read)."""

    def __init__(self, size: int) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncentres\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.body = size
        self.size = len(self.head) + size + len(self.tail)
        self.position = 0

    def _bytes(self, start: int, end: int) -> bytes:
        head_end, body_end = len(self.head), len(self.head) + self.body
        out = bytearray()
        if start < head_end:
            out += self.head[start : min(end, head_end)]
        if end > head_end and start < body_end:
            out += b"a" * (min(end, body_end) - max(start, head_end))
        if end > body_end:
            out += self.tail[max(start, body_end) - body_end : end - body_end]
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self.position + size)
        data = self._bytes(self.position, end)
        self.position = end
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 64 * 1024)


def post_lazily(client, path: str, body: LazyMultipart):
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
    )


def test_hole_07_oversize_upload_refused_before_reading(client, login):
    """A 30 MiB upload to a staff page gets 413 and a Ukrainian page; not one byte of the body
    is read (the refusal comes from the declared Content-Length)."""
    login("ministry")
    before = Centre.objects.count()
    body = LazyMultipart(30 * MIB)
    response = post_lazily(client, "/registry/import/", body)
    assert response.status_code == 413
    page = response.content.decode()
    assert "Файл завеликий" in page and "дозволено не більше 10 МіБ" in page
    assert response["Content-Type"].startswith("text/html")
    assert body.position == 0
    assert Centre.objects.count() == before


def test_upload_within_the_limit_is_still_read(client, login):
    login("ministry")
    body = LazyMultipart(2 * MIB)
    response = post_lazily(client, "/registry/import/", body)
    assert response.status_code == 200
    assert body.position == body.size


def test_oversize_api_body_gets_ukrainian_problem_json(client):
    body = LazyMultipart(2 * MIB)
    response = post_lazily(client, "/api/v1/events", body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["title"] == "Завеликий запит"
    assert body.position == 0


@override_settings(UPLOAD_MAX_BYTES=1000)
def test_hole_07_oversize_file_within_a_small_body_is_refused_by_its_size(client, login):
    """A file over the limit that fits the body's allowance for form fields is refused by
    the size the upload handler saw, before the view reads it."""
    login("ministry")
    response = client.post(
        "/registry/import/",
        {"kind": "centres", "file": SimpleUploadedFile("c.csv", b"code,name\n" + b"x" * 5000)},
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Файл має 5 КіБ, дозволено не більше 1000 байт."]


def zip_bomb(sheet_bytes: int) -> bytes:
    """A real XLSX whose sheet XML unpacks to `sheet_bytes` but compresses to a few KiB."""
    workbook = Workbook()
    workbook.active["A1"] = "code"
    plain = io.BytesIO()
    workbook.save(plain)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for entry in source.infolist():
            if entry.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(entry, source.read(entry))
                continue
            with bomb.open(entry.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><sheetData>'
                )
                chunk = row * (MIB // len(row))
                for _ in range(sheet_bytes // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def ole_file(stream: str) -> bytes:
    """Bytes of an OLE compound file (header signature, a directory entry naming `stream`):
    what Excel writes for a legacy .xls ("Workbook") or a password-encrypted XLSX
    ("EncryptedPackage")."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff"
    header += bytes(512 - len(header))
    entry = stream.encode("utf-16-le").ljust(64, b"\x00") + bytes(64)
    return header + entry + bytes(1024)


def test_hole_07_zip_bomb_refused_before_openpyxl_opens_it(client, login):
    content = zip_bomb(40 * MIB)
    assert len(content) < MIB
    login("ministry")
    response = client.post(
        "/registry/import/",
        {"kind": "centres", "file": SimpleUploadedFile("c.xlsx", content)},
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.wsgi_request._messages]
    assert len(messages) == 1 and "zip-бомба" in messages[0], messages


@override_settings(XLSX_MAX_UNCOMPRESSED_BYTES=2 * MIB, XLSX_MAX_COMPRESSION_RATIO=10**6)
def test_hole_07_workbook_unpacking_beyond_the_limit_is_refused():
    content = zip_bomb(3 * MIB)
    with pytest.raises(SpreadsheetRefused) as refused, xlsx_open(content):
        pass
    assert "після розпакування має 3 МіБ, дозволено не більше 2 МіБ" in str(refused.value)


@pytest.mark.parametrize(
    ("stream", "filename", "message"),
    [
        ("EncryptedPackage", "c.xlsx", "Книгу захищено паролем"),
        ("Workbook", "c.xls", "книга старого формату Excel 97–2003 (.xls)"),
        ("Workbook", "c.xlsx", "книга старого формату Excel 97–2003 (.xls)"),
    ],
)
def test_hole_07_encrypted_workbook_and_xls_refused_with_a_clear_message(
    client, login, stream, filename, message
):
    login("ministry")
    response = client.post(
        "/registry/import/",
        {"kind": "centres", "file": SimpleUploadedFile(filename, ole_file(stream))},
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.wsgi_request._messages]
    assert len(messages) == 1 and message in messages[0], messages


def test_hole_07_workbooks_are_opened_read_only():
    workbook = Workbook()
    workbook.active.append(["code", "name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with xlsx_open(buffer.getvalue()) as opened:
        assert opened.read_only


@override_settings(UPLOAD_MAX_ROWS=10)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hole_07_tables_beyond_the_row_cap_are_refused(client, login, fmt):
    rows = [["code", "kind", "name", "territory_code"]] + [
        [f"CAP-{i}", "centre", f"Центр {i}", "UA46060250010015970"] for i in range(20)
    ]
    if fmt == "csv":
        content = "\n".join(",".join(row) for row in rows).encode()
    else:
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    login("ministry")
    response = client.post(
        "/registry/import/",
        {"kind": "centres", "file": SimpleUploadedFile(f"c.{fmt}", content)},
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Файл має понад 10 рядків. Розділіть дані на кілька файлів."]
    assert not Centre.objects.filter(code__startswith="CAP-").exists()


@override_settings(UPLOAD_MAX_BYTES=100)
def test_hole_07_survey_import_refuses_an_oversize_file_before_reading(tmp_path, command):
    survey = tmp_path / "survey.csv"
    survey.write_text("centre_code,score\n" + "X,5\n" * 100, encoding="utf-8")
    with pytest.raises(CommandError, match="дозволено не більше"):
        command(
            "feedback",
            "import-survey",
            str(survey),
            "--name",
            "Завелике",
            "--from",
            "2026-04-01",
            "--to",
            "2026-06-30",
        )


@override_settings(UPLOAD_MAX_BYTES=100)
def test_hole_07_registry_command_refuses_an_oversize_file_before_reading(tmp_path, command):
    centres = tmp_path / "centres.csv"
    centres.write_text("code,kind,name,territory_code\n" + "X,centre,Y,Z\n" * 20, encoding="utf-8")
    with pytest.raises(CommandError, match="Файл має 290 байт, дозволено не більше 100 байт"):
        command("registry", "import", "centres", str(centres))
