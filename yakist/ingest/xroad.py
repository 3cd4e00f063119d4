"""The «Трембіта» (X-Road) doors of the intake: who may call them, and SOAP envelopes in and out.

A member's security server signs, timestamps and logs every message with the member's
qualified seal and checks access rights (docs/integration.md, «Через Трембіту»). Yakist trusts
the caller named in `X-Road-Client` (REST) or `xrd:client` (SOAP, message protocol 4.0) only
when the TCP peer is one of the configured security servers; after that the batch goes to the
same intake as the signed API (`services.events_intake`).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from yakist.core.problems import Problem
from yakist.ingest.models import Journal
from yakist.ingest.schema import EVENT
from yakist.ingest.services import BatchOutcome, Caller
from yakist.registry import selectors as registry
from yakist.registry.xroad import xroad_client_parse

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XRD = "http://x-road.eu/xsd/xroad.xsd"
IDENTIFIERS = "http://x-road.eu/xsd/identifiers"
TNS = "urn:yakist:trembita:events:1"
PROTOCOL_VERSION = "4.0"
SERVICE_CODE = "submitEvents"
XROAD_ID = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, as security servers make them
HEADER_PARTS = ("client", "service", "id", "userId", "issue", "protocolVersion")
CLIENT_PARTS = ("xRoadInstance", "memberClass", "memberCode", "subsystemCode")


class XRoadPeerUntrusted(Problem):
    slug = "xroad-peer-untrusted"
    status = 403
    title = gettext_lazy("Запит не від сервера безпеки «Трембіти»")
    description = gettext_lazy(
        "Точки «Трембіти» приймають запити лише від налаштованих серверів безпеки "
        "(YAKIST_TREMBITA_SECURITY_SERVERS). Надсилайте події через свій сервер безпеки."
    )


class XRoadClientUnknown(Problem):
    slug = "xroad-client-unknown"
    status = 403
    title = gettext_lazy("Клієнта «Трембіти» не зареєстровано")
    description = gettext_lazy(
        "Ідентифікатор клієнта X-Road не належить жодній підключеній системі "
        "(`yakist systems add NAME --xroad-client INSTANCE/CLASS/MEMBER/SUBSYSTEM`)."
    )


class XRoadIdInvalid(Problem):
    slug = "xroad-id-invalid"
    status = 400
    title = gettext_lazy("Некоректний ідентифікатор повідомлення X-Road")
    description = gettext_lazy(
        "X-Road-Id (xrd:id) має бути рядком до 255 друкованих символів ASCII, напр. UUID."
    )


class SoapEnvelopeInvalid(Problem):
    slug = "soap-envelope-invalid"
    status = 400
    title = gettext_lazy("Некоректний конверт SOAP")
    description = gettext_lazy(
        "Тіло має бути конвертом SOAP 1.1 (XML у UTF-8, без DTD та сутностей) з операцією "
        "submitEvents (опис — /trembita/soap?wsdl)."
    )


class SoapHeaderMissing(Problem):
    slug = "soap-header-missing"
    status = 400
    title = gettext_lazy("Немає заголовків X-Road")
    description = gettext_lazy(
        "Конверт має містити в SOAP Header xrd:client, xrd:service, xrd:id і "
        "xrd:protocolVersion (протокол повідомлень X-Road 4.0)."
    )


class XRoadProtocolVersion(Problem):
    slug = "xroad-protocol-version"
    status = 400
    title = gettext_lazy("Непідтримувана версія протоколу X-Road")
    description = gettext_lazy("xrd:protocolVersion має бути 4.0.")


class XRoadServiceUnknown(Problem):
    slug = "xroad-service-unknown"
    status = 400
    title = gettext_lazy("Невідома служба X-Road")
    description = gettext_lazy("xrd:service має називати службу submitEvents (serviceCode).")


# --- Who may call -------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _networks(addresses: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


def peer_check(*, remote_addr: str, headers) -> None:
    """The TCP peer must be a configured security server (and, when the proxy forwards it,
    present an accepted client-certificate fingerprint); otherwise no header is believed."""
    try:
        peer = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        peer = None
    networks = _networks(tuple(settings.TREMBITA_SECURITY_SERVERS))
    if peer is None or not any(peer in network for network in networks):
        raise XRoadPeerUntrusted(
            _("Адреса %(peer)s не є налаштованим сервером безпеки «Трембіти».")
            % {"peer": remote_addr or "—"}
        )
    header = settings.TREMBITA_CLIENT_CERT_HEADER
    if header:
        accepted = {_fingerprint(f) for f in settings.TREMBITA_CLIENT_CERT_FINGERPRINTS}
        if _fingerprint(headers.get(header, "")) not in accepted:
            raise XRoadPeerUntrusted(
                _("Сертифікат клієнта TLS не належить налаштованому серверу безпеки.")
            )


def _fingerprint(value: str) -> str:
    return value.replace(":", "").strip().lower() or "-"


def xroad_id_check(value: str | None) -> str:
    if value is None or value == "":
        return ""
    if not XROAD_ID.fullmatch(value):
        raise XRoadIdInvalid(
            _("X-Road-Id «%(id)s» має бути до 255 друкованих символів ASCII.") % {"id": value[:80]}
        )
    return value


def caller_for(*, client: str, xroad_id: str, headers: dict[str, str]) -> Caller:
    """The registered system of an X-Road client, as an intake caller."""
    registered = registry.xroad_client_get(client)
    if registered is None:
        raise XRoadClientUnknown(
            _("Клієнта X-Road «%(client)s» не зареєстровано для жодної системи.")
            % {"client": client}
        )
    return Caller(
        system=registered.system,
        source=Journal.Source.TREMBITA,
        headers=headers,
        xroad_id=xroad_id,
    )


def rest_caller(*, remote_addr: str, headers, path: str) -> Caller:
    """REST door (X-Road message protocol for REST): X-Road-Client and X-Road-Id headers."""
    peer_check(remote_addr=remote_addr, headers=headers)
    client = xroad_client_parse(headers.get("X-Road-Client"))
    xroad_id = xroad_id_check(headers.get("X-Road-Id"))
    kept = {"@method": "POST", "@path": path, "X-Road-Client": client}
    for name in ("X-Road-Id", "Content-Type", "Content-Length", "User-Agent"):
        if headers.get(name):
            kept[name] = headers[name]
    return caller_for(client=client, xroad_id=xroad_id, headers=kept)


# --- SOAP (X-Road message protocol 4.0) ---------------------------------------------------

# No DTD, no entities, no network, default depth and size limits (huge_tree off): external
# entities and entity expansion bombs cannot reach the intake.
PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
)


@dataclass
class SoapRequest:
    header: list = field(default_factory=list)  # the xrd:* elements, echoed in the answer
    client: str = ""
    service: str = ""
    xroad_id: str = ""
    body: bytes = b""


class SoapProblem(Exception):
    """A problem raised while reading an envelope, with the header read so far (to echo)."""

    def __init__(self, problem: Problem, header: list) -> None:
        super().__init__(str(problem))
        self.problem, self.header = problem, header


def _event_fields() -> dict[str, str]:
    """Event field -> XML Schema type, from the intake's own schema (one source of truth)."""
    properties = EVENT.json_schema()["properties"]
    return {
        name: "xs:int" if spec.get("type") == "integer" else "xs:string"
        for name, spec in properties.items()
    }


