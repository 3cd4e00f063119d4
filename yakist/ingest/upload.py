"""Case events from a CSV/XLSX file: the way in for subjects not connected (Resolution 864
p.3(1)) and the same intake as the API.

One row is one event; the columns are the API's event fields (docs/case-upload.md). Each
uploading centre or provider has its own upload channel (a ConnectedSystem on the `upload`
basis), so event ids are unique per uploading subject and a re-uploaded file is counted as
duplicates. Rows are checked by the very validation of the API, in chunks of the API's batch
size; a bad row is rejected with its row number and never stops the good ones.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakist.core.spreadsheets import read_table
from yakist.ingest import lookups, services
from yakist.ingest.models import CaseUpload, Journal
from yakist.ingest.personaldata import journal_body
from yakist.ingest.schema import FIELD_ORDER
from yakist.ingest.validation import batch_validate
from yakist.registry import selectors as registry_selectors
from yakist.registry import services as registry_services
from yakist.registry.models.reference import Centre, Organisation

if TYPE_CHECKING:
    from yakist.registry.models import ConnectedSystem


FIRST_DATA_ROW = 2  # row 1 holds the column names
INTEGER_FIELDS = frozenset({"rating"})


@dataclass
class UploadOutcome:
    upload: CaseUpload
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The last line of `yakist cases import` (README contract)."""
        return (
            f"accepted {self.accepted}, duplicates {self.duplicates}, rejected {len(self.rejected)}"
        )


def row_message(rejection: dict[str, Any]) -> str:
    """One rejected row in Ukrainian: its number and every reason."""
    reasons = " ".join(
        item["detail"]
        if not item.get("field") or item["field"] in item["detail"]
        else f"{item['field']}: {item['detail']}"
        for item in rejection["errors"]
    )
    return _("рядок %(row)s: %(reasons)s") % {"row": rejection["row"], "reasons": reasons}


def upload_channel(
    *, centre: Centre | None = None, provider: Organisation | None = None
) -> ConnectedSystem:
    """The upload channel of a centre or a provider, created on first use."""
    if (centre is None) == (provider is None):
        raise ValueError("upload_channel needs a centre or a provider")
    subject = centre or provider
    name = _("Завантаження файлів: %(code)s") % {"code": subject.code}
    system = upload_channel_get(centre=centre, provider=provider)
    if system is not None:
        return system
    system = registry_services.upload_channel_create(name=name, centre=centre, provider=provider)
    lookups.lookups_clear()
    return system


def upload_channel_get(
    *, centre: Centre | None = None, provider: Organisation | None = None
) -> ConnectedSystem | None:
    """The upload channel of a centre or a provider, if it has uploaded before."""
    return registry_selectors.upload_channel_get(centre=centre, provider=provider)


def _event(record: dict[str, str]) -> dict[str, Any]:
    """A row as an API event: empty cells are absent fields, ratings are numbers."""
    event: dict[str, Any] = {}
    for name, value in record.items():
        if value == "":
            continue
        if name in INTEGER_FIELDS and value.lstrip("-").isdigit():
            event[name] = int(value)
        else:
            event[name] = value
    return event


def case_upload_accept(
    *,
    filename: str,
    content: bytes,
    centre: Centre | None = None,
    provider: Organisation | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> UploadOutcome:
    """Validate and store the events of a file uploaded by a centre or a provider. Raises
    ImportFileInvalid when the file cannot be read at all."""
    now = now or timezone.now()
    records = read_table(filename, content)
    system = upload_channel(centre=centre, provider=provider)
    upload = CaseUpload(system=system, uploaded_at=now, uploaded_by=actor, filename=filename[:200])
    outcome = UploadOutcome(upload=upload)
    size = settings.INGEST_MAX_EVENTS
    codes, scope = lookups.codes(), lookups.system_scope(system)
    redacted = False
    with transaction.atomic():
        for start in range(0, len(records), size):
            chunk = [_event(record) for record in records[start : start + size]]
            body = json.dumps({"events": chunk}, ensure_ascii=False).encode()
            validated = batch_validate(
                body=body, system_id=system.pk, codes=codes, scope=scope, now=now
            )
            # The journal keeps what the API's would: applicant references as pseudonyms and
            # values refused as personal data cut out.
            journalled, changed = journal_body(
                body, system_id=system.pk, redact=validated.redact, known=validated.pseudonyms
            )
            redacted = redacted or bool(validated.redact)
            entry = {**_journal_entry(system, journalled, now), "redacted": changed}
            stored = services._store(entry=entry, validated=validated, now=now)
            upload.journal_ids.append(stored.journal_id)
            outcome.accepted += stored.accepted
            outcome.duplicates += stored.duplicates
            outcome.rejected.extend(
                {**item, "row": start + item.pop("index") + FIRST_DATA_ROW}
                for item in stored.rejected
            )
        upload.rows = len(records)
        upload.accepted, upload.duplicates = outcome.accepted, outcome.duplicates
        upload.rejected, upload.rejections = len(outcome.rejected), outcome.rejected
        # A file with a value shaped like personal data is not kept (the journal keeps the
        # rows with that value cut out); any other file is kept as received.
        if not redacted:
            upload.file.save(
                f"{now:%Y%m%d%H%M%S}-{system.pk}.{_extension(filename)}",
                ContentFile(content),
                save=False,
            )
        upload.save()
    return outcome


def _extension(filename: str) -> str:
    return "xlsx" if filename.lower().endswith(".xlsx") else "csv"


def _journal_entry(system: ConnectedSystem, body: bytes, now: dt.datetime) -> dict[str, Any]:
    return {
        "system_id": system.pk,
        "key_id": "",
        "received_at": now,
        "source": Journal.Source.UPLOAD,
        "sandbox": False,
        "nonce": "",
        "headers": {},
        "body": body,
        "redacted": False,
        "event_count": 0,
        "accepted": 0,
        "duplicates": 0,
        "rejected": 0,
        "rejection_types": {},
        "rejections": [],
        "batch_error": "",
        "processed_at": None,
    }


def template_rows() -> list[list[str]]:
    """The downloadable template: the column names and two example events."""
    return [
        list(FIELD_ORDER),
        [
            "3f0b6c9e-2d1a-4c55-9a3e-0c1d2e3f4a5b",
            "ЦНАП-2026/000123",
            "submitted",
            "2026-03-02T09:15:00+02:00",
            "00030",
            "CENTRE-CODE",
            "PROVIDER-CODE",
            "offline",
            "",
            "",
            "",
            "",
        ],
        [
            "8a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "ЦНАП-2026/000123",
            "issued",
            "2026-03-09T14:40:00+02:00",
            "00030",
            "CENTRE-CODE",
            "PROVIDER-CODE",
            "offline",
            "",
            "",
            "",
            "",
        ],
    ]
