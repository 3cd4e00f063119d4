"""Demo step: publish the latest closed year and quarter for every subject through the real
services (the ministry's bulk publication), then one example correction."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from yakist.accounts.scope import scope_of
from yakist.core.demo import DemoContext
from yakist.core.periods import kyiv_now
from yakist.indicators.models import IndicatorResult
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
    """The Lviv city centre's yearly report, corrected after its timeliness was recomputed."""
    original = (
        Publication.objects.filter(
            period=period.code, subject_type="centre", state=Publication.State.PUBLISHED
        )
        .order_by("-region_id", "subject_key")
        .first()
    )
    if original is None or original.version > 1:
        return 0
    result = IndicatorResult.objects.filter(
        indicator_code="timeliness",
        subject_type="centre",
        subject_key=original.subject_key,
        period=period.code,
        breakdown="",
        is_current=True,
        status="ok",
    ).first()
    if result is not None:
        # The engine's own way to correct a figure: a new revision, the old row kept.
        IndicatorResult.objects.filter(pk=result.pk).update(is_current=False)
        result.pk, result.revision, result.is_current = None, result.revision + 1, True
        result.value = round(max(0.0, (result.value or 0) - 0.021), 4)
        if result.denominator:
            result.numerator = round(result.value * result.denominator)
        result.save()
    subject = sources.subject_get("centre", original.subject_key)
    correction = services.publication_prepare(
        subject=subject,
        period=period,
        scope=scope,
        actor=actor,
        reason="Центр уточнив дані про вчасність: частину справ було закрито після строку.",
    )
    services.publication_approve(publication=correction, scope=scope, actor=actor)
    services.publication_publish(publication=correction, scope=scope, actor=actor)
    return 1