def soap_parse(body: bytes) -> SoapRequest:
    """Read an envelope into the X-Road header and a JSON batch for the intake."""
    request = SoapRequest()
    try:
        root = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as error:
        raise SoapProblem(
            SoapEnvelopeInvalid(_("XML не розібрано: %(error)s") % {"error": error}), []
        ) from error
    if root.getroottree().docinfo.doctype:
        raise SoapProblem(
            SoapEnvelopeInvalid(_("Конверт SOAP не може містити DTD (оголошення DOCTYPE).")), []
        )
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapProblem(SoapEnvelopeInvalid(_("Кореневий елемент має бути soap:Envelope.")), [])
    header = root.find(f"{{{SOAP_ENV}}}Header")
    elements = {}
    if header is not None:
        for child in header:
            if isinstance(child.tag, str) and child.tag.startswith(f"{{{XRD}}}"):
                local = etree.QName(child).localname
                if local in HEADER_PARTS:
                    elements[local] = child
    request.header = [elements[name] for name in HEADER_PARTS if name in elements]
    missing = [
        name for name in ("client", "service", "id", "protocolVersion") if name not in elements
    ]
    if missing:
        raise SoapProblem(
            SoapHeaderMissing(
                _("У SOAP Header бракує: %(names)s.")
                % {"names": ", ".join(f"xrd:{name}" for name in missing)}
            ),
            request.header,
        )
    version = (elements["protocolVersion"].text or "").strip()
    if version != PROTOCOL_VERSION:
        raise SoapProblem(
            XRoadProtocolVersion(
                _("xrd:protocolVersion «%(version)s»; підтримується лише 4.0.")
                % {"version": version[:20]}
            ),
            request.header,
        )
    try:
        request.client = xroad_client_parse(_identifier(elements["client"], CLIENT_PARTS))
        request.xroad_id = xroad_id_check((elements["id"].text or "").strip()) or ""
    except Problem as problem:
        raise SoapProblem(problem, request.header) from problem
    if not request.xroad_id:
        raise SoapProblem(XRoadIdInvalid(_("xrd:id порожній.")), request.header)
    service_code = elements["service"].findtext(f"{{{IDENTIFIERS}}}serviceCode") or ""
    if service_code.strip() != SERVICE_CODE:
        raise SoapProblem(
            XRoadServiceUnknown(
                _("Служба «%(code)s» невідома; ця адреса надає лише submitEvents.")
                % {"code": service_code.strip()[:60]}
            ),
            request.header,
        )
    request.service = _identifier(
        elements["service"], (*CLIENT_PARTS, "serviceCode", "serviceVersion")
    )
    request.body = _events_json(root, request.header)
    return request


