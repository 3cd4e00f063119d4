"""Demo step: the improvement loop on the demo world's own figures.

The quarter before the last closed one is computed, problems are detected in the new figures,
and measures are recorded where the figures did change (the biggest rises of data coverage
against peers: a centre whose case system resumed sending); those with a measured effect are
resolved and shared as practices. Also a staff-raised and a citizen's problem, problems in every
state, a measure still waiting for its "after" quarter, and one external survey with its report.
"""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.auth import get_user_model

from yakist.core.periods import Period, kyiv_now
from yakist.demo.runner import DemoContext
from yakist.feedback.models import ExternalSurvey, FeedbackMessage
from yakist.feedback.services import external_survey_import
from yakist.improvement import effect, services
from yakist.improvement.detection import problems_detect
from yakist.improvement.models import Measure, Problem
from yakist.improvement.subjects import SubjectRef, subject_resolve
from yakist.indicators.models import IndicatorResult
from yakist.indicators.services import indicators_compute
from yakist.registry.enums import Status
from yakist.registry.models.reference import Centre

LVIV_REGION = "UA46000000000026241"


def _candidates(before: Period, after: Period, code: str, limit: int) -> list[str]:
    """Centres whose figure rose most against the mean change (z of the difference)."""

    def values(period):
        return {
            key: (value, denominator)
            for key, value, denominator in IndicatorResult.objects.filter(
                period=period.code,
                subject_type="centre",
                breakdown="",
                is_current=True,
                indicator_code=code,
                status="ok",
            ).values_list("subject_key", "value", "denominator")
        }

    a, b = values(before), values(after)
    common = [k for k in a if k in b and a[k][1] and b[k][1]]
    if not common:
        return []
    mean = sum(b[k][0] - a[k][0] for k in common) / len(common)

    def z(key):
        (va, da), (vb, db) = a[key], b[key]
        variance = max(va * (1 - va), 0.25 / da) / da + max(vb * (1 - vb), 0.25 / db) / db
        return (vb - va - mean) / math.sqrt(variance)

    return sorted(common, key=z, reverse=True)[:limit]


def loop(ctx: DemoContext) -> str:
    users = get_user_model().objects
    ministry = users.get(username="ministry")
    coordinator = users.filter(username="coordinator").first()
    centre_user = users.filter(username="centre").first()
    today = kyiv_now().date()
    after = Period.quarter_of(today).previous()
    before = after.previous()
    indicators_compute(period=before)
    detected = problems_detect(periods=[before.code, after.code, str(after.year - 1)], today=today)
    practices = _coverage_practices(ministry, coordinator, before, after, today)
    _checklist_measure(ministry, before, after)
    _own_centre_problems(ministry, centre_user, today)
    _states(ministry)
    surveyed = _external_survey(ctx, ministry, after)
    return (
        f"Вдосконалення: {detected} проблем виявлено автоматично, {practices} добрі практики, "
        f"зовнішнє опитування на {surveyed} відповідей"
    )


def _coverage_practices(
    ministry, coordinator, before: Period, after: Period, today: dt.date
) -> int:
    """Measures where coverage rose most; up to two with an effect become practices (one per
    region): a centre whose case system resumed sending."""
    practices = 0
    regions_done: set[str] = set()
    for code in _candidates(before, after, "coverage", 12):
        if practices >= 2:
            break
        subject = subject_resolve(f"centre:{code}")
        if subject.region_id in regions_done:
            continue
        problem = _coverage_problem(ministry, code, subject)
        measure = _coverage_measure(ministry, subject, problem, after)
        if not effect.shows_effect(measure, today=today):
            continue
        services.problem_transition(actor=ministry, problem=problem, status="resolved")
        marker = (
            coordinator
            if coordinator is not None and subject.region_id == LVIV_REGION
            else ministry
        )
        _coverage_practice(marker, subject, problem, measure, today)
        regions_done.add(subject.region_id)
        practices += 1
    return practices


def _coverage_problem(ministry, code: str, subject: SubjectRef) -> Problem:
    """The centre's open problem (detected or raised now), taken into work."""
    problem = (
        Problem.objects.filter(subject_type="centre", subject_key=code, status__in=Problem.OPEN)
        .order_by("pk")
        .first()
    ) or services.problem_raise(
        actor=ministry,
        subject=subject,
        title="Дані динамічного моніторингу неповні: система центру передає не всі справи",
        owner=subject.name,
    )
    if problem.status == Problem.Status.NEW:
        services.problem_transition(actor=ministry, problem=problem, status="in_work")
    return problem


def _coverage_measure(ministry, subject: SubjectRef, problem: Problem, after: Period) -> Measure:
    return services.measure_record(
        actor=ministry,
        subject=subject,
        title="Відновлено передачу даних із ПК ЦНАП до системи моніторингу",
        description=(
            "Оновлено ключ підпису інформаційної системи центру і налаштовано повторне "
            "надсилання подій, що не дійшли; адміністратор щодня перевіряє журнал передачі."
        ),
        responsible_body=subject.name,
        started_on=after.first_day,
        completed_on=after.first_day,
        indicators_aimed=["coverage", "timeliness"],
        problem=problem,
    )


