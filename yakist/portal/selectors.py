"""Reading publications. Public selectors return only what has been published; staff
selectors pass through the viewer's scope."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Case, Count, Max, Q, QuerySet, Value, When

from yakist.accounts.enums import Role
from yakist.accounts.scope import Scope
from yakist.core.periods import Period
from yakist.portal import schedule, sources
from yakist.portal.models import Publication, SubjectLink
from yakist.portal.sources import Subject
from yakist.registry import selectors as registry
from yakist.registry.models.reference import Centre


def content_of(publication: Publication) -> dict:
    return json.loads(publication.content_json)


# --- Public: only published and superseded versions ever leave these functions. ---


def _public() -> QuerySet[Publication]:
    return Publication.objects.filter(state__in=Publication.PUBLIC_STATES)


def publication_public(code: str) -> Publication | None:
    return _public().filter(code=code).first()


def versions_of(publication: Publication) -> list[Publication]:
    """Every public version of the same subject and period, newest first."""
    return list(
        _public()
        .filter(
            subject_type=publication.subject_type,
            subject_key=publication.subject_key,
            period=publication.period,
        )
        .order_by("-version")
    )


def published_for_subject(subject_type: str, key: str) -> list[Publication]:
    """The current (not superseded) publication of each period, newest period first."""
    rows = Publication.objects.filter(
        subject_type=subject_type, subject_key=key, state=Publication.State.PUBLISHED
    )
    return sorted(
        rows, key=lambda p: (Period.parse(p.period).last_day, p.periodicity), reverse=True
    )


def latest_by_periodicity(publications: list[Publication]) -> dict[str, Publication]:
    latest: dict[str, Publication] = {}
    for publication in publications:
        latest.setdefault(publication.periodicity, publication)
    return latest


def published_of_type(
    subject_type: str, *, region: str | None = None, hromada: str | None = None
) -> list[Publication]:
    """Current publications of many subjects (for lists and maps), newest period first."""
    rows = Publication.objects.filter(subject_type=subject_type, state=Publication.State.PUBLISHED)
    if region:
        rows = rows.filter(region_id=region)
    if hromada:
        rows = rows.filter(centre__hromada_id=hromada)
    return sorted(
        rows, key=lambda p: (Period.parse(p.period).last_day, p.subject_key), reverse=True
    )


def subject_link(subject_type: str, key: str) -> SubjectLink | None:
    return SubjectLink.objects.filter(subject_type=subject_type, subject_key=key).first()


def subject_link_by_code(code: str) -> SubjectLink | None:
    return SubjectLink.objects.filter(code=code).first()


@dataclass(frozen=True)
class PeriodSet:
    period: str
    count: int
    published_at: dt.datetime
    corrections: int


def published_periods() -> list[PeriodSet]:
    rows = (
        _public()
        .values("period")
        .annotate(
            count=Count("pk", filter=Q(state=Publication.State.PUBLISHED)),
            published_at=Max("published_at"),
            corrections=Count("pk", filter=Q(version__gt=1)),
        )
        .order_by()
    )
    sets = [PeriodSet(r["period"], r["count"], r["published_at"], r["corrections"]) for r in rows]
    return sorted(
        sets, key=lambda s: (Period.parse(s.period).last_day, len(s.period)), reverse=True
    )


SUBJECT_ORDER = ("nation", "region", "hromada", "centre", "provider")


def published_in_period(period: str) -> QuerySet[Publication]:
    """The national report first, then regions, hromadas, centres and providers by name."""
    rank = Case(
        *(When(subject_type=t, then=Value(i)) for i, t in enumerate(SUBJECT_ORDER)),
        default=Value(len(SUBJECT_ORDER)),
    )
    return (
        _public()
        .filter(period=period)
        .annotate(type_rank=rank)
        .order_by("type_rank", "subject_name", "version")
    )


def search_centres(query: str, *, limit: int = 30) -> list[Centre]:
    """Main centres by name or settlement (access points lead to their centre)."""
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    found = registry.centres_public(search=query).exclude(status="closed")[: limit * 3]
    mains: dict[str, Centre] = {}
    for centre in found:
        main = centre.parent or centre
        mains.setdefault(main.code, main)
    return list(mains.values())[:limit]


# --- Staff: the console. ---


def publications_for(viewer: Scope) -> QuerySet[Publication]:
    return viewer.restrict(
        Publication.objects.all(),
        centre="centre",
        region="region",
        provider="provider",
        hromada="subject_key",
    ).select_related("prepared_by", "approved_by", "published_by", "supersedes")


def publication_get_for(viewer: Scope, pk: int) -> Publication | None:
    return publications_for(viewer).filter(pk=pk).first()


def subjects_for(viewer: Scope, *, types: list[str] | None = None) -> list[Subject]:
    """The subjects a staff viewer follows in the schedule."""
    if viewer.is_national:
        return sources.subjects_all(types=types)
    if viewer.role == Role.REGIONAL_COORDINATOR and viewer.region_code:
        return sources.subjects_all(types=types, region=viewer.region_code)
    if viewer.hromada_code:
        centres = _hromada_centres(viewer.hromada_code)
        return [
            s
            for s in sources.subjects_all(types=types)
            if (s.type == "hromada" and s.key == viewer.hromada_code)
            or (s.type == "centre" and s.centre_id in centres)
        ]
    if viewer.role == Role.CENTRE_ADMIN and viewer.centre_id:
        centre = Centre.objects.filter(pk=viewer.centre_id).first()
        subject = sources.subject_get("centre", centre.code) if centre else None
        return [subject] if subject and (not types or "centre" in types) else []
    if viewer.role == Role.PROVIDER_OFFICER and viewer.organisation_id:
        return [
            s
            for s in sources.subjects_all(types=["provider"])
            if s.provider_id == viewer.organisation_id
        ]
    return []


@dataclass
class DueRow:
    subject: Subject
    publication: Publication | None
    published: Publication | None
    late: bool

    @property
    def status(self) -> str:
        if self.published is not None:
            return "published_late" if self.late else "published"
        if self.publication is not None:
            return "blocked" if self.publication.missing else self.publication.state
        return "overdue" if self.late else "not_started"


def due_rows(
    viewer: Scope, *, deadline: schedule.Deadline, today: dt.date, types: list[str] | None = None
) -> list[DueRow]:
    """Each expected subject's state for one deadline: not started, blocked, prepared,
    approved, published (on time or late), overdue."""
    subjects = subjects_for(viewer, types=types)
    publications = publications_for(viewer).filter(period=deadline.period.code)
    first_published: dict[tuple[str, str], Publication] = {}
    current: dict[tuple[str, str], Publication] = {}
    drafts: dict[tuple[str, str], Publication] = {}
    for publication in publications.order_by("version"):
        ref = (publication.subject_type, publication.subject_key)
        if publication.is_public:
            first_published.setdefault(ref, publication)
            if publication.state == Publication.State.PUBLISHED:
                current[ref] = publication
        else:
            drafts[ref] = publication
    rows = []
    for subject in subjects:
        first = first_published.get(subject.ref)
        late = schedule.is_late(
            deadline.period, published_at=first.published_at if first else None, today=today
        )
        rows.append(
            DueRow(
                subject=subject,
                publication=drafts.get(subject.ref),
                published=current.get(subject.ref),
                late=late,
            )
        )
    return rows


def _hromada_centres(hromada_code: str) -> set[int]:
    return set(Centre.objects.filter(hromada_id=hromada_code).values_list("pk", flat=True))


def periods_published_nationally() -> set[str]:
    """Periods whose national report is public: from then on every subject's figures for the
    period are the state's published word, not working data."""
    return set(_public().filter(subject_type="nation").values_list("period", flat=True).distinct())
