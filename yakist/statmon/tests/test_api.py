"""The statmon API over real HTTP: the public form, and reports for systems with a token."""

import json
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from openapi_spec_validator import validate

from yakist.statmon import tokens
from yakist.statmon.models import ApiToken, Report, ReportStatus
from yakist.statmon.tests.factories import (
    LVIV,
    current_period,
    current_report,
    other_centre,
    own_centre,
    valid_values,
)

pytestmark = pytest.mark.django_db


def call(url, *, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@pytest.fixture
def centre_token():
    user = get_user_model().objects.get(username="centre")
    return user, tokens.token_create(user=user, name="тест")


def test_current_form_is_public_json_with_sections_indicators_and_rules(live_url):
    status, headers, form = call(f"{live_url}/api/v1/forms/current")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert form["version"] == 1 and form["effective_from"] == "2026-01-01"
    assert form["effective_to"] is None
    indicators = {i["code"]: i for s in form["sections"] for i in s["indicators"]}
    assert len(indicators) >= 140
    total = indicators["STF.TOTAL"]
    assert total["name"] == "Фактична чисельність працівників"
    assert total["name_en"] == "Staff in post"
    assert (total["type"], total["unit"], total["aggregation"]) == ("integer", "осіб", "sum")
    assert total["rules"]["required"] is True and total["rules"]["min"] == 0
    assert "staff-composition" in total["rules"]["checks"]
    assert indicators["FBK.SATISFIED"]["rules"]["max"] == 100
    assert indicators["OFF.NON_DISCRIMINATION"]["checklist"] is True
    checks = {c["id"]: c for c in form["checks"]}
    assert checks["staff-composition"]["rule"] == "parts_le_total"


def test_a_past_form_version_is_public_too_and_an_unknown_one_is_a_problem(live_url):
    assert call(f"{live_url}/api/v1/forms/1")[0] == 200
    status, headers, problem = call(f"{live_url}/api/v1/forms/99")
    assert status == 404 and headers["Content-Type"].startswith("application/problem+json")
    assert problem["type"] == "/problems/form-not-found"


def test_openapi_document_stays_valid_with_the_statmon_routes(live_url):
    _status, _headers, spec = call(f"{live_url}/api/v1/openapi.json")
    validate(spec)
    assert "/api/v1/statmon/reports/{period}/{centre_code}" in spec["paths"]


def test_a_system_reads_and_writes_a_report_with_a_token(live_url, centre_token):
    user, token = centre_token
    report = current_report(own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{report.campaign.period}/{report.centre.code}"
    status, _h, body = call(url, token=token)
    assert status == 200 and body["status"] == "not_started" and body["draft_version"] == 0
    assert body["prefill"]["HRS.SCHEDULE"]["source"] == "registry"
    values = valid_values(report)
    status, _h, body = call(
        url, method="PUT", token=token, body={"draft_version": 0, "values": values}
    )
    assert status == 200, body
    assert body["values"] == values and body["draft_version"] == 1 and body["status"] == "draft"
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_a_stale_put_is_a_conflict_with_both_values_and_changes_nothing(live_url, centre_token):
    user, token = centre_token
    report = current_report(own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{report.campaign.period}/{report.centre.code}"
    call(url, method="PUT", token=token, body={"draft_version": 0, "values": {"STF.TOTAL": 7}})
    status, headers, problem = call(
        url, method="PUT", token=token, body={"draft_version": 0, "values": {"STF.TOTAL": 9}}
    )
    assert status == 409 and headers["Content-Type"].startswith("application/problem+json")
    assert problem["type"] == "/problems/stale-draft"
    assert problem["draft_version"] == 1
    assert {"code": "STF.TOTAL", "yours": 9, "current": 7} in problem["conflicts"]
    report.refresh_from_db()
    assert report.values == {"STF.TOTAL": 7}


def test_invalid_values_are_refused_per_indicator_and_nothing_is_saved(live_url, centre_token):
    user, token = centre_token
    report = current_report(own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{report.campaign.period}/{report.centre.code}"
    status, _h, problem = call(
        url,
        method="PUT",
        token=token,
        body={
            "draft_version": 0,
            "values": {"STF.TOTAL": "десять", "FBK.SATISFIED": 120, "XYZ.CODE": 1},
        },
    )
    assert status == 422 and problem["type"] == "/problems/validation-failed"
    errors = {e["code"]: e["message"] for e in problem["errors"]}
    assert errors["STF.TOTAL"].startswith("Введіть ціле число")
    assert errors["FBK.SATISFIED"] == "Відсоток не може перевищувати 100."
    assert errors["XYZ.CODE"] == "показник не належить до форми цього центру"
    report.refresh_from_db()
    assert report.values == {} and report.draft_version == 0


def test_submit_through_the_api_runs_the_quality_checks(live_url, centre_token):
    user, token = centre_token
    report = current_report(own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{report.campaign.period}/{report.centre.code}"
    call(url, method="PUT", token=token, body={"draft_version": 0, "values": {"STF.TOTAL": 3}})
    status, _h, problem = call(f"{url}/submit", method="POST", token=token)
    assert status == 422 and problem["type"] == "/problems/report-invalid"
    assert any(
        f["code"] == "STF.POSITIONS" and f["rule"] == "required" for f in problem["findings"]
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_another_centres_report_is_not_found_and_no_token_is_401(live_url, centre_token):
    user, token = centre_token
    neighbour = other_centre(LVIV, exclude=own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{current_period().code}/{neighbour.code}"
    assert call(url, token=token)[0] == 404
    status, _h, put = call(url, method="PUT", token=token, body={"draft_version": 0, "values": {}})
    assert status == 404 and put["type"] == "/problems/report-not-found"
    status, _h, post = call(f"{url}/submit", method="POST", token=token)
    assert status == 404 and post["type"] == "/problems/report-not-found"
    status, _h, problem = call(url)
    assert status == 401 and problem["type"] == "/problems/not-authenticated"
    assert call(url, token="yks_not-a-real-token")[0] == 401


def test_a_revoked_token_no_longer_works(live_url, centre_token, command):
    user, token = centre_token
    report = current_report(own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{report.campaign.period}/{report.centre.code}"
    assert "Відкликано токенів: 1." in command("statmon", "revoke-token", token[:12])
    assert call(url, token=token)[0] == 401


def test_token_command_prints_a_working_token(live_url, command):
    output = command("statmon", "token", "integrator", "--name", "Вулик")
    token = output.strip().splitlines()[-1]
    integrator = get_user_model().objects.get(username="integrator")
    centre = (
        Report.objects.filter(
            campaign__period=current_period().code,
            centre__in=integrator.staff_profile.system.scope_centres.all(),
        )
        .order_by("centre__code")
        .first()
        .centre
    )
    url = f"{live_url}/api/v1/statmon/reports/{current_period().code}/{centre.code}"
    status, _h, body = call(url, token=token)
    assert status == 200 and body["centre_code"] == centre.code


def test_a_nul_character_in_a_comment_is_refused_and_nothing_is_saved(live_url, centre_token):
    user, token = centre_token
    report = current_report(own_centre(user))
    url = f"{live_url}/api/v1/statmon/reports/{report.campaign.period}/{report.centre.code}"
    status, _h, problem = call(
        url,
        method="PUT",
        token=token,
        body={"draft_version": 0, "values": {"STF.TOTAL": 7}, "comments": {"STF.TOTAL": "a\0b"}},
    )
    assert status == 422 and problem["type"] == "/problems/validation-failed", problem
    assert {"code": "STF.TOTAL", "message": "текст містить символ NUL (\\u0000)"} in problem[
        "errors"
    ]
    report.refresh_from_db()
    assert report.values == {} and report.draft_version == 0
    # The same text without the NUL is taken.
    status, _h, body = call(
        url,
        method="PUT",
        token=token,
        body={"draft_version": 0, "values": {"STF.TOTAL": 7}, "comments": {"STF.TOTAL": "ab"}},
    )
    assert status == 200, body
