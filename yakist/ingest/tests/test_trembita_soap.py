"""The «Трембіта» SOAP door (X-Road message protocol 4.0): a real SOAP client built from our
WSDL, the X-Road header echoed, and every bad envelope answered with a SOAP Fault."""

import time
import uuid

import pytest
import zeep
from django.test import override_settings
from lxml import etree

from yakist.ingest.models import Event, Journal
from yakist.ingest.tests import support
from yakist.ingest.xroad import SOAP_ENV, TNS, XRD
from yakist.registry.services import system_xroad_client_add

pytestmark = pytest.mark.django_db

SOAP_URL = "/trembita/soap"
CLIENT = ("UA", "GOV", "87654321", "CNAP")
trusted = override_settings(TREMBITA_SECURITY_SERVERS=["127.0.0.1/32"])


@pytest.fixture
def system():
    test_system = support.new_system()
    system_xroad_client_add(system=test_system.system, identifier="/".join(CLIENT))
    return test_system


def header_xml(*, version="4.0", client=CLIENT, message_id=None, service="submitEvents") -> str:
    instance, member_class, code, subsystem = client
    return f"""<SOAP-ENV:Header>
    <xrd:client id:objectType="SUBSYSTEM">
      <id:xRoadInstance>{instance}</id:xRoadInstance><id:memberClass>{member_class}</id:memberClass>
      <id:memberCode>{code}</id:memberCode><id:subsystemCode>{subsystem}</id:subsystemCode>
    </xrd:client>
    <xrd:service id:objectType="SERVICE">
      <id:xRoadInstance>UA</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>43220275</id:memberCode><id:subsystemCode>YAKIST</id:subsystemCode>
      <id:serviceCode>{service}</id:serviceCode><id:serviceVersion>v1</id:serviceVersion>
    </xrd:service>
    <xrd:id>{message_id or uuid.uuid4()}</xrd:id>
    <xrd:userId>UA-operator-7</xrd:userId>
    <xrd:protocolVersion>{version}</xrd:protocolVersion>
  </SOAP-ENV:Header>"""


