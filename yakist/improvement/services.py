"""Changing the improvement loop: problems raised and moved through their states, measures
recorded, practices marked, external survey reports published. Every write checks the actor's
role and scope here; auditors and accounts without a role write nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakist.accounts.enums import Role
from yakist.accounts.scope import Scope, scope_of
from yakist.accounts.services import audit_record
from yakist.core.problems import Conflict, Forbidden, ValidationFailed
from yakist.improvement import effect
from yakist.improvement.models import Measure, Practice, Problem, SurveyReport
from yakist.improvement.subjects import SubjectRef
from yakist.indicators import selectors as indicators

TRANSITIONS = {
    Problem.Status.NEW: {Problem.Status.IN_WORK, Problem.Status.NOT_CONFIRMED},
    Problem.Status.IN_WORK: {Problem.Status.MEASURE_TAKEN, Problem.Status.NOT_CONFIRMED},
    Problem.Status.MEASURE_TAKEN: {Problem.Status.RESOLVED, Problem.Status.IN_WORK},
    Problem.Status.RESOLVED: set(),
    Problem.Status.NOT_CONFIRMED: set(),
}


def _parent_of(centre_id: int | None) -> int | None:
    from yakist.registry.models.reference import Centre

    if centre_id is None:
        return None
    return Centre.objects.filter(pk=centre_id).values_list("parent_id", flat=True).first()


def can_write(scope: Scope, *, subject_type: str, centre_id, organisation_id, region_id) -> bool:
    """Who may record for a subject: the ministry everywhere, a coordinator in its region, a
    centre administrator for its centre, a provider officer for its organisation."""
    if scope.superuser or scope.role == Role.MINISTRY_ANALYST:
        return True
    if scope.role == Role.REGIONAL_COORDINATOR:
        return bool(scope.region_code) and region_id == scope.region_code
    if scope.role == Role.CENTRE_ADMIN:
        return centre_id is not None and scope.centre_id in (centre_id, _parent_of(centre_id))
    if scope.role == Role.PROVIDER_OFFICER:
        return subject_type == "provider" and organisation_id == scope.organisation_id
    return False


def can_mark_practice(scope: Scope, problem: Problem) -> bool:
    if scope.superuser or scope.role == Role.MINISTRY_ANALYST:
        return True
    return scope.role == Role.REGIONAL_COORDINATOR and problem.region_id == scope.region_code


def _require(scope: Scope, record) -> None:
    if not can_write(
        scope,
        subject_type=record.subject_type if hasattr(record, "subject_type") else record.type,
        centre_id=record.centre_id,
        organisation_id=record.organisation_id,
        region_id=record.region_id,
    ):
        raise Forbidden(
            _("Ваша роль або зона відповідальності не дозволяє вносити записи для цього суб'єкта.")
        )


def _text(value: str, name: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Заповніть поле «%(f)s».") % {"f": name})
    if len(value) > limit:
        raise ValidationFailed(_("Поле «%(f)s» довше за %(n)s символів.") % {"f": name, "n": limit})
    return value


@transaction.atomic
def problem_raise(
    *,
    actor,
    subject: SubjectRef,
    title: str,
    description: str = "",
    owner: str = "",
    message=None,
    indicator_code: str = "",
) -> Problem:
    """A problem raised by staff; linked to a citizen's message it is of kind "citizen"."""
    scope = scope_of(actor)
    _require(scope, subject)
    problem = Problem.objects.create(
        **subject.fields(),
        kind=Problem.Kind.CITIZEN if message is not None else Problem.Kind.STAFF,
        title=_text(title, _("проблема"), 300),
        description=(description or "").strip(),
        owner=(owner or "").strip() or subject.name,
        message=message,
        indicator_code=indicator_code,
        created_by=actor,
    )
    audit_record(actor=actor, action="problem_raise", obj=problem, summary=problem.title[:200])
    return problem


@transaction.atomic
def problem_transition(*, actor, problem: Problem, status: str) -> Problem:
    scope = scope_of(actor)
    _require(scope, problem)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if status not in TRANSITIONS.get(problem.status, set()):
        raise Conflict(
            _("Стан «%(a)s» не можна змінити на «%(b)s».")
            % {
                "a": problem.get_status_display(),
                "b": dict(Problem.Status.choices).get(status, status),
            }
        )
    if status == Problem.Status.RESOLVED and not problem.measures.exists():
        raise Conflict(_("Проблему можна позначити вирішеною лише після внесення заходу."))
    before = problem.status
    problem.status, problem.status_changed_at = status, timezone.now()
    problem.save(update_fields=["status", "status_changed_at"])
    audit_record(
        actor=actor, action="problem_status", obj=problem, changes={"status": [before, status]}
    )
    return problem