def _coverage_practice(
    marker, subject: SubjectRef, problem: Problem, measure: Measure, today: dt.date
) -> None:
    services.practice_mark(
        actor=marker,
        problem=problem,
        measure=measure,
        topic="Повнота даних моніторингу",
        summary=(
            "Після оновлення ключа і повторного надсилання подій справи центру знову "
            "надходять до системи; повнота даних зросла більше, ніж у групі порівняння."
        ),
        contact_body=subject.name,
        today=today,
    )


def _checklist_measure(ministry, before: Period, after: Period) -> None:
    """A checklist measure, read honestly whatever it shows, and still waiting for "after"."""
    for code in _candidates(before, after, "offline_compliance", 1):
        services.measure_record(
            actor=ministry,
            subject=subject_resolve(f"centre:{code}"),
            title="Облаштовано зону очікування та інформаційні стенди",
            responsible_body="Виконавчий комітет ради",
            started_on=after.first_day,
            indicators_aimed=["offline_compliance", "satisfaction"],
            addresses="Невиконані вимоги до приміщення за чек-листом",
        )


def _own_centre_problems(ministry, centre_user, today: dt.date) -> None:
    """A problem the centre's staff raised with its measure, and one from a citizen's message."""
    own = _own_centre(centre_user)
    if own is None:
        return
    problem = services.problem_raise(
        actor=centre_user,
        subject=subject_resolve(f"centre:{own.code}"),
        title="Довгі черги в понеділок зранку",
        description="Відвідувачі скаржаться на очікування понад 30 хвилин на початку тижня.",
    )
    services.measure_record(
        actor=centre_user,
        subject=subject_resolve(f"centre:{own.code}"),
        title="Додаткове вікно прийому в понеділок з 8:00",
        responsible_body=own.name,
        started_on=today - dt.timedelta(days=20),
        indicators_aimed=["satisfaction", "timeliness"],
        problem=problem,
    )
    message = FeedbackMessage.objects.filter(routed_centre=own).first() or (
        FeedbackMessage.objects.order_by("pk").first()
    )
    if message is not None:
        services.problem_raise(
            actor=ministry,
            subject=subject_resolve(f"centre:{own.code}"),
            title="Розбіжність графіка роботи на сайті і в центрі",
            message=message,
        )


def _own_centre(user) -> Centre | None:
    profile = getattr(user, "staff_profile", None) if user is not None else None
    return profile.centre if profile is not None else None


def _states(actor) -> None:
    """Some detected problems taken into work, one found not confirmed."""
    new = list(
        Problem.objects.filter(status=Problem.Status.NEW)
        .exclude(detection_key="")
        .order_by("kind", "pk")[:6]
    )
    for index, problem in enumerate(new):
        status = "not_confirmed" if index == 0 else "in_work"
        services.problem_transition(actor=actor, problem=problem, status=status)


def _external_survey(ctx: DemoContext, actor, quarter: Period) -> int:
    """A trial external assessment (Resolution 864 p. 2(5)) in three regions, and its report."""
    rng = ctx.rng("external-survey")
    centres = list(
        Centre.objects.filter(kind=Centre.Kind.CENTRE, status=Status.ACTIVE)
        .exclude(region__occupied=True)
        .order_by("region_id", "code")
        .values_list("code", "region_id")
    )
    regions = sorted({region for _, region in centres})
    chosen = [LVIV_REGION, *[r for r in regions if r != LVIV_REGION][:2]]
    rows = []
    for code, region in centres:
        if region not in chosen:
            continue
        quality = ctx.centre_quality(code)
        for _ in range(rng.randint(4, 9)):
            overall = min(4, max(1, round(0.7 + 3 * quality + rng.gauss(0, 0.7))))
            score = min(10, max(0, round(3 + 7 * quality + rng.gauss(0, 1.8))))
            day = quarter.first_day + dt.timedelta(days=rng.randint(30, 60))
            rows.append(
                {
                    "centre_code": code,
                    "overall": str(overall),
                    "score": str(score),
                    "submitted_at": f"{day.isoformat()}T12:00:00+03:00",
                }
            )
    survey = ExternalSurvey(
        name="Пробна зовнішня оцінка рівня задоволеності (демонстраційна)",
        conducted_by="Незалежна соціологічна служба (умовна, демо)",
        method="Телефонне інтерв'ю (CATI) з відвідувачами центрів, випадкова вибірка",
        period_start=quarter.first_day + dt.timedelta(days=30),
        period_end=quarter.first_day + dt.timedelta(days=60),
        file_name="external-demo.csv",
    )
    count, errors = external_survey_import(survey=survey, rows=rows, actor=actor)
    if errors or not count:
        return 0
    services.survey_report_publish(
        actor=actor,
        survey=survey,
        notes=(
            "Вибірка телефонних номерів відвідувачів, які погодилися на дзвінок; "
            "похибку показують інтервали."
        ),
    )
    return count
