"""Demo step: publish the latest closed year and quarter for every subject through the real
services (the ministry's bulk publication), then one example correction."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from yakist.accounts.scope import scope_of
from yakist.core.periods import kyiv_now
from yakist.demo.runner import DemoContext
from yakist.portal import schedule, services, sources
from yakist.portal.models import Publication


def publish(ctx: DemoContext) -> str:
    today = kyiv_now().date()
    periods = schedule.closed_periods(today)
    if not any(sources.results_exist(period) for period in periods):
        return (
            "Оприлюднення: результатів показників ще немає (рушій методики не запущено) — "
            "нічого не оприлюднено"
        )
    ministry = get_user_model().objects.filter(username="ministry").first()
    scope = scope_of(ministry)
    subjects = sources.subjects_all()
    reports = [
        services.publication_publish_bulk(
            period=period, subjects=subjects, scope=scope, actor=ministry, today=today
        )
        for period in ctx.track(periods, total=len(periods), description="Оприлюднення")
    ]
    corrected = _example_correction(periods[-1], scope, ministry)
    published = sum(r.published for r in reports)
    blocked = sum(r.blocked_total for r in reports)
    summary = ", ".join(f"{r.period}: {r.published}" for r in reports)
    return (
        f"Оприлюднення: {published} звітів ({summary}); заблоковано через брак даних: "
        f"{blocked}; виправлень: {corrected}"
    )


def _example_correction(period, scope, actor) -> int:
    """A real correction story: an external satisfaction survey of one centre arrives after
    the yearly report was published; the figures are recomputed from it and the centre's
    report is corrected, the first version kept with a link to the new one."""
    import datetime as dt

    from yakist.feedback.models import ExternalSurvey
    from yakist.feedback.services import external_survey_import
    from yakist.indicators.services import indicators_compute
    from yakist.registry.models.reference import Centre

    original = (
        Publication.objects.filter(
            period=period.code, subject_type="centre", state=Publication.State.PUBLISHED
        )
        .order_by("-region_id", "subject_key")
        .first()
    )
    if original is None or original.version > 1 or period.is_quarter:
        return 0
    centre = Centre.objects.get(code=original.subject_key)
    survey = ExternalSurvey(
        name=f"Телефонне опитування відвідувачів, {period.code} (демо)",
        conducted_by="Контакт-центр Мінцифри",
        method="телефонне інтерв'ю",
        period_start=period.first_day,
        period_end=period.last_day,
    )
    # 40 answers, mostly critical: a real change that the recomputation has to show.
    rows = [
        {
            "centre_code": centre.code,
            "score": str(score),
            "overall": str(overall),
            "submitted_at": dt.datetime.combine(
                period.last_day, dt.time(12), tzinfo=dt.UTC
            ).isoformat(),
        }
        for score, overall in [(3, 2)] * 24 + [(8, 3)] * 10 + [(10, 4)] * 6
    ]
    count, errors = external_survey_import(survey=survey, rows=rows, actor=actor)
    if errors or not count:
        return 0
    indicators_compute(period=period, centre_ids={centre.pk}, provider_ids=set())
    subject = sources.subject_get("centre", original.subject_key)
    correction = services.publication_prepare(
        subject=subject,
        period=period,
        scope=scope,
        actor=actor,
        reason="Надійшли результати зовнішнього опитування задоволеності, проведеного в "
        "межах звітного року: задоволеність та індекс лояльності перераховано.",
    )
    services.publication_approve(publication=correction, scope=scope, actor=actor)
    services.publication_publish(publication=correction, scope=scope, actor=actor)
    return 1
