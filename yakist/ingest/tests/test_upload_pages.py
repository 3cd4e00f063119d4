"""The staff page of uploads and notices, the template, and uploaded figures in indicators and
coverage with source "upload"."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yakist.accounts.enums import Role
from yakist.accounts.services import staff_user_create
from yakist.cases.services import cases_project_pending
from yakist.core.periods import Period
from yakist.demo.registry_subjects import not_connected_centre
from yakist.indicators.models import IndicatorResult
from yakist.indicators.services import indicators_compute
from yakist.ingest.models import CaseUpload
from yakist.ingest.tests import support
from yakist.ingest.tests.test_upload import csv_file
from yakist.ingest.upload import case_upload_accept
from yakist.registry.models.reference import Centre, MonitoringNotice

pytestmark = pytest.mark.django_db


def unconnected() -> Centre:
    return not_connected_centre()


def admin_of(client, centre: Centre):
    user = staff_user_create(
        username="uploader-test",
        password="x-Test-Password-1",
        role=Role.CENTRE_ADMIN,
        centre=centre,
    )
    client.force_login(user)
    return user


def test_a_centre_administrator_uploads_a_file_and_sees_each_bad_row(client):
    world = support.world()
    centre = unconnected()
    admin_of(client, centre)
    here = support.World(centre, world.other_centre, world.service, world.provider)
    content = csv_file(here, rows=4, bad={2: {"service_code": "NO-SUCH"}})
    response = client.post(
        "/ingest/upload/", {"file": SimpleUploadedFile("cases.csv", content, "text/csv")}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Прийнято 3, повторів 0, відхилено 1." in page
    assert "рядок 4:" in page and "NO-SUCH" in page
    assert CaseUpload.objects.get(uploaded_by__username="uploader-test").accepted == 3


def test_a_notice_of_monitoring_is_recorded_for_the_officials_centre(client):
    centre = unconnected()
    admin_of(client, centre)
    response = client.post(
        "/ingest/upload/",
        {
            "action": "notice",
            "notified_on": "2025-09-24",
            "tools": "Журнал справ у таблиці",
            "contact": "cnap@example.org",
            "document": SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n", "application/pdf"),
        },
    )
    assert response.status_code == 200
    notice = MonitoringNotice.objects.get(centre=centre, tools="Журнал справ у таблиці")
    assert notice.notified_on == dt.date(2025, 9, 24) and notice.document


def test_officials_without_a_centre_or_provider_cannot_upload(client, login):
    login("coordinator")
    assert client.get("/ingest/upload/").status_code == 403
    client.logout()
    assert client.get("/ingest/upload/").status_code == 302  # to the login page


def test_the_template_downloads_as_csv_and_xlsx(client, login):
    login("centre")
    csv_response = client.get("/ingest/upload/template.csv")
    assert csv_response.status_code == 200
    assert csv_response.content.decode("utf-8-sig").startswith("event_id,case_id,type,")
    xlsx_response = client.get("/ingest/upload/template.xlsx")
    assert xlsx_response.content[:2] == b"PK"
    assert client.get("/ingest/upload/template.exe").status_code == 404


def test_uploaded_cases_count_in_indicators_with_source_upload():
    world = support.world()
    centre = unconnected()
    here = support.World(centre, world.other_centre, world.service, world.provider)
    content = csv_file(here, rows=40, bad={})
    case_upload_accept(filename="cases.csv", content=content, centre=centre)
    while cases_project_pending()[0]:
        pass
    MonitoringNotice.objects.create(
        centre=centre, notified_on=dt.date(2025, 9, 24), tools="таблиця", contact="cnap"
    )
    period = Period.quarter_of(timezone.now() - dt.timedelta(days=3))
    indicators_compute(period=period, centre_ids={centre.pk})
    rows = IndicatorResult.objects.filter(
        subject_type="centre", subject_key=centre.code, period=period.code, is_current=True
    )
    online = rows.get(indicator_code="online_share", breakdown="")
    # The demo world already uploads some cases of this centre; ours come on top.
    assert online.n >= 40 and online.extra["source"] == "upload"
    coverage = rows.get(indicator_code="coverage")
    assert coverage.extra["uploading"] == 1 and coverage.extra["connected"] == 0
    assert coverage.extra["notified_on"] == "2025-09-24"
