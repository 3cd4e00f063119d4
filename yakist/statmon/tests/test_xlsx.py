"""The XLSX template: filled and uploaded back, with per-cell errors and clear refusals."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from yakist.core.tests.test_upload_limits import MIB, ole_file, zip_bomb
from yakist.statmon import services
from yakist.statmon.catalogue import form_load
from yakist.statmon.models import Report, ReportStatus
from yakist.statmon.tests.factories import (
    CATALOGUE,
    LVIV,
    as_entries,
    current_period,
    current_report,
    other_centre,
    own_centre,
    valid_values,
)
from yakist.statmon.xlsx import META_SHEET, SHEET

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(login):
    user = login("centre")
    return current_report(own_centre(user))


def download(client, report) -> bytes:
    response = client.get(f"/statmon/{report.campaign.period}/{report.centre.code}/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def fill_workbook(content: bytes, entries: dict) -> tuple[bytes, dict[str, str]]:
    """Type `entries` into the value column, as a person would in a spreadsheet."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[SHEET]
    cells = {}
    for row in sheet.iter_rows(min_row=6):
        code = row[0].value
        if code in entries:
            row[4].value = entries[code]
            cells[code] = row[4].coordinate
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), cells


def upload(client, report, content: bytes, name="report.xlsx"):
    return client.post(
        f"/statmon/{report.campaign.period}/{report.centre.code}/upload/",
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def test_template_carries_form_version_and_centre_in_a_hidden_sheet(client, report):
    workbook = load_workbook(io.BytesIO(download(client, report)))
    meta = workbook[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    values = {row[0]: row[1] for row in meta.iter_rows(max_col=2, values_only=True) if row[0]}
    assert values["form_version"] == report.campaign.form.version
    assert values["centre"] == report.centre.code
    assert values["period"] == report.campaign.period
    sheet = workbook[SHEET]
    assert sheet.protection.sheet is True
    codes = [row[0] for row in sheet.iter_rows(min_row=6, max_col=1, values_only=True)]
    assert "STF.TOTAL" in codes and "OFF.NON_DISCRIMINATION" in codes
    assert sheet.data_validations.dataValidation  # Excel checks types while typing


def test_a_filled_template_is_saved_into_the_draft(client, report):
    values = valid_values(report)
    content, _cells = fill_workbook(download(client, report), as_entries(report, values))
    response = upload(client, report, content)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.values == values
    assert report.status == ReportStatus.DRAFT
    assert report.events.filter(action="upload").exists()


def test_per_cell_errors_name_the_cell_and_keep_what_was_typed(client, report):
    content, cells = fill_workbook(
        download(client, report),
        {"STF.TOTAL": "десять", "FBK.SATISFIED": 140, "PRM.STEP_FREE": "Так"},
    )
    response = upload(client, report, content)
    assert response.status_code == 422
    errors = {e["code"]: e for e in response.context["cell_errors"]}
    assert errors["STF.TOTAL"]["cell"] == cells["STF.TOTAL"]
    assert errors["STF.TOTAL"]["message"].startswith("Введіть ціле число")
    assert errors["FBK.SATISFIED"]["message"] == "Відсоток не може перевищувати 100."
    report.refresh_from_db()
    assert report.values["PRM.STEP_FREE"] is True
    assert report.invalid["STF.TOTAL"] == "десять"  # nothing typed is lost


def test_a_foreign_workbook_is_refused_as_a_foreign_layout(client, report):
    workbook = Workbook()
    workbook.active["A1"] = "Код"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, report, buffer.getvalue())
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Це не шаблон Якості (чужий макет): немає службового аркуша. Завантажте шаблон зі "
        "сторінки звіту."
    ]


def test_a_file_that_is_not_xlsx_is_refused(client, report):
    response = upload(client, report, b"code,value\nSTF.TOTAL,3\n", name="report.csv")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[0].startswith("Файл не є книгою Excel (XLSX)")


def test_a_template_of_another_centre_is_refused(client, report, login):
    neighbour = current_report(other_centre(LVIV, exclude=report.centre))
    login("coordinator")
    foreign = download(client, neighbour)
    login("centre")
    response = upload(client, report, foreign)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        f"Файл призначено для іншого центру (код {neighbour.centre.code}), а це звіт центру "
        f"{report.centre.code}."
    ]
    report.refresh_from_db()
    assert report.values == {}


def test_a_template_for_another_form_version_or_with_edited_service_data_is_refused(client, report):
    content = download(client, report)
    workbook = load_workbook(io.BytesIO(content))
    workbook[META_SHEET]["B4"] = 99  # the visible copy of the version: the signed token wins
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, report, buffer.getvalue())
    assert [str(m) for m in response.wsgi_request._messages][-1].startswith("Файл прочитано")
    workbook = load_workbook(io.BytesIO(content))
    token_row = next(r for r in workbook[META_SHEET].iter_rows() if r[0].value == "token")
    token_row[1].value = token_row[1].value[:-3] + "abc"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, report, buffer.getvalue())
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Службові дані шаблону змінено або пошкоджено" in messages[-1]


def test_a_template_of_another_form_version_is_refused(client, report):
    next_quarter = current_period().next()
    content = (
        CATALOGUE.read_bytes()
        .replace(b"version: 1\n", b"version: 2\n", 1)
        .replace(
            b"effective_from: 2026-01-01",
            f"effective_from: {next_quarter.first_day.isoformat()}".encode(),
        )
    )
    form_load(content=content, file_name="form-v2.yaml")
    services.campaign_open(period=next_quarter)
    newer = Report.objects.get(campaign__period=next_quarter.code, centre=report.centre)
    response = upload(client, report, download(client, newer))
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        f"Шаблон зроблено для форми версії 2, а звіт за {report.campaign.period} подається за "
        "формою версії 1. Завантажте свіжий шаблон."
    ]


def test_moved_columns_are_refused(client, report):
    workbook = load_workbook(io.BytesIO(download(client, report)))
    sheet = workbook[SHEET]
    sheet.protection.sheet = False
    sheet["E5"] = "Value"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, report, buffer.getvalue())
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[-1].startswith("Стовпці шаблону змінено")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ole_file("EncryptedPackage"), "Книгу захищено паролем"),
        (lambda: ole_file("Workbook"), "книга старого формату Excel 97–2003 (.xls)"),
        (lambda: zip_bomb(40 * MIB), "zip-бомба"),
    ],
    ids=["encrypted", "xls", "zip-bomb"],
)
def test_hole_07_report_upload_refuses_unsafe_workbooks_with_a_clear_message(
    client, report, make, message
):
    before = report.draft_version
    response = upload(client, report, make())
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert len(messages) == 1 and message in messages[0], messages
    report.refresh_from_db()
    assert report.draft_version == before