def _identifier(element, parts: tuple[str, ...]) -> str:
    values = [element.findtext(f"{{{IDENTIFIERS}}}{part}") for part in parts]
    return "/".join((value or "").strip() for value in values if value is not None)


def _events_json(root, header: list) -> bytes:
    """The body's events as the JSON batch every door gives the intake. Only the XML-to-JSON
    mapping happens here; what an event must contain is checked by the intake itself."""
    operation = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}{SERVICE_CODE}")
    if operation is None:
        raise SoapProblem(
            SoapEnvelopeInvalid(
                _("SOAP Body має містити елемент submitEvents (простір імен %(ns)s).") % {"ns": TNS}
            ),
            header,
        )
    integers = {name for name, kind in _event_fields().items() if kind == "xs:int"}
    events: list[dict[str, Any]] = []
    for item in operation:
        if not isinstance(item.tag, str):
            continue
        if etree.QName(item).localname != "event":
            raise SoapProblem(
                SoapEnvelopeInvalid(_("submitEvents містить лише елементи event.")), header
            )
        event: dict[str, Any] = {}
        for value in item:
            if not isinstance(value.tag, str):
                continue
            name = etree.QName(value).localname
            if len(value):
                raise SoapProblem(
                    SoapEnvelopeInvalid(
                        _("Поле події «%(name)s» має бути простим значенням.") % {"name": name}
                    ),
                    header,
                )
            text = value.text or ""
            if value.get("{http://www.w3.org/2001/XMLSchema-instance}nil") in ("true", "1"):
                event[name] = None
            elif name in integers and re.fullmatch(r"[+-]?\d{1,6}", text.strip()):
                event[name] = int(text)
            else:
                event[name] = text
        events.append(event)
    return json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()


def soap_request_headers(request: SoapRequest, path: str) -> dict[str, str]:
    """What the journal keeps of a SOAP request (xrd:userId is not kept: it may name a person)."""
    return {
        "@method": "POST",
        "@path": path,
        "X-Road-Client": request.client,
        "X-Road-Service": request.service,
        "X-Road-Id": request.xroad_id,
        "X-Road-Protocol-Version": PROTOCOL_VERSION,
    }


def _envelope(header: list) -> tuple:
    nsmap = {"SOAP-ENV": SOAP_ENV, "xrd": XRD, "id": IDENTIFIERS, "yk": TNS}
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    soap_header = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    for element in header:
        soap_header.append(_copy(element))
    return envelope, etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")


def _copy(element):
    copied = etree.Element(element.tag, attrib=dict(element.attrib))
    copied.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            copied.append(_copy(child))
    return copied


