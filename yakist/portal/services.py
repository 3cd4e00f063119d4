"""The publication workflow: prepare → approve → publish, corrections as new versions,
bulk publication of a national or regional set, subjects' own addresses, reminders."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts import selectors as accounts_selectors
from yakist.accounts.enums import Role
from yakist.accounts.scope import HROMADA_ROLES, Scope
from yakist.accounts.selectors import hromada_has_official
from yakist.accounts.services import audit_record
from yakist.core.periods import Period, kyiv_date
from yakist.core.problems import Conflict, Forbidden, Problem
from yakist.portal import cache as page_cache
from yakist.portal import schedule, snapshot
from yakist.portal.models import Publication, ReminderSent, SubjectLink
from yakist.portal.sources import Subject

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud, typed from paper


class PublicationBlocked(Problem):
    slug = "publication-blocked"
    status = 422
    title = gettext_lazy("Оприлюднення заблоковано")
    description = gettext_lazy(
        "Звіт не можна погодити чи оприлюднити: бракує даних або період ще не завершився."
    )


class ExternalUrlInvalid(Problem):
    slug = "external-url-invalid"
    status = 422
    title = gettext_lazy("Неприйнятна адреса вебсайту")
    description = gettext_lazy("Адреса має починатися з http:// або https:// і вести на вебсайт.")


def short_code(*parts: str, length: int = 8) -> str:
    """A stable code derived from what it names: the same report always gets the same link."""
    number = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:10], "big")
    chars = []
    for _position in range(length):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def publication_code(subject_type: str, key: str, period: str, version: int) -> str:
    return short_code("publication", subject_type, key, period, str(version))


def subject_code(subject_type: str, key: str) -> str:
    return short_code("subject", subject_type, key, length=6)


def can_act(
    scope: Scope,
    *,
    subject_type: str,
    region: str | None,
    centre_id,
    provider_id,
    key: str | None = None,
) -> bool:
    """Who may prepare, approve and publish: the responsible subject or the ministry. A
    hromada's report is its council's (ОМС) or military administration's; the oblast acts for
    a hromada only while no official of the hromada is named (Resolution 864 p.3(3))."""
    if scope.superuser or scope.role == Role.MINISTRY_ANALYST:
        return True
    if scope.role in HROMADA_ROLES:
        return subject_type == "hromada" and key is not None and key == scope.hromada_code
    if scope.role == Role.REGIONAL_COORDINATOR:
        if subject_type == "hromada" and key is not None and hromada_has_official(key):
            return False
        return subject_type in ("region", "hromada") and region == scope.region_code
    if scope.role == Role.CENTRE_ADMIN:
        return subject_type == "centre" and centre_id is not None and centre_id == scope.centre_id
    if scope.role == Role.PROVIDER_OFFICER:
        return subject_type == "provider" and provider_id == scope.organisation_id
    return False


def _require_act(scope: Scope, publication_or_subject) -> None:
    target = publication_or_subject
    if isinstance(target, Publication):
        allowed = can_act(
            scope,
            subject_type=target.subject_type,
            region=target.region_id,
            centre_id=target.centre_id,
            provider_id=target.provider_id,
            key=target.subject_key,
        )
    else:
        allowed = can_act(
            scope,
            subject_type=target.type,
            region=target.region_code,
            centre_id=target.centre_id,
            provider_id=target.provider_id,
            key=target.key,
        )
    if not allowed:
        raise Forbidden(_("Оприлюднювати звіт цього суб'єкта може лише він сам або Мінцифри."))


def missing_reason(missing: list[str]) -> str:
    if "methodology" in missing:
        return _("Методику для цього періоду не завантажено.")
    if "results" in missing:
        return _("За цей період немає жодного розрахованого показника.")
    return _("Бракує результатів за показниками: %(codes)s.") % {"codes": ", ".join(missing)}


def _ensure_closed(period: Period, today: dt.date) -> None:
    if period.next_first_day > today:
        raise PublicationBlocked(
            _("Період %(period)s ще не завершився: звітувати за нього зарано.")
            % {"period": period.code}
        )


def _fields_for(subject: Subject) -> dict:
    return {
        "subject_type": subject.type,
        "subject_key": subject.key,
        "subject_name": subject.name[:300],
        "region_id": subject.region_code,
        "centre_id": subject.centre_id,
        "provider_id": subject.provider_id,
    }


@transaction.atomic
def publication_prepare(
    *,
    subject: Subject,
    period: Period,
    scope: Scope,
    actor,
    reason: str = "",
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Publication:
    """Take a snapshot of the subject's current results for the period.

    An open draft is refreshed; a published period needs a correction with a reason.
    """
    _require_act(scope, subject)
    _ensure_closed(period, today or kyiv_date(timezone.now()))
    reason = reason.strip()
    built = snapshot.build(period=period, subjects=[subject])[subject.ref]
    mine = Publication.objects.select_for_update().filter(
        subject_type=subject.type, subject_key=subject.key, period=period.code
    )
    draft = mine.filter(state__in=Publication.OPEN_STATES).first()
    if draft is not None:
        draft.content_json = built.text
        draft.content_hash = built.hash
        draft.missing = built.missing
        draft.methodology_code = (built.content["methodology"] or {}).get("code", "")
        draft.state = Publication.State.PREPARED
        draft.prepared_at, draft.prepared_by = timezone.now(), actor
        draft.approved_at = draft.approved_by = None
        if reason and draft.version > 1:
            draft.correction_reason = reason
        draft.save()
        audit_record(
            actor=actor,
            action="publication_refresh",
            obj=draft,
            changes={"content_hash": draft.content_hash, "missing": built.missing},
            request=request,
        )
        return draft
    published = mine.filter(state=Publication.State.PUBLISHED).first()
    if published is not None and not reason:
        raise Conflict(
            _(
                "Звіт за %(period)s уже оприлюднено (версія %(version)s). Оприлюднений звіт "
                "не змінюється: підготуйте виправлення й зазначте його причину."
            )
            % {"period": period.code, "version": published.version}
        )
    version = (published.version + 1) if published else 1
    publication = Publication.objects.create(
        code=publication_code(subject.type, subject.key, period.code, version),
        period=period.code,
        periodicity=schedule.periodicity_of(period),
        version=version,
        supersedes=published,
        correction_reason=reason if published else "",
        content_json=built.text,
        content_hash=built.hash,
        methodology_code=(built.content["methodology"] or {}).get("code", ""),
        missing=built.missing,
        due_on=schedule.due_date(period),
        prepared_by=actor,
        **_fields_for(subject),
    )
    audit_record(
        actor=actor,
        action="publication_correct" if published else "publication_prepare",
        obj=publication,
        changes={"state": [None, "prepared"], "content_hash": publication.content_hash},
        request=request,
    )
    return publication


def _locked(publication: Publication) -> Publication:
    return Publication.objects.select_for_update().get(pk=publication.pk)


def _ensure_complete(publication: Publication) -> None:
    if publication.missing:
        raise PublicationBlocked(missing_reason(publication.missing))


@transaction.atomic
def publication_approve(
    *, publication: Publication, scope: Scope, actor, request: HttpRequest | None = None
) -> Publication:
    publication = _locked(publication)
    _require_act(scope, publication)
    if publication.state != Publication.State.PREPARED:
        raise Conflict(
            _("Погодити можна лише підготовлений звіт; цей має стан «%(state)s».")
            % {"state": publication.get_state_display()}
        )
    _ensure_complete(publication)
    publication.state = Publication.State.APPROVED
    publication.approved_at, publication.approved_by = timezone.now(), actor
    publication.save(update_fields=["state", "approved_at", "approved_by"])
    audit_record(
        actor=actor,
        action="publication_approve",
        obj=publication,
        changes={"state": ["prepared", "approved"], "content_hash": publication.content_hash},
        request=request,
    )
    return publication


@transaction.atomic
def publication_publish(
    *, publication: Publication, scope: Scope, actor, request: HttpRequest | None = None
) -> Publication:
    publication = _locked(publication)
    _require_act(scope, publication)
    if publication.is_public:
        newer = Publication.objects.filter(
            subject_type=publication.subject_type,
            subject_key=publication.subject_key,
            period=publication.period,
            version__gt=publication.version,
        ).first()
        if newer is not None:
            raise Conflict(
                _("Звіт за цей період уже виправлено версією %(version)s; стару не оприлюднюють.")
                % {"version": newer.version}
            )
        raise Conflict(_("Цей звіт уже оприлюднено."))
    if publication.state != Publication.State.APPROVED:
        raise Conflict(_("Спершу звіт має бути погоджено."))
    _ensure_complete(publication)
    now = timezone.now()
    old = publication.supersedes
    if old is not None:
        old = _locked(old)
        if old.state != Publication.State.PUBLISHED:
            raise Conflict(_("Версію, яку виправляє цей звіт, уже замінено іншим виправленням."))
        old.state, old.superseded_at = Publication.State.SUPERSEDED, now
        old.save(update_fields=["state", "superseded_at"])
        audit_record(
            actor=actor,
            action="publication_supersede",
            obj=old,
            changes={"state": ["published", "superseded"], "by": publication.code},
            request=request,
        )
    publication.state = Publication.State.PUBLISHED
    publication.published_at, publication.published_by = now, actor
    publication.save(update_fields=["state", "published_at", "published_by"])
    subject_link_ensure(subject_type=publication.subject_type, key=publication.subject_key)
    audit_record(
        actor=actor,
        action="publication_publish",
        obj=publication,
        changes={"state": ["approved", "published"], "content_hash": publication.content_hash},
        request=request,
    )
    _invalidate_after_commit([publication])
    return publication


# Above this many subjects a publication run touches nearly every page: start a new epoch
# (one key) rather than bump thousands of tags.
EPOCH_THRESHOLD = 50


def _invalidate_after_commit(publications: list[Publication]) -> None:
    if len(publications) > EPOCH_THRESHOLD:
        _invalidate({page_cache.EPOCH})
        return
    tags: set[str] = set()
    for publication in publications:
        content = snapshot_content(publication)
        tags |= page_cache.tags_for_subject(
            subject_type=publication.subject_type,
            key=publication.subject_key,
            link_code=subject_code(publication.subject_type, publication.subject_key),
            region=publication.region_id,
            hromada=content["subject"].get("hromada"),
            period=publication.period,
        )
        if publication.supersedes_id:
            tags.add(page_cache.publication_tag(publication.supersedes.code))
    _invalidate(tags)


def _invalidate(tags: set[str]) -> None:
    """Bump now (this process sees its own change at once) and again after the commit, so a
    page rendered from the old data by another worker in between is not kept."""
    page_cache.invalidate(tags)
    transaction.on_commit(lambda: page_cache.invalidate(tags))


def snapshot_content(publication: Publication) -> dict:
    return json.loads(publication.content_json)


def subject_link_ensure(*, subject_type: str, key: str) -> SubjectLink:
    link, _created = SubjectLink.objects.get_or_create(
        subject_type=subject_type,
        subject_key=key,
        defaults={"code": subject_code(subject_type, key)},
    )
    return link


@dataclass
class BulkReport:
    period: str
    published: int = 0
    already: int = 0
    blocked: Counter = field(default_factory=Counter)

    @property
    def blocked_total(self) -> int:
        return sum(self.blocked.values())


@transaction.atomic
def publication_publish_bulk(
    *,
    period: Period,
    subjects: list[Subject],
    scope: Scope,
    actor,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> BulkReport:
    """The ministry publishes a national or regional set at once: every subject with complete
    data and nothing published yet gets version 1; the rest are counted with the reason."""
    if not (scope.superuser or scope.role == Role.MINISTRY_ANALYST):
        raise Forbidden(_("Оприлюднювати набір звітів може лише Мінцифри."))
    _ensure_closed(period, today or kyiv_date(timezone.now()))
    report = BulkReport(period=period.code)
    taken = set(
        Publication.objects.filter(period=period.code).values_list("subject_type", "subject_key")
    )
    fresh = [s for s in subjects if s.ref not in taken]
    report.already = len(subjects) - len(fresh)
    built = snapshot.build(period=period, subjects=fresh) if fresh else {}
    now = timezone.now()
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    rows = []
    for subject in fresh:
        item = built[subject.ref]
        if item.missing:
            report.blocked[missing_reason(item.missing)] += 1
            continue
        rows.append(_first_published(subject, item, period, actor_user, now))
    Publication.objects.bulk_create(rows, batch_size=500)
    _subject_links_ensure(rows)
    # One entry per run names every publication it made (a per-row entry would double the
    # cost of a national run and say nothing more).
    audit_record(
        actor=actor_user,
        action="publication_publish_bulk",
        object_type="portal.publication",
        object_id=period.code,
        summary=f"{period.code}: {len(rows)} оприлюднено, {report.blocked_total} заблоковано",
        changes={
            "state": [None, "published"],
            "published": [p.code for p in rows],
            "blocked": dict(report.blocked),
        },
        request=request,
    )
    report.published = len(rows)
    _invalidate_after_commit(rows)
    return report


def _subject_links_ensure(publications: list[Publication]) -> None:
    """The permanent short link of every subject published (existing ones stay)."""
    SubjectLink.objects.bulk_create(
        [
            SubjectLink(
                subject_type=p.subject_type,
                subject_key=p.subject_key,
                code=subject_code(p.subject_type, p.subject_key),
            )
            for p in publications
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def _first_published(subject: Subject, item, period: Period, actor_user, now) -> Publication:
    """Version 1 of a subject's report, prepared, approved and published by one act."""
    return Publication(
        code=publication_code(subject.type, subject.key, period.code, 1),
        period=period.code,
        periodicity=schedule.periodicity_of(period),
        version=1,
        state=Publication.State.PUBLISHED,
        content_json=item.text,
        content_hash=item.hash,
        methodology_code=(item.content["methodology"] or {}).get("code", ""),
        missing=[],
        due_on=schedule.due_date(period),
        prepared_at=now,
        prepared_by=actor_user,
        approved_at=now,
        approved_by=actor_user,
        published_at=now,
        published_by=actor_user,
        **_fields_for(subject),
    )


