"""Listening to earlier stages: new inputs mark what the methodology must recompute."""

from django.dispatch import receiver

from yakist.cases.signals import cases_projected
from yakist.feedback.signals import survey_answers_changed
from yakist.indicators.deltas import deltas_apply
from yakist.indicators.dirty_marks import (
    dirty_mark,
    dirty_mark_each,
    periods_of,
    periods_of_quarter,
    periods_touched,
)
from yakist.statmon.signals import reports_accepted


@receiver(cases_projected)
def keep_cube(sender, *, changes=(), **kwargs) -> None:
    """The cube and the duration histograms follow each case's change (new − old)."""
    deltas_apply(changes)


@receiver(cases_projected)
def mark_cases_dirty(sender, *, main_centre_ids, provider_ids, moments, **kwargs) -> None:
    dirty_mark(
        period_codes=periods_touched(moments), centre_ids=main_centre_ids, provider_ids=provider_ids
    )


@receiver(reports_accepted)
def mark_reports_dirty(sender, *, reports, **kwargs) -> None:
    """An accepted report feeds its centre's compliance and coverage: its quarter and year."""
    dirty_mark_each(
        centres={
            (centre_id, code)
            for centre_id, quarter in reports
            for code in periods_of_quarter(quarter)
        }
    )


@receiver(survey_answers_changed)
def mark_answers_dirty(sender, *, answers, **kwargs) -> None:
    """Survey answers feed their main centre's satisfaction and loyalty index."""
    dirty_mark_each(
        centres={(centre_id, code) for centre_id, moment in answers for code in periods_of(moment)}
    )