def _text(parent, name: str, value: Any):
    child = etree.SubElement(parent, f"{{{TNS}}}{name}")
    child.text = "" if value is None else str(value)
    return child


def soap_response(request: SoapRequest, outcome: BatchOutcome) -> bytes:
    envelope, body = _envelope(request.header)
    answer = etree.SubElement(body, f"{{{TNS}}}submitEventsResponse")
    _text(answer, "accepted", outcome.accepted)
    _text(answer, "duplicates", outcome.duplicates)
    _text(answer, "journalId", outcome.journal_id)
    for item in outcome.rejected:
        rejected = etree.SubElement(answer, f"{{{TNS}}}rejected")
        _text(rejected, "index", item["index"])
        if item.get("event_id"):
            _text(rejected, "eventId", item["event_id"])
        for error in item["errors"]:
            entry = etree.SubElement(rejected, f"{{{TNS}}}error")
            for name in ("type", "title", "field", "detail"):
                _text(entry, name, error.get(name, ""))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def soap_fault(problem: Problem, header: list) -> bytes:
    """A SOAP 1.1 Fault: a stable code (Client.<slug> or Server.<slug>, the slug of the
    problem's page under /problems/) and the Ukrainian message as faultstring."""
    envelope, body = _envelope(header)
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    side = "Server" if problem.status >= 500 else "Client"
    etree.SubElement(fault, "faultcode").text = f"SOAP-ENV:{side}.{problem.slug}"
    etree.SubElement(fault, "faultstring").text = str(problem.detail or problem.title)
    detail = etree.SubElement(etree.SubElement(fault, "detail"), f"{{{TNS}}}problem")
    _text(detail, "type", problem.type_uri())
    _text(detail, "title", problem.title)
    _text(detail, "status", problem.status)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def wsdl(location: str) -> bytes:
    """The service description a security server is given (X-Road message protocol 4.0,
    document/literal, the X-Road header in every message). The identifier and header schemas
    are inlined from the X-Road's own identifiers.xsd and xroad.xsd, so nothing is fetched."""
    required = set(EVENT.json_schema()["required"])
    lines = []
    for name, kind in _event_fields().items():
        least = 1 if name in required else 0
        nillable = ' nillable="true"' if name == "centre_code" else ""
        lines.append(f'<xs:element name="{name}" type="{kind}" minOccurs="{least}"{nillable}/>')
    fields = "\n".join(lines)
    return WSDL_TEMPLATE.format(
        tns=TNS, xrd=XRD, ids=IDENTIFIERS, fields=fields, location=location
    ).encode()


