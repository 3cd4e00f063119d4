"""The «Трембіта» REST door: trusted only from security servers, the same intake as the signed
API, X-Road-Id recorded and echoed, resends counted once."""

import re
import shutil
import subprocess
import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from yakist.cases.models import Case
from yakist.cases.services import cases_project_pending
from yakist.ingest.models import Event, Journal
from yakist.ingest.tests import support
from yakist.registry.services import system_xroad_client_add

pytestmark = pytest.mark.django_db

REST_URL = "/trembita/rest/events"
CLIENT = "UA/GOV/87654321/CNAP"
SECURITY_SERVER = "10.20.0.5"
trusted = override_settings(TREMBITA_SECURITY_SERVERS=["10.20.0.0/24"])


@pytest.fixture
def system():
    test_system = support.new_system()
    system_xroad_client_add(system=test_system.system, identifier=CLIENT)
    return test_system


def via_trembita(client, body: bytes, *, peer=SECURITY_SERVER, xroad_id=None, **headers):
    headers.setdefault("X-Road-Client", CLIENT)
    if xroad_id is not False:
        headers["X-Road-Id"] = xroad_id or str(uuid.uuid4())
    return client.post(
        REST_URL, data=body, content_type="application/json", headers=headers, REMOTE_ADDR=peer
    )


@trusted
def test_events_from_a_security_server_are_accepted_and_journalled_with_their_xroad_id(
    client, system
):
    w = support.world()
    response = via_trembita(client, support.body_of([support.event(w)]), xroad_id="req-0001-aaaa")
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert response["X-Road-Request-Id"] == "req-0001-aaaa"
    entry = Journal.objects.get(pk=response["Yakist-Journal-Id"])
    assert entry.source == Journal.Source.TREMBITA
    assert entry.system_id == system.system.pk
    assert entry.xroad_id == "req-0001-aaaa"
    assert entry.headers["X-Road-Client"] == CLIENT
    assert entry.key_id == "" and entry.nonce == ""


@trusted
def test_a_request_from_an_address_that_is_not_a_security_server_is_refused(client, system):
    w = support.world()
    response = via_trembita(client, support.body_of([support.event(w)]), peer="10.99.0.7")
    support.refused(response, 403, "xroad-peer-untrusted")
    assert not Journal.objects.filter(system=system.system).exists()


def test_without_configured_security_servers_nobody_is_trusted(client, system):
    with override_settings(TREMBITA_SECURITY_SERVERS=[]):
        response = via_trembita(client, b'{"events": []}', peer="127.0.0.1")
    support.refused(response, 403, "xroad-peer-untrusted")


@trusted
@pytest.mark.parametrize("value", [None, "", "UA/GOV", "UA/GOV/1234/VULYK/EXTRA", "UA/GOV/12 34/V"])
def test_a_missing_or_malformed_x_road_client_is_refused(client, system, value):
    headers = {} if value is None else {"X-Road-Client": value}
    response = client.post(
        REST_URL,
        data=b'{"events": []}',
        content_type="application/json",
        headers={"X-Road-Id": "x-1", **headers},
        REMOTE_ADDR=SECURITY_SERVER,
    )
    support.refused(response, 400, "xroad-client-invalid")


@trusted
def test_a_client_with_no_registered_system_is_refused(client, system):
    w = support.world()
    response = via_trembita(
        client, support.body_of([support.event(w)]), **{"X-Road-Client": "UA/GOV/87654321/OTHER"}
    )
    problem = support.refused(response, 403, "xroad-client-unknown")
    assert "UA/GOV/87654321/OTHER" in problem["detail"]


@trusted
@override_settings(
    TREMBITA_CLIENT_CERT_HEADER="X-SSL-Client-SHA256",
    TREMBITA_CLIENT_CERT_FINGERPRINTS=["AB:CD:EF"],
)
def test_a_forwarded_certificate_fingerprint_must_be_one_configured(client, system):
    w = support.world()
    body = support.body_of([support.event(w)])
    wrong = via_trembita(client, body, **{"X-SSL-Client-SHA256": "00:11"})
    support.refused(wrong, 403, "xroad-peer-untrusted")
    right = via_trembita(client, body, **{"X-SSL-Client-SHA256": "abcdef"})
    assert right.status_code == 202, right.content


@trusted
def test_an_x_road_id_resent_with_the_same_body_counts_duplicates_not_twice(client, system):
    w = support.world()
    body = support.body_of([support.event(w), support.event(w, case_id="C-2")])
    first = via_trembita(client, body, xroad_id="resend-1")
    again = via_trembita(client, body, xroad_id="resend-1")
    assert first.json()["accepted"] == 2
    assert again.status_code == 202
    assert again.json() == {"accepted": 0, "duplicates": 2, "rejected": []}
    assert Event.objects.filter(system=system.system).count() == 2


@trusted
def test_an_x_road_id_resent_with_a_different_body_is_a_conflict(client, system):
    w = support.world()
    via_trembita(client, support.body_of([support.event(w)]), xroad_id="same-id")
    response = via_trembita(client, support.body_of([support.event(w)]), xroad_id="same-id")
    support.refused(response, 409, "xroad-id-conflict")
    assert response["X-Road-Request-Id"] == "same-id"
    assert Event.objects.filter(system=system.system).count() == 1


