"""Test data for static monitoring, built by the same seeded generator as the demo."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from rich.console import Console

from yakist.conftest import TEST_SEED
from yakist.core.periods import Period
from yakist.demo import statmon as demo
from yakist.demo.runner import DemoContext
from yakist.registry.models.reference import Centre
from yakist.statmon import drafts, prefill, selectors, services
from yakist.statmon.models import Report
from yakist.statmon.validation import input_value

LVIV = "UA46000000000026241"
VOLYN = "UA07000000000024379"
CATALOGUE = Path(settings.BASE_DIR) / "data" / "statmon" / "form-v1.yaml"


def current_period() -> Period:
    return Period.quarter_of(selectors.today_kyiv())


def valid_values(report: Report) -> dict:
    """A complete, consistent set of answers for `report` (what the demo would generate)."""
    form = drafts.report_form(report)
    period = Period.parse(report.campaign.period)
    facts = prefill.sources()["registry"].provide([report.centre], period).get(report.centre_id, {})
    context = DemoContext(seed=TEST_SEED, scale=1.0, console=Console(quiet=True))
    return demo.centre_values(form, report.centre, facts, period, context)


def as_entries(report: Report, values: dict) -> dict[str, str]:
    """The same answers as a person would type them into the web form."""
    form = drafts.report_form(report)
    return {code: input_value(form.indicators[code], value) for code, value in values.items()}


def fill(report: Report, actor, values: dict | None = None) -> Report:
    drafts.report_save(
        report=report,
        entries=values if values is not None else valid_values(report),
        actor=actor,
        mode="json",
    )
    report.refresh_from_db()
    return report


def submit(report: Report, actor, values: dict | None = None) -> Report:
    """Fill with valid answers, explain whatever warnings they raise, submit."""
    fill(report, actor, values)
    warnings = [f for f in services.report_check(report) if not f.is_error]
    if warnings:
        drafts.report_save(
            report=report,
            entries={},
            comments={f.code: "Перевірено: значення правильне." for f in warnings},
            actor=actor,
        )
    services.report_submit(report=report, actor=actor)
    report.refresh_from_db()
    return report


def current_report(centre: Centre) -> Report:
    return Report.objects.select_related("campaign__form", "centre").get(
        campaign__period=current_period().code, centre=centre
    )


def own_centre(user) -> Centre:
    return user.staff_profile.centre


def other_centre(region: str, *, exclude: Centre | None = None) -> Centre:
    queryset = Centre.objects.filter(
        region_id=region, kind=Centre.Kind.CENTRE, status="active", parent=None
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.order_by("code").first()