@transaction.atomic
def subject_external_url_set(
    *, subject: Subject, url: str, scope: Scope, actor, request: HttpRequest | None = None
) -> SubjectLink:
    """A subject that publishes on its own website registers that page (or clears it)."""
    _require_act(scope, subject)
    url = url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
            raise ExternalUrlInvalid(
                _(
                    "Адреса «%(url)s» не підходить: дозволено лише http:// або https:// "
                    "з назвою сайту."
                )
                % {"url": url[:100]}
            )
    link = subject_link_ensure(subject_type=subject.type, key=subject.key)
    before = link.external_url
    link.external_url, link.external_set_at = url, timezone.now()
    link.save(update_fields=["external_url", "external_set_at"])
    audit_record(
        actor=actor,
        action="publication_external_url",
        obj=link,
        changes={"external_url": [before, url]},
        request=request,
    )
    tags = {
        page_cache.subject_tag(subject.type, subject.key),
        page_cache.subject_link_tag(link.code),
    }
    _invalidate(tags)
    return link


def _responsible_index() -> dict[tuple[str, object], list]:
    """Staff with an e-mail address keyed by what they answer for, read once."""
    index: dict[tuple[str, object], list] = {}
    for profile in accounts_selectors.staff_reachable():
        key = {
            Role.CENTRE_ADMIN: ("centre", profile.centre_id),
            Role.PROVIDER_OFFICER: ("provider", profile.organisation_id),
            Role.REGIONAL_COORDINATOR: ("region", profile.region_id),
            Role.MINISTRY_ANALYST: ("nation", None),
        }.get(profile.role)
        if key:
            index.setdefault(key, []).append(profile.user)
    return index


