"""Personal data at the intake: what an event must not carry, and how the journal keeps it.

Applicant references are the sending system's opaque ids, stored only as keyed pseudonyms;
values shaped like personal identifiers (РНОКПП, УНЗР, passport or phone numbers, e-mail) are
refused in case numbers, references and reasons, and cut out of the journalled body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _

from yakist.core.problems import MalformedJson
from yakist.ingest import problems
from yakist.ingest.schema import json_parse

# A case number: letters (Latin or Ukrainian), digits and . _ : / # - ; no spaces.
CASE_ID = re.compile(
    r"^[0-9A-Za-zА-ЩЬЮЯҐЄІЇа-щьюяґєії][0-9A-Za-zА-ЩЬЮЯҐЄІЇа-щьюяґєії._:/#-]{0,99}$"
)

# An applicant reference is the sending system's own opaque id. Values shaped like personal
# identifiers are refused, so they never reach the cases (and are cut out of the journal):
# digits only (РНОКПП, ID card and phone numbers), УНЗР, passport series and number.
APPLICANT_REF = re.compile(
    r"^(?!\d+$)(?!\d{8}-\d{5}$)(?![A-Za-z]{2}\d{6,7}$)[A-Za-z0-9._:-]{8,128}$"
)
# A case number must not be a taxpayer's number (РНОКПП): ten digits as the whole value, or a
# standalone run of ten digits whose last one is the РНОКПП check digit.
TEN_DIGITS = re.compile(r"(?<!\d)\d{10}(?!\d)")
RNOKPP_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
# In a journalled body the applicant reference is replaced by "#" and its keyed pseudonym
# ("#" is not allowed in a reference, so a sender cannot pass one off).
JOURNALLED_REF = re.compile(r"^#[0-9a-f]{64}$")
REDACTED = "[вилучено]"
PERSONAL_ID_IN_TEXT = re.compile(
    r"\d{9,}|\d{8}-\d{5}|[А-ЯҐЄІЇA-Z]{2}\s?\d{6}\b|\+?380[\d\s()-]{9,}|[\w.+-]+@[\w-]+\.[\w.]+"
)


def pseudonym_hasher(system_id: int):
    """HMAC-SHA256 keyed with settings.PSEUDONYM_KEY, primed with the system id (the same
    reference in two systems names two different people)."""
    return hmac.new(settings.PSEUDONYM_KEY.encode(), f"{system_id}:".encode(), hashlib.sha256)


def keyed_hex(primed, applicant_ref: str) -> str:
    mac = primed.copy()
    mac.update(applicant_ref.encode())
    return mac.hexdigest()


def pseudonym(system_id: int, applicant_ref: str) -> str:
    """Keyed pseudonym of an applicant reference; the key never leaves the settings."""
    return keyed_hex(pseudonym_hasher(system_id), applicant_ref)


def rnokpp_checksum_ok(digits: str) -> bool:
    """The РНОКПП check digit: the weighted sum of the first nine digits, mod 11, mod 10."""
    total = sum(int(d) * w for d, w in zip(digits, RNOKPP_WEIGHTS, strict=False))
    return total % 11 % 10 == int(digits[9])


def case_id_ok(case_id: str) -> bool:
    """An allowed case number: the CASE_ID alphabet and nothing shaped like a РНОКПП."""
    if not CASE_ID.match(case_id):
        return False
    for match in TEN_DIGITS.finditer(case_id):
        if len(case_id) == 10 or rnokpp_checksum_ok(match.group()):
            return False
    return True


def journalled_ref_ok(value: str):
    return APPLICANT_REF.match(value) or JOURNALLED_REF.match(value)


# A plain applicant reference in the raw body (no escapes), and any mention of the field.
_REF_FIELD = re.compile(rb'"applicant_ref"\s*:')
_REF_PLAIN = re.compile(rb'"applicant_ref"(\s*:\s*)"([A-Za-z0-9._:-]*)"')


def journal_body(
    body: bytes,
    *,
    system_id: int,
    redact: list[tuple[int, str]] | tuple = (),
    known: dict[str, str] | None = None,
) -> tuple[bytes, bool]:
    """The body as the journal keeps it, and whether it was changed: every applicant reference
    replaced by "#" + its keyed pseudonym, and the values at `redact` (and any reference not
    shaped like one) cut out. The raw reference is never stored. A body that mentions a
    reference but cannot be parsed is not kept at all. `known` holds pseudonyms validation
    already computed."""
    escaped = b"\\u00" in body  # a field name could be spelt with escapes
    if not redact and not escaped:
        mentions = len(_REF_FIELD.findall(body))
        if not mentions:
            return body, False
        if len(_REF_PLAIN.findall(body)) == mentions:
            # The common case: plain string values, rewritten in place without a parse.
            return _journal_in_place(body, system_id, known or {}), True
    return _journal_parsed(body, system_id, redact, escaped)


def _journal_in_place(body: bytes, system_id: int, known: dict[str, str]) -> bytes:
    keyed = pseudonym_hasher(system_id)

    def replace(match: re.Match) -> bytes:
        value = match.group(2).decode()
        hexed = known.get(value)
        if hexed is None and APPLICANT_REF.match(value):
            hexed = keyed_hex(keyed, value)
        new = REDACTED if hexed is None else "#" + hexed
        return b'"applicant_ref"' + match.group(1) + b'"' + new.encode() + b'"'

    return _REF_PLAIN.sub(replace, body)


def _journal_parsed(
    body: bytes, system_id: int, redact: list[tuple[int, str]] | tuple, escaped: bool
) -> tuple[bytes, bool]:
    """The slow way: parse, cut out, pseudonymise, write back; unparseable bodies that mention
    a reference are dropped."""
    try:
        document = json_parse(body)
    except (problems.JsonTooDeep, MalformedJson):
        return (b"", True) if escaped or _REF_FIELD.search(body) else (body, False)
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        return (b"", True) if escaped or _REF_FIELD.search(body) else (body, False)
    changed = False
    for index, name in redact:
        events[index][name] = REDACTED
        changed = True
    keyed = pseudonym_hasher(system_id)
    for event in events:
        if not isinstance(event, dict) or "applicant_ref" not in event:
            continue
        value = event["applicant_ref"]
        if isinstance(value, str) and APPLICANT_REF.match(value):
            event["applicant_ref"] = "#" + keyed_hex(keyed, value)
        elif value != REDACTED:
            event["applicant_ref"] = REDACTED
        changed = True
    if not changed:
        return body, False
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), True


# --- Errors for an event that failed the fast checks (yakist.ingest.rejections) ---------------


def case_id_errors(
    event: dict, found: list[dict], redact: list[tuple[int, str]], index: int
) -> None:
    """A case number outside the allowed alphabet, or one shaped like a РНОКПП (cut out)."""
    case_id = event["case_id"]
    if CASE_ID.match(case_id) and not case_id_ok(case_id):
        found.append(
            problems.EventPersonalData.item(
                field="case_id",
                detail=_(
                    "case_id схожий на РНОКПП (10 цифр): номер справи не може містити "
                    "реєстраційний номер облікової картки платника податків."
                ),
            )
        )
        redact.append((index, "case_id"))
    elif not CASE_ID.match(case_id):
        found.append(
            problems.EventError.item(
                field="case_id",
                detail=_(
                    "case_id: дозволено літери, цифри та . _ : / # - (до 100 символів, без "
                    "пробілів)."
                ),
            )
        )


def reference_and_reason_errors(
    event: dict, ref_ok, found: list[dict], redact: list[tuple[int, str]], index: int
) -> None:
    """An applicant reference or a reason that carries personal data (each cut out)."""
    applicant = event.get("applicant_ref")
    if applicant is not None and not ref_ok(applicant):
        found.append(
            problems.EventPersonalData.item(
                field="applicant_ref",
                detail=_(
                    "applicant_ref має бути непрозорим ідентифікатором (8–128 символів A–Z, a–z, "
                    "0–9, «.», «_», «:», «-»), а не персональними даними (РНОКПП, паспорт, УНЗР, "
                    "телефон)."
                ),
            )
        )
        redact.append((index, "applicant_ref"))
    reason = event.get("reason", "")
    if reason and PERSONAL_ID_IN_TEXT.search(reason):
        found.append(
            problems.EventPersonalData.item(
                field="reason",
                detail=_("reason містить номер, схожий на персональні дані; приберіть його."),
            )
        )
        redact.append((index, "reason"))
