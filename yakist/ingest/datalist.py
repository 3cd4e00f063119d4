"""The data list of a system's connection agreement (Order 145 p.5), applied to each event.

The common event schema (schema.EventIn) is what any system may send. An agreement narrows
it: the event types and fields the system sends, and fields it must send beyond the common
minimum. A system connected on an application (ПК ЦНАП «Вулик» via СЕВ ОВВ, Order 145 p.5 ¶2)
or uploading files has no agreement and is checked against the common schema only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from yakist.core.problems import Conflict
from yakist.ingest import problems
from yakist.ingest.enums import EventType
from yakist.registry import selectors as registry
from yakist.registry.enums import SystemBasis
from yakist.registry.services import data_list_store

if TYPE_CHECKING:
    from yakist.registry.models import ConnectedSystem, DataList


# Fields every event carries whatever the agreement (the schema's required fields).
COMMON_MINIMUM = frozenset(
    {"event_id", "case_id", "type", "occurred_at", "service_code", "provider_code", "channel"}
)
OPTIONAL_FIELDS = ("centre_code", "status", "reason", "rating", "applicant_ref")


@dataclass(frozen=True)
class AgreedList:
    version: int
    event_types: frozenset[str]
    fields: frozenset[str]
    required: frozenset[str]

    def check(self, events: list[dict | None], errors: dict[int, list], raw_ids: dict) -> None:
        """Refuse, event by event, what the agreement does not list: the event is set to None
        and its errors recorded, as the schema check does."""
        allowed = COMMON_MINIMUM | self.fields
        for index, event in enumerate(events):
            if event is None:
                continue
            found = self.event_errors(event, allowed)
            if found:
                events[index] = None
                errors[index] = found
                raw_ids[index] = event.get("event_id")

    def event_errors(self, event: dict[str, Any], allowed: frozenset[str]) -> list[dict]:
        found = []
        if self.event_types and event["type"] not in self.event_types:
            found.append(
                problems.EventOutsideAgreement.item(
                    field="type",
                    detail=_(
                        "Тип події «%(type)s» не входить до переліку даних договору (версія "
                        "%(version)s)."
                    )
                    % {"type": event["type"], "version": self.version},
                )
            )
        for name in sorted(set(event) - allowed):
            found.append(
                problems.EventOutsideAgreement.item(
                    field=name,
                    detail=_(
                        "Поле «%(field)s» не входить до переліку даних договору (версія "
                        "%(version)s)."
                    )
                    % {"field": name, "version": self.version},
                )
            )
        for name in sorted(self.required - set(event)):
            found.append(
                problems.EventMissingField.item(
                    field=name,
                    detail=_(
                        "Поле «%(field)s» обов'язкове за договором про підключення (версія "
                        "%(version)s)."
                    )
                    % {"field": name, "version": self.version},
                )
            )
        return found


def agreed_list(system: ConnectedSystem) -> AgreedList | None:
    """The current data list of a system on an agreement basis, or None (common schema).

    Kept on the system instance: the signed door reuses an instance only while its data
    lists are unchanged (registry.selectors.system_key_get), other doors load it anew."""
    if system.basis != SystemBasis.AGREEMENT:
        return None
    kept = system.__dict__.get("_agreed_list", _UNREAD)
    if kept is not _UNREAD:
        return kept
    current = registry.data_list_current(system)
    agreed = None
    if current is not None:
        agreed = AgreedList(
            version=current.version,
            event_types=frozenset(current.event_types),
            fields=frozenset(current.fields),
            required=frozenset(current.required),
        )
    system.__dict__["_agreed_list"] = agreed
    return agreed


_UNREAD = object()


def data_list_set(
    *,
    system: ConnectedSystem,
    event_types: list[str],
    fields: list[str],
    required: list[str] | None = None,
    schema_version: str = "1.0",
    actor=None,
) -> DataList:
    """Record the data list of a system's connection agreement (Order 145 p.5): only event
    types and optional fields the common schema knows; required fields must be listed."""
    required = sorted(set(required or []))
    unknown = (set(event_types) - set(EventType.values)) | (set(fields) | set(required)) - set(
        OPTIONAL_FIELDS
    )
    if unknown:
        raise Conflict(
            _("Невідомі типи подій або поля в переліку даних: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    if set(required) - set(fields):
        raise Conflict(_("Обов'язкові поля мають входити до переліку полів."))
    return data_list_store(
        system=system,
        event_types=event_types,
        fields=fields,
        required=required,
        schema_version=schema_version,
        actor=actor,
    )