def envelope(events: list[dict], *, header: str | None = None, prolog: str = "") -> bytes:
    items = "".join(
        "<yk:event>" + "".join(f"<yk:{k}>{v}</yk:{k}>" for k, v in e.items()) + "</yk:event>"
        for e in events
    )
    return (
        f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:xrd="{XRD}"
    xmlns:id="http://x-road.eu/xsd/identifiers" xmlns:yk="{TNS}">
  {header_xml() if header is None else header}
  <SOAP-ENV:Body><yk:submitEvents>{items}</yk:submitEvents></SOAP-ENV:Body>
</SOAP-ENV:Envelope>"""
    ).encode()


def post(client, body: bytes, *, peer="127.0.0.1"):
    return client.post(SOAP_URL, data=body, content_type="text/xml", REMOTE_ADDR=peer)


def fault(response, status: int, slug: str) -> etree._Element:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    found = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert found is not None, response.content
    assert found.findtext("faultcode") == f"SOAP-ENV:Client.{slug}"
    assert support.ukrainian(found.findtext("faultstring")), found.findtext("faultstring")
    return root


@trusted
def test_zeep_built_from_the_served_wsdl_submits_events_and_gets_the_header_echoed(
    live_url, system
):
    w = support.world()
    soap = zeep.Client(f"{live_url}{SOAP_URL}?wsdl")
    event = support.event(w, applicant_ref="vulyk-applicant-0001")
    message_id = str(uuid.uuid4())
    headers = {
        "client": {
            "objectType": "SUBSYSTEM",
            "xRoadInstance": "UA",
            "memberClass": "GOV",
            "memberCode": "87654321",
            "subsystemCode": "CNAP",
        },
        "service": {
            "objectType": "SERVICE",
            "xRoadInstance": "UA",
            "memberClass": "GOV",
            "memberCode": "43220275",
            "subsystemCode": "YAKIST",
            "serviceCode": "submitEvents",
            "serviceVersion": "v1",
        },
        "id": message_id,
        "userId": "UA-operator-7",
        "protocolVersion": "4.0",
    }
    result = soap.service.submitEvents(event=[event], _soapheaders=headers)
    assert result.body.accepted == 1
    assert result.body.duplicates == 0
    assert not result.body.rejected
    assert result.header.id == message_id
    assert result.header.protocolVersion == "4.0"
    assert result.header.client.memberCode == "87654321"
    assert result.header.service.serviceCode == "submitEvents"
    entry = Journal.objects.get(pk=result.body.journalId)
    assert entry.source == Journal.Source.TREMBITA and entry.xroad_id == message_id
    assert "UA-operator-7" not in str(entry.headers)  # xrd:userId may name a person
    assert Event.objects.filter(system=system.system).count() == 1

    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.service.submitEvents(event=[event], _soapheaders={**headers, "protocolVersion": "3.1"})
    assert raised.value.code.endswith("Client.xroad-protocol-version")


@trusted
def test_rejected_events_are_listed_in_the_answer(client, system):
    w = support.world()
    response = post(client, envelope([support.event(w), support.event(w, service_code="99999")]))
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    answer = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}submitEventsResponse")
    assert answer.findtext(f"{{{TNS}}}accepted") == "1"
    rejected = answer.find(f"{{{TNS}}}rejected")
    assert rejected.findtext(f"{{{TNS}}}index") == "1"
    assert rejected.findtext(f"{{{TNS}}}error/{{{TNS}}}type") == "/problems/event-unknown-service"


@trusted
def test_an_envelope_without_the_header_block_is_a_fault(client, system):
    w = support.world()
    fault(post(client, envelope([support.event(w)], header="")), 400, "soap-header-missing")


@trusted
def test_a_wrong_protocol_version_is_a_fault_with_the_header_echoed(client, system):
    w = support.world()
    root = fault(
        post(client, envelope([support.event(w)], header=header_xml(version="3.1"))),
        400,
        "xroad-protocol-version",
    )
    assert root.findtext(f"{{{SOAP_ENV}}}Header/{{{XRD}}}protocolVersion") == "3.1"


@trusted
def test_an_external_entity_is_never_resolved(client, system, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    body = envelope(
        [{"event_id": "&xxe;"}],
        prolog=f'<!DOCTYPE e [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    response = post(client, body)
    fault(response, 400, "soap-envelope-invalid")
    assert b"SECRET-CONTENT" not in response.content
    assert not Journal.objects.filter(system=system.system).exists()


@trusted
def test_a_billion_laughs_payload_is_refused_quickly(client, system):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    body = envelope([{"case_id": "&lol9;"}], prolog=f"<!DOCTYPE e [{entities}]>")
    started = time.monotonic()
    response = post(client, body)
    assert time.monotonic() - started < 2
    fault(response, 400, "soap-envelope-invalid")


@trusted
@override_settings(TREMBITA_SOAP_MAX_BYTES=2000)
def test_an_oversize_envelope_is_a_fault(client, system):
    w = support.world()
    response = post(client, envelope([support.event(w) for _ in range(10)]))
    fault(response, 413, "payload-too-large")


@trusted
def test_a_malformed_envelope_is_a_fault_not_a_server_error(client, system):
    fault(post(client, b"<SOAP-ENV:Envelope><unclosed>"), 400, "soap-envelope-invalid")
    fault(post(client, b"<notsoap/>"), 400, "soap-envelope-invalid")
    body = envelope([]).replace(b"<yk:submitEvents></yk:submitEvents>", b"<yk:other/>")
    fault(post(client, body), 400, "soap-envelope-invalid")


@trusted
def test_an_unknown_client_and_an_untrusted_peer_are_faults(client, system):
    w = support.world()
    unknown = envelope([support.event(w)], header=header_xml(client=("UA", "GOV", "1", "X")))
    fault(post(client, unknown), 403, "xroad-client-unknown")
    fault(post(client, envelope([support.event(w)]), peer="192.0.2.1"), 403, "xroad-peer-untrusted")


@trusted
def test_an_xrd_id_resent_with_the_same_body_is_duplicates_and_with_another_a_conflict(
    client, system
):
    w = support.world()
    events = [support.event(w)]
    header = header_xml(message_id="soap-resend-1")
    assert post(client, envelope(events, header=header)).status_code == 200
    again = etree.fromstring(post(client, envelope(events, header=header)).content)
    assert again.findtext(f".//{{{TNS}}}duplicates") == "1"
    fault(post(client, envelope([support.event(w)], header=header)), 409, "xroad-id-conflict")
    assert Event.objects.filter(system=system.system).count() == 1


def test_the_wsdl_is_served_without_a_security_server(client):
    response = client.get(SOAP_URL + "?wsdl", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"
    assert b'name="submitEvents"' in response.content