def _responsible(index: dict, subject: Subject) -> list:
    if subject.type == "centre":
        return index.get(("centre", subject.centre_id), [])
    if subject.type == "provider":
        return index.get(("provider", subject.provider_id), [])
    if subject.type in ("region", "hromada"):
        return index.get(("region", subject.region_code), [])
    return index.get(("nation", None), [])


def reminders_send(*, today: dt.date, subjects: list[Subject]) -> int:
    """Mail each responsible person once per period and reminder day: which reports are due
    soon and are not published yet. Returns the number of messages sent."""
    sent = 0
    index = _responsible_index()
    for deadline in schedule.open_deadlines(today):
        # Reminders count from the working day before the due day (inclusive reading flagged).
        days_left = (schedule.reminder_anchor(deadline.due_on) - today).days
        rule = schedule.rules()[deadline.periodicity]
        threshold = next((d for d in sorted(rule.reminder_days) if days_left <= d), None)
        if threshold is None or days_left < 0:
            continue
        done = set(
            Publication.objects.filter(
                period=deadline.period.code, state=Publication.State.PUBLISHED
            ).values_list("subject_type", "subject_key")
        )
        due_by_user: dict[int, list[str]] = {}
        users = {}
        for subject in subjects:
            if subject.ref in done:
                continue
            for user in _responsible(index, subject):
                users[user.pk] = user
                due_by_user.setdefault(user.pk, []).append(subject.name)
        already = set(
            ReminderSent.objects.filter(
                period=deadline.period.code, days_before=threshold
            ).values_list("user_id", flat=True)
        )
        for user_id, names in due_by_user.items():
            if user_id in already:
                continue
            _remind(users[user_id], deadline, names)
            ReminderSent.objects.create(
                user_id=user_id, period=deadline.period.code, days_before=threshold
            )
            sent += 1
    return sent


def _remind(user, deadline: schedule.Deadline, names: list[str]) -> None:
    due = deadline.due_on.strftime("%d.%m.%Y")
    listed = "\n".join(f"• {name}" for name in sorted(names)[:50])
    if len(names) > 50:
        listed += "\n" + _("…і ще %(n)s") % {"n": len(names) - 50}
    body = _(
        "Нагадування: до %(due)s треба оприлюднити звіти за %(period)s "
        "(п. 5 Порядку оприлюднення). Ще не оприлюднено:\n\n%(names)s\n\n"
        "Консоль оприлюднення: %(url)s"
    ) % {
        "due": due,
        "period": deadline.period.label,
        "names": listed,
        "url": f"{settings.PUBLIC_BASE_URL}/publication/",
    }
    send_mail(_("Строк оприлюднення звітів: %(due)s") % {"due": due}, body, None, [user.email])
