"""Case events uploaded from CSV/XLSX by subjects not connected: row-by-row validation with
the API's rules, the journal, duplicates per uploading subject, cases projected."""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from yakist.cases.models import Case
from yakist.core.spreadsheets import xlsx_bytes
from yakist.ingest.models import CaseUpload, Journal
from yakist.ingest.schema import FIELD_ORDER
from yakist.ingest.tests import support
from yakist.ingest.upload import case_upload_accept, template_rows
from yakist.registry.models import ConnectedSystem

pytestmark = pytest.mark.django_db

BAD_ROWS = {  # row index (0-based among data rows) -> how it is broken
    10: {"service_code": "NO-SUCH"},
    99: {"occurred_at": "вчора"},
    250: {"type": "teleported"},
    400: {"rating": "9"},  # a rating on a submitted event
    555: {"applicant_ref": "1234567890"},  # a РНОКПП-shaped reference
    777: {"event_id": "not-a-uuid"},
    998: {"channel": ""},  # no channel at all
}


def csv_file(world, rows: int = 1000, bad=BAD_ROWS, path=None) -> bytes:
    start = timezone.now() - dt.timedelta(days=3)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_ORDER)
    writer.writeheader()
    for number in range(rows):
        event = support.event(
            world,
            event_id=str(uuid.UUID(int=number + 1)),
            case_id=f"UP-{number}",
            occurred_at=(start + dt.timedelta(minutes=number)).isoformat(),
        )
        event.update(bad.get(number, {}))
        writer.writerow(event)
    return out.getvalue().encode()


def run_import(path, *options) -> list[str]:
    out = io.StringIO()
    call_command("cases", "import", str(path), *options, stdout=out)
    return out.getvalue().strip().splitlines()


def test_thousand_rows_with_seven_bad_are_accepted_once_and_reported_by_row(tmp_path):
    world = support.world()
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file(world))
    lines = run_import(path, "--centre", world.centre.code)
    assert lines[-1] == "accepted 993, duplicates 0, rejected 7"
    rejected = lines[:-1]
    assert [line.split(":")[0] for line in rejected] == [
        f"рядок {index + 2}" for index in sorted(BAD_ROWS)
    ]
    assert "NO-SUCH" in rejected[0] and "applicant_ref" in rejected[4]
    again = run_import(path, "--centre", world.centre.code)
    assert again[-1] == "accepted 0, duplicates 993, rejected 7"
    system = ConnectedSystem.objects.get(basis="upload", scope_centres=world.centre)
    assert Case.objects.filter(system=system).count() == 993
    assert Journal.objects.filter(system=system, source="upload").count() == 2
    upload = CaseUpload.objects.filter(system=system).first()
    assert upload.rows == 1000 and upload.rejected == 7
    # A file with a personal-data-shaped value is not kept; the journal has it cut out.
    assert not upload.file
    assert b"1234567890" not in bytes(Journal.objects.filter(system=system).first().body)


def test_the_same_event_ids_from_another_centre_are_not_duplicates():
    world = support.world()
    content = csv_file(world, rows=5, bad={})
    first = case_upload_accept(filename="a.csv", content=content, centre=world.centre)
    assert first.summary == "accepted 5, duplicates 0, rejected 0"
    assert first.upload.file  # a clean file is kept with its upload
    other = support.World(world.other_centre, world.centre, world.service, world.provider)
    second = case_upload_accept(
        filename="b.csv", content=csv_file(other, rows=5, bad={}), centre=world.other_centre
    )
    assert second.summary == "accepted 5, duplicates 0, rejected 0"


def test_a_row_for_another_centre_is_out_of_scope():
    world = support.world()
    other = support.World(world.other_centre, world.centre, world.service, world.provider)
    outcome = case_upload_accept(
        filename="x.csv", content=csv_file(other, rows=2, bad={}), centre=world.centre
    )
    assert outcome.accepted == 0
    assert {e["type"] for r in outcome.rejected for e in r["errors"]} == {
        "/problems/event-out-of-scope"
    }


def test_xlsx_with_the_template_columns_is_read_like_csv():
    world = support.world()
    rows = list(csv.reader(io.StringIO(csv_file(world, rows=3, bad={}).decode())))
    outcome = case_upload_accept(
        filename="cases.xlsx", content=xlsx_bytes({"events": rows}), centre=world.centre
    )
    assert outcome.summary == "accepted 3, duplicates 0, rejected 0"


def test_an_unknown_column_is_refused_per_row_as_in_the_api():
    world = support.world()
    content = csv_file(world, rows=1, bad={0: {}}).decode().splitlines()
    content[0] += ",passport"
    content[1] += ",АА123456"
    outcome = case_upload_accept(
        filename="x.csv", content="\n".join(content).encode(), centre=world.centre
    )
    assert outcome.rejected[0]["row"] == 2
    assert outcome.rejected[0]["errors"][0]["type"] == "/problems/event-unknown-field"


def test_the_template_names_exactly_the_api_fields():
    assert template_rows()[0] == list(FIELD_ORDER)