@trusted
def test_the_same_answers_as_the_signed_api_for_bad_bodies(client, system):
    support.refused(
        client.post(
            REST_URL,
            data=b"<x/>",
            content_type="text/xml",
            headers={"X-Road-Client": CLIENT},
            REMOTE_ADDR=SECURITY_SERVER,
        ),
        415,
        "unsupported-media-type",
    )
    with override_settings(API_MAX_BODY_BYTES=100):
        support.refused(
            via_trembita(client, b'{"events": [' + b" " * 200 + b"]}"), 413, "payload-too-large"
        )
    w = support.world()
    rejected = via_trembita(client, support.body_of([support.event(w, service_code="99999")]))
    problem = support.refused(rejected, 422, "events-rejected")
    assert problem["rejected"][0]["errors"][0]["type"] == "/problems/event-unknown-service"


@trusted
@override_settings(INGEST_RATE_LIMIT_PER_MINUTE=2)
def test_the_rate_limit_of_the_system_holds_on_every_door(client, system):
    w = support.world()
    support.post_events(client, system, [support.event(w)])
    via_trembita(client, support.body_of([support.event(w)]))
    response = via_trembita(client, support.body_of([support.event(w)]))
    support.refused(response, 429, "rate-limited")
    assert int(response["Retry-After"]) >= 1


@trusted
def test_the_same_events_through_the_signed_api_and_rest_give_one_set_of_cases(client, system):
    w = support.world()
    events = [
        support.event(w, case_id="ONE-1"),
        support.event(w, case_id="ONE-1", type="registered"),
        support.event(w, case_id="ONE-2"),
    ]
    signed = support.post_events(client, system, events)
    assert signed.json()["accepted"] == 3
    rest = via_trembita(client, support.body_of(events))
    assert rest.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
    cases_project_pending()
    assert Event.objects.filter(system=system.system).count() == 3
    assert set(Case.objects.filter(system=system.system).values_list("case_id", flat=True)) == {
        "ONE-1",
        "ONE-2",
    }


@trusted
def test_a_system_suspended_is_refused_through_trembita_too(client, system):
    system.system.status = "suspended"
    system.system.save()
    w = support.world()
    support.refused(
        via_trembita(client, support.body_of([support.event(w)])), 403, "system-suspended"
    )


@trusted
def test_the_rest_door_is_a_machine_endpoint_without_csrf(system):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    w = support.world()
    response = via_trembita(strict, support.body_of([support.event(w)]))
    assert response.status_code == 202, response.content


def test_the_reference_client_addresses_the_security_server_by_the_x_road_rest_protocol():
    from yakist.ingest.client import TrembitaSender

    through = TrembitaSender(
        security_server="https://ss.example/", client=CLIENT, service="UA/GOV/1/YAKIST/events"
    )
    assert through.url == "https://ss.example/r1/UA/GOV/1/YAKIST/events/events"
    direct = TrembitaSender(security_server="http://127.0.0.1:8000", client=CLIENT)
    assert direct.url == "http://127.0.0.1:8000/trembita/rest/events"
    request = direct.prepared_request(b"{}", "batch-1")
    assert request.headers["X-Road-Client"] == CLIENT
    assert request.headers["X-Road-Id"] == "batch-1"
    assert "Signature" not in request.headers


@override_settings(TREMBITA_SECURITY_SERVERS=["127.0.0.1/32"])
def test_events_send_via_trembita_delivers_a_file_through_the_rest_door(
    live_url, system, command, tmp_path
):
    import json

    w = support.world()
    events = [support.event(w, case_id=f"T-{i}") for i in range(3)]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events), encoding="utf-8")
    out = command(
        "events", "send", str(path), "--via", "trembita",
        "--security-server", live_url, "--client", CLIENT,
    )  # fmt: skip
    assert "прийнято 3" in out
    entry = Journal.objects.get(system=system.system)
    assert entry.source == Journal.Source.TREMBITA and entry.xroad_id


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
@override_settings(TREMBITA_SECURITY_SERVERS=["127.0.0.1/32"])
def test_the_demo_curl_example_of_the_guide_works_and_a_resend_is_a_duplicate(live_url, tmp_path):
    import json

    from yakist.demo.registry import DEMO_XROAD_CLIENTS
    from yakist.ingest import lookups
    from yakist.registry.models import XRoadClient

    guide = (settings.BASE_DIR / "docs" / "integration.md").read_text(encoding="utf-8")
    (snippet,) = [
        b for b in re.findall(r"```sh\n(.*?)```", guide, re.S) if "/trembita/rest/events" in b
    ]
    (identifier,) = DEMO_XROAD_CLIENTS.values()
    assert identifier in snippet
    vulyk = XRoadClient.objects.get(identifier=identifier).system
    vulyk.scope_all = True  # the event below may be anywhere in the test world
    vulyk.save()
    lookups.lookups_clear()
    (tmp_path / "batch.json").write_bytes(support.body_of([support.event(support.world())]))
    script = snippet.replace("http://127.0.0.1:8000", live_url)

    def run() -> dict:
        done = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        return json.loads(done.stdout)

    assert run() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert run() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert Journal.objects.filter(system=vulyk, xroad_id="demo-batch-0001").count() == 2
