"""E-mail to the people responsible for a report, through Django's mail framework."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from yakist.accounts.enums import Role
from yakist.accounts.selectors import staff_emails
from yakist.registry.models.reference import Centre
from yakist.statmon.models import Report


def centre_recipients(reports: Iterable[Report]) -> dict[int, list[str]]:
    """{report id: addresses}: the administrators of the centre (an access point's reports go
    to the administrators of its main centre); the centre's public address when it has none."""
    reports = list(reports)
    main_of = {r.pk: r.centre.parent_id or r.centre_id for r in reports}
    people: dict[int, set[str]] = defaultdict(set)
    for centre_id, email in staff_emails(
        role=Role.CENTRE_ADMIN,
        field="centre_id",
        values=set(main_of.values()) | {r.centre_id for r in reports},
    ):
        people[centre_id].add(email)
    public = dict(
        Centre.objects.filter(pk__in=set(main_of.values()))
        .exclude(email="")
        .values_list("pk", "email")
    )
    result = {}
    for report in reports:
        main = main_of[report.pk]
        addresses = people.get(report.centre_id, set()) | people.get(main, set())
        if not addresses and public.get(main):
            addresses = {public[main]}
        result[report.pk] = sorted(addresses)
    return result


def coordinator_recipients(region_codes: Iterable[str]) -> dict[str, list[str]]:
    result: dict[str, set[str]] = defaultdict(set)
    for region, email in staff_emails(
        role=Role.REGIONAL_COORDINATOR, field="region_id", values=set(region_codes)
    ):
        result[region].add(email)
    return {region: sorted(emails) for region, emails in result.items()}


def report_url(report: Report) -> str:
    return settings.PUBLIC_BASE_URL + reverse(
        "statmon:report", args=[report.campaign.period, report.centre.code]
    )


def message(*, subject: str, body: str, to: list[str], cc: list[str] | None = None) -> EmailMessage:
    return EmailMessage(subject=subject, body=body, to=to, cc=cc or [])


def send_all(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def notify_centre(report: Report, *, subject: str, body: str) -> None:
    """A one-off notice (e.g. "returned") to the centre, sent once the change is committed;
    nothing when the centre has no address."""
    to = centre_recipients([report]).get(report.pk) or []
    if to:
        text = f"{report.centre.name}\n\n{body}\n\n{report_url(report)}\n"
        email = message(subject=subject, body=text, to=to)
        transaction.on_commit(lambda: send_all([email]))
