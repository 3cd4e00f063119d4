"""Why an event was refused: the slow path of validation, taken only by an event that failed
the fast checks of yakist.ingest.validation, says in Ukrainian everything wrong with it, field
by field, and notes personal-data values to cut out of the journalled body."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from yakist.ingest import problems
from yakist.ingest.lookups import CentreRef, Codes, SystemScope
from yakist.ingest.personaldata import (
    APPLICANT_REF,
    case_id_errors,
    reference_and_reason_errors,
)
from yakist.ingest.schema import EARLIEST, type_field_errors


def event_errors(
    event: dict,
    *,
    codes: Codes,
    scope: SystemScope,
    latest: dt.datetime,
    redact: list[tuple[int, str]],
    index: int,
    ref_ok=APPLICANT_REF.match,
) -> list[dict]:
    """Everything wrong with one event that failed the fast checks, in Ukrainian."""
    found: list[dict] = []
    _time_errors(event, latest, found)
    _service_errors(event, codes, found)
    centre = _centre_errors(event, codes, found)
    _provider_errors(event, codes, scope, found)
    if centre is not None and not scope.centre_allowed(centre):
        found.append(
            problems.EventOutOfScope.item(
                field="centre_code",
                detail=_("Центр «%(centre)s» поза зоною підключення системи.")
                % {"centre": event["centre_code"]},
            )
        )
    case_id_errors(event, found, redact, index)
    type_field_errors(event, event["type"], found)
    reference_and_reason_errors(event, ref_ok, found, redact, index)
    return found


def _time_errors(event: dict, latest: dt.datetime, found: list[dict]) -> None:
    occurred = event["occurred_at"]
    if occurred < EARLIEST or occurred > latest:
        found.append(
            problems.EventImpossibleTime.item(
                field="occurred_at",
                detail=_("Час %(time)s поза межами від 01.01.2020 до поточного часу.")
                % {"time": occurred.isoformat()},
            )
        )


def _service_errors(event: dict, codes: Codes, found: list[dict]) -> None:
    if event["service_code"] not in codes.services:
        found.append(
            problems.EventUnknownService.item(
                field="service_code",
                detail=_("Послугу з кодом «%(code)s» не знайдено в Реєстрі.")
                % {"code": event["service_code"]},
            )
        )


def _centre_errors(event: dict, codes: Codes, found: list[dict]) -> CentreRef | None:
    """An unknown centre, or none where the channel needs one; returns the centre found."""
    centre_code = event.get("centre_code")
    centre = codes.centres.get(centre_code) if centre_code else None
    if centre_code and centre is None:
        found.append(
            problems.EventUnknownCentre.item(
                field="centre_code",
                detail=_("Центр з кодом «%(code)s» не знайдено.") % {"code": centre_code},
            )
        )
    elif not centre_code and event["channel"] != "online":
        found.append(
            problems.EventMissingField.item(
                field="centre_code",
                detail=_("centre_code обов'язковий для каналу «%(channel)s».")
                % {"channel": event["channel"]},
            )
        )
    return centre


def _provider_errors(event: dict, codes: Codes, scope: SystemScope, found: list[dict]) -> None:
    provider = codes.providers.get(event["provider_code"])
    if provider is None:
        found.append(
            problems.EventUnknownProvider.item(
                field="provider_code",
                detail=_("Суб'єкта надання з кодом «%(code)s» не знайдено.")
                % {"code": event["provider_code"]},
            )
        )
    elif not scope.provider_allowed(provider):
        found.append(
            problems.EventOutOfScope.item(
                field="provider_code",
                detail=_("Суб'єкт надання «%(provider)s» поза зоною підключення системи.")
                % {"provider": event["provider_code"]},
            )
        )
