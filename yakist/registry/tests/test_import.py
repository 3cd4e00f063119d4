"""Registry import/export: row-level Ukrainian errors, nothing half-imported, round trips."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from yakist.accounts.models import AuditEntry
from yakist.core.problems import ImportFileInvalid
from yakist.core.spreadsheets import SpreadsheetRefused
from yakist.registry.exporting import registry_export
from yakist.registry.importers import registry_import
from yakist.registry.models import Centre, Organisation, Service

pytestmark = pytest.mark.django_db

HEADER = "code,kind,name,parent_code,founder_code,territory_code,status,closed_on\n"
LVIV_CITY = "UA46060250010015970"


def centres_csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_valid_centres_file_is_imported_and_audited():
    content = centres_csv(
        f"NEW-1,centre,ЦНАП нової громади,,,{LVIV_CITY},active,",
        f"NEW-2,remote_workplace,Віддалене місце,NEW-1,,{LVIV_CITY},active,",
    )
    report = registry_import(kind="centres", filename="c.csv", content=content)
    assert report.ok and report.applied and report.created == 2
    point = Centre.objects.get(code="NEW-2")
    assert point.parent.code == "NEW-1"
    assert point.region_id == "UA46000000000026241"
    assert point.hromada_id == "UA46060250000025047"
    assert AuditEntry.objects.filter(action="create", object_id="NEW-2").exists()


def test_file_with_errors_reports_every_row_and_changes_nothing():
    before = Centre.objects.count()
    existing = Centre.objects.first()
    content = centres_csv(
        f"OK-1,centre,Правильний рядок,,,{LVIV_CITY},active,",
        "BAD-1,centre,Невідома територія,,,UA99999999999999999,active,",
        f"OK-1,centre,Дубль коду,,,{LVIV_CITY},active,",
        f"BAD-2,palace,Невідомий вид,,,{LVIV_CITY},active,",
        f"BAD-3,centre,Закритий без дати,,,{LVIV_CITY},closed,",
        f"BAD-4,remote_workplace,Без головного,,,{LVIV_CITY},active,",
        f"{existing.code},centre,Змінена назва,,,{LVIV_CITY},active,",
    )
    report = registry_import(kind="centres", filename="c.csv", content=content)
    assert not report.applied
    by_row = {(e.row, e.column): e.message for e in report.errors}
    assert "невідомий код КАТОТТГ" in by_row[(3, "territory_code")]
    assert "повторюється (уже є в рядку 2)" in by_row[(4, "code")]
    assert "недопустиме значення «palace»" in by_row[(5, "kind")]
    assert "потрібна дата закриття" in by_row[(6, "closed_on")]
    assert "потрібен код головного ЦНАП" in by_row[(7, "parent_code")]
    assert Centre.objects.count() == before
    assert Centre.objects.get(pk=existing.pk).name == existing.name
    assert "рядок 3, поле «territory_code»" in str(report.errors[0])


def test_partial_import_takes_only_the_valid_rows():
    content = centres_csv(
        f"PART-1,centre,Правильний,,,{LVIV_CITY},active,",
        "PART-2,centre,Помилковий,,,UA00000000000000000,active,",
    )
    report = registry_import(kind="centres", filename="c.csv", content=content, allow_partial=True)
    assert report.applied and report.created == 1 and len(report.errors) == 1
    assert Centre.objects.filter(code="PART-1").exists()
    assert not Centre.objects.filter(code="PART-2").exists()


def test_missing_required_column_is_reported_on_the_header_row():
    report = registry_import(kind="centres", filename="c.csv", content=b"code,name\nX,Y\n")
    assert {(e.row, e.column) for e in report.errors} == {(1, "kind"), (1, "territory_code")}


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("c.xlsx", b"this is not a zip", "не є книгою Excel (XLSX)"),
        ("c.csv", "code;name\n".encode("cp1251") + "Центр".encode("cp1251"), "UTF-8"),
        ("c.pdf", b"%PDF", "Непідтримуваний формат"),
        ("c.csv", b"", "порожній"),
        ("c.csv", b'code,name\n"unterminated,quote\n', "Некоректний CSV"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(filename, content, message):
    with pytest.raises((ImportFileInvalid, SpreadsheetRefused)) as error:
        registry_import(kind="centres", filename=filename, content=content)
    assert message in str(error.value.detail)


def test_xlsx_export_then_import_changes_nothing():
    content = registry_export(kind="centres", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == Centre.objects.count() + 1
    report = registry_import(kind="centres", filename="c.xlsx", content=content)
    assert report.ok and report.created == 0 and report.updated == 0
    assert report.unchanged == Centre.objects.count()


def test_xlsx_import_reports_cell_errors():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "kind", "name", "territory_code", "population_served"])
    sheet.append(["XL-1", "centre", "Центр", LVIV_CITY, "багато"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = registry_import(kind="centres", filename="c.xlsx", content=buffer.getvalue())
    assert [(e.row, e.column) for e in report.errors] == [(2, "population_served")]
    assert "ціле число" in report.errors[0].message


def test_services_import_validates_terms_and_providers():
    provider = Organisation.objects.filter(kind="provider").first()
    content = (
        "code,name,term_value,term_unit,is_paid,online_available,provider_codes\n"
        f"S-1,Послуга у день звернення,,on_visit,ні,так,{provider.code}\n"
        "S-2,Без значення строку,,working_days,false,false,\n"
        "S-3,Невідомий суб'єкт,5,working_days,false,false,00000000\n"
        "S-4,Дивна одиниця,5,weeks,false,false,\n"
        "S-5,Не булеве,5,hours,можливо,false,\n"
    ).encode()
    report = registry_import(kind="services", filename="s.csv", content=content)
    by_row = {(e.row, e.column) for e in report.errors}
    assert by_row == {(3, "term_value"), (4, "provider_codes"), (5, "term_unit"), (6, "is_paid")}
    assert not Service.objects.filter(code="S-1").exists()
    ok = registry_import(kind="services", filename="s.csv", content=content, allow_partial=True)
    service = Service.objects.get(code="S-1")
    assert ok.created == 1 and service.online_available
    assert list(service.providers.all()) == [provider]
    assert service.terms.get().unit == "on_visit"


def test_csv_export_has_a_bom_for_excel_and_round_trips():
    content = registry_export(kind="organisations", fmt="csv")
    assert content.startswith(b"\xef\xbb\xbf")
    report = registry_import(kind="organisations", filename="o.csv", content=content)
    assert report.ok and report.created == 0 and report.updated == 0


def test_csv_export_never_hands_excel_a_formula():
    provider = Organisation.objects.filter(kind="provider").first()
    provider.name = '=HYPERLINK("http://evil.example")'
    provider.save()
    content = registry_export(kind="organisations", fmt="csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in content and ",=HYPERLINK" not in content


def test_values_longer_than_their_fields_are_row_errors_not_database_errors():
    """PostgreSQL refuses over-long text; the file is checked before it gets that far."""
    provider = Organisation.objects.filter(kind="provider").first()
    content = (
        "code,name,term_value,term_unit,is_paid,online_available,provider_codes,fee\n"
        f"S-LONG-CODE-OVER-20-CHARS,Послуга,5,working_days,false,false,{provider.code},\n"
        f"S-BIG,Послуга,99999999999,working_days,false,false,{provider.code},\n"
        f"S-FEE,Послуга,5,working_days,true,false,{provider.code},{'г' * 201}\n"
    ).encode()
    report = registry_import(kind="services", filename="s.csv", content=content)
    by_row = {(e.row, e.column): e.message for e in report.errors}
    assert "не більше 20" in by_row[(2, "code")]
    assert "число завелике" in by_row[(3, "term_value")]
    assert "201 символів" in by_row[(4, "fee")]
    assert not Service.objects.filter(code__in=["S-BIG", "S-FEE"]).exists()
    centre = centres_csv(f"LONG-1,centre,{'Ц' * 301},,,{LVIV_CITY},active,")
    report = registry_import(kind="centres", filename="c.csv", content=centre)
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]


def test_partial_import_never_leaves_an_access_point_without_its_centre():
    content = centres_csv(
        "ORPHAN-P,centre,Головний з помилкою,,,UA99999999999999999,active,",
        f"ORPHAN-1,remote_workplace,Точка доступу,ORPHAN-P,,{LVIV_CITY},active,",
        f"ORPHAN-2,mobile,Точка доступу точки,ORPHAN-1,,{LVIV_CITY},active,",
        f"ORPHAN-OK,centre,Окремий правильний,,,{LVIV_CITY},active,",
    )
    report = registry_import(kind="centres", filename="c.csv", content=content, allow_partial=True)
    by_row = {(e.row, e.column): e.message for e in report.errors}
    assert "визначено в рядку 2, який має помилки" in by_row[(3, "parent_code")]
    assert report.created == 1 and [e.row for e in report.errors] == sorted(
        e.row for e in report.errors
    )
    assert not Centre.objects.filter(code__in=["ORPHAN-1", "ORPHAN-2"]).exists()
    assert Centre.objects.filter(code="ORPHAN-OK").exists()


def test_import_page_shows_row_errors_and_changes_nothing(client, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login("ministry")
    before = Centre.objects.count()
    bad = centres_csv(
        f"WEB-1,centre,Правильний,,,{LVIV_CITY},active,",
        "WEB-2,centre,Невідома територія,,,UA99999999999999999,active,",
    )
    response = client.post(
        "/registry/import/",
        {"kind": "centres", "file": SimpleUploadedFile("c.csv", bad, "text/csv")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Нічого не змінено" in page and "невідомий код КАТОТТГ" in page
    assert response.context["report"].errors[0].row == 3
    assert Centre.objects.count() == before
    broken = client.post(
        "/registry/import/",
        {"kind": "centres", "file": SimpleUploadedFile("c.xlsx", b"PK\x03\x04 broken")},
    )
    assert "не є книгою Excel (XLSX)" in broken.content.decode()
    good = client.post(
        "/registry/import/",
        {
            "kind": "centres",
            "file": SimpleUploadedFile("c.csv", centres_csv(bad.decode().splitlines()[1])),
        },
    )
    assert good.status_code == 200 and Centre.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="create", object_id="WEB-1")
    assert entry.actor_name == "ministry"


@pytest.mark.parametrize("username", ["auditor", "coordinator"])
def test_only_the_ministry_imports_into_the_registry_even_past_the_page(
    django_user_model, username
):
    from yakist.core.problems import Forbidden

    content = centres_csv(f"NEW-9,centre,ЦНАП без права,,,{LVIV_CITY},active,")
    actor = django_user_model.objects.get(username=username)
    with pytest.raises(Forbidden):
        registry_import(kind="centres", filename="c.csv", content=content, actor=actor)
    assert not Centre.objects.filter(code="NEW-9").exists()
    ministry = django_user_model.objects.get(username="ministry")
    report = registry_import(kind="centres", filename="c.csv", content=content, actor=ministry)
    assert report.applied