WSDL_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="yakist-events" targetNamespace="{tns}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:xrd="{xrd}" xmlns:id="{ids}" xmlns:tns="{tns}">
  <wsdl:types>
    <xs:schema elementFormDefault="qualified" targetNamespace="{ids}">
      <xs:complexType name="XRoadIdentifierType">
        <xs:sequence>
          <xs:element minOccurs="0" name="xRoadInstance" type="xs:string"/>
          <xs:element minOccurs="0" name="memberClass" type="xs:string"/>
          <xs:element minOccurs="0" name="memberCode" type="xs:string"/>
          <xs:element minOccurs="0" name="subsystemCode" type="xs:string"/>
          <xs:element minOccurs="0" name="groupCode" type="xs:string"/>
          <xs:element minOccurs="0" name="serviceCode" type="xs:string"/>
          <xs:element minOccurs="0" name="serviceVersion" type="xs:string"/>
          <xs:element minOccurs="0" name="serverCode" type="xs:string"/>
        </xs:sequence>
        <xs:attribute ref="id:objectType" use="required"/>
      </xs:complexType>
      <xs:simpleType name="XRoadObjectType">
        <xs:restriction base="xs:string">
          <xs:enumeration value="MEMBER"/>
          <xs:enumeration value="SUBSYSTEM"/>
          <xs:enumeration value="SERVER"/>
          <xs:enumeration value="GLOBALGROUP"/>
          <xs:enumeration value="LOCALGROUP"/>
          <xs:enumeration value="SERVICE"/>
        </xs:restriction>
      </xs:simpleType>
      <xs:attribute name="objectType" type="id:XRoadObjectType"/>
    </xs:schema>
    <xs:schema elementFormDefault="qualified" targetNamespace="{xrd}">
      <xs:import namespace="{ids}"/>
      <xs:element name="client" type="id:XRoadIdentifierType"/>
      <xs:element name="service" type="id:XRoadIdentifierType"/>
      <xs:element name="id" type="xs:string"/>
      <xs:element name="userId" type="xs:string"/>
      <xs:element name="issue" type="xs:string"/>
      <xs:element name="protocolVersion" type="xs:string"/>
      <xs:element name="title" type="xs:string"/>
      <xs:element name="notes" type="xs:string"/>
    </xs:schema>
    <xs:schema elementFormDefault="qualified" targetNamespace="{tns}">
      <xs:complexType name="event">
        <xs:sequence>
{fields}
        </xs:sequence>
      </xs:complexType>
      <xs:element name="submitEvents">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="event" type="tns:event" minOccurs="1" maxOccurs="1000"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:complexType name="error">
        <xs:sequence>
          <xs:element name="type" type="xs:string"/>
          <xs:element name="title" type="xs:string"/>
          <xs:element name="field" type="xs:string"/>
          <xs:element name="detail" type="xs:string"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="rejected">
        <xs:sequence>
          <xs:element name="index" type="xs:int"/>
          <xs:element name="eventId" type="xs:string" minOccurs="0"/>
          <xs:element name="error" type="tns:error" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
      <xs:element name="submitEventsResponse">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="accepted" type="xs:int"/>
            <xs:element name="duplicates" type="xs:int"/>
            <xs:element name="journalId" type="xs:long"/>
            <xs:element name="rejected" type="tns:rejected" minOccurs="0" maxOccurs="unbounded"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="requestHeader">
    <wsdl:part name="client" element="xrd:client"/>
    <wsdl:part name="service" element="xrd:service"/>
    <wsdl:part name="id" element="xrd:id"/>
    <wsdl:part name="userId" element="xrd:userId"/>
    <wsdl:part name="issue" element="xrd:issue"/>
    <wsdl:part name="protocolVersion" element="xrd:protocolVersion"/>
  </wsdl:message>
  <wsdl:message name="submitEvents">
    <wsdl:part name="body" element="tns:submitEvents"/>
  </wsdl:message>
  <wsdl:message name="submitEventsResponse">
    <wsdl:part name="body" element="tns:submitEventsResponse"/>
  </wsdl:message>
  <wsdl:portType name="eventsPort">
    <wsdl:operation name="submitEvents">
      <wsdl:documentation>
        <xrd:title>Пакет подій справ (до 1000) / A batch of case events (up to 1000)</xrd:title>
        <xrd:notes>Ті самі поля й правила, що й POST /api/v1/events.</xrd:notes>
      </wsdl:documentation>
      <wsdl:input message="tns:submitEvents"/>
      <wsdl:output message="tns:submitEventsResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="eventsBinding" type="tns:eventsPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="submitEvents">
      <soap:operation soapAction="" style="document"/>
      <xrd:version>v1</xrd:version>
      <wsdl:input>
        <soap:body parts="body" use="literal"/>
        <soap:header message="tns:requestHeader" part="client" use="literal"/>
        <soap:header message="tns:requestHeader" part="service" use="literal"/>
        <soap:header message="tns:requestHeader" part="id" use="literal"/>
        <soap:header message="tns:requestHeader" part="userId" use="literal"/>
        <soap:header message="tns:requestHeader" part="issue" use="literal"/>
        <soap:header message="tns:requestHeader" part="protocolVersion" use="literal"/>
      </wsdl:input>
      <wsdl:output>
        <soap:body parts="body" use="literal"/>
        <soap:header message="tns:requestHeader" part="client" use="literal"/>
        <soap:header message="tns:requestHeader" part="service" use="literal"/>
        <soap:header message="tns:requestHeader" part="id" use="literal"/>
        <soap:header message="tns:requestHeader" part="userId" use="literal"/>
        <soap:header message="tns:requestHeader" part="issue" use="literal"/>
        <soap:header message="tns:requestHeader" part="protocolVersion" use="literal"/>
      </wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="yakistEvents">
    <wsdl:port name="eventsPort" binding="tns:eventsBinding">
      <soap:address location="{location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""