def _indicator_codes(codes: list[str], day: dt.date) -> list[str]:
    known = set(indicators.definitions_in_force(day).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationFailed(_("Невідомі показники: %(c)s.") % {"c": ", ".join(unknown)})
    return list(dict.fromkeys(codes))


@transaction.atomic
def measure_record(
    *,
    actor,
    subject: SubjectRef,
    title: str,
    responsible_body: str,
    started_on: dt.date,
    completed_on: dt.date | None = None,
    indicators_aimed: list[str] | None = None,
    description: str = "",
    problem: Problem | None = None,
    addresses: str = "",
) -> Measure:
    """Record a measure; a linked open problem moves to "measure taken"."""
    scope = scope_of(actor)
    _require(scope, subject)
    if completed_on is not None and completed_on < started_on:
        raise ValidationFailed(_("Дата завершення заходу раніша за дату початку."))
    if problem is None and not (addresses or "").strip():
        raise ValidationFailed(
            _(
                "Вкажіть проблему з реєстру або опишіть, на розв'язання якої проблеми "
                "спрямовано захід."
            )
        )
    if problem is not None:
        _require(scope, problem)
        if not problem.is_open:
            raise Conflict(_("Проблему вже закрито: захід до неї не додається."))
    measure = Measure.objects.create(
        **subject.fields(),
        title=_text(title, _("захід"), 300),
        description=(description or "").strip(),
        responsible_body=_text(responsible_body, _("відповідальний орган"), 300),
        started_on=started_on,
        completed_on=completed_on,
        indicators=_indicator_codes(indicators_aimed or [], started_on),
        problem=problem,
        addresses=(addresses or "").strip()[:500],
        created_by=actor,
    )
    if problem is not None and problem.status in (Problem.Status.NEW, Problem.Status.IN_WORK):
        Problem.objects.filter(pk=problem.pk).update(
            status=Problem.Status.MEASURE_TAKEN, status_changed_at=timezone.now()
        )
    audit_record(actor=actor, action="measure_record", obj=measure, summary=measure.title[:200])
    _invalidate_public()
    return measure


@transaction.atomic
def practice_mark(
    *,
    actor,
    problem: Problem,
    measure: Measure,
    topic: str,
    summary: str,
    contact_body: str,
    contact_details: str = "",
    today: dt.date | None = None,
) -> Practice:
    """Share a resolved problem as good practice: only the oblast or the ministry, and only
    when one of its measures shows a measured effect (model rule [practice])."""
    scope = scope_of(actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if not can_mark_practice(scope, problem):
        raise Forbidden(
            _(
                "Позначати добру практику може лише регіональний координатор свого регіону "
                "або аналітик Мінцифри."
            )
        )
    if problem.status != Problem.Status.RESOLVED:
        raise Conflict(_("Добра практика — лише з вирішеної проблеми."))
    if measure.problem_id != problem.pk:
        raise ValidationFailed(_("Захід не пов'язаний із цією проблемою."))
    if hasattr(problem, "practice"):
        raise Conflict(_("Цю проблему вже позначено як добру практику."))
    found = effect.readings(measure, today=today)
    if not any(r.verdict == effect.Verdict.EFFECT for r in found):
        raise Conflict(_("Захід не показав виміряного ефекту: позначити практику не можна."))
    practice = Practice.objects.create(
        problem=problem,
        measure=measure,
        topic=_text(topic, _("тема"), 120),
        summary=_text(summary, _("що зроблено"), 5000),
        contact_body=_text(contact_body, _("до кого звертатися"), 300),
        contact_details=(contact_details or "").strip()[:300],
        evidence=[r.as_dict() for r in found],
        marked_by=actor,
    )
    audit_record(actor=actor, action="practice_mark", obj=practice, summary=practice.topic)
    _invalidate_public()
    return practice


@transaction.atomic
def survey_report_publish(*, actor, survey, notes: str = "") -> SurveyReport:
    scope = scope_of(actor)
    if not (scope.superuser or scope.role == Role.MINISTRY_ANALYST):
        raise Forbidden(_("Оприлюднювати звіти зовнішньої оцінки може лише аналітик Мінцифри."))
    if SurveyReport.objects.filter(survey=survey).exists():
        raise Conflict(_("Звіт цього опитування вже оприлюднено."))
    report = SurveyReport.objects.create(
        survey=survey, notes=(notes or "").strip(), published_by=actor
    )
    audit_record(actor=actor, action="survey_report_publish", obj=report, summary=str(survey)[:200])
    _invalidate_public()
    return report


PUBLIC_TAG = "improvement"


def _invalidate_public() -> None:
    from yakist.portal.cache import ARCHIVE, invalidate

    # The open data catalogue (tagged ARCHIVE) lists these datasets too.
    transaction.on_commit(lambda: invalidate([PUBLIC_TAG, ARCHIVE]))
