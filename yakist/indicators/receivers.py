"""Listening to earlier stages: new inputs mark what the methodology must recompute."""

from django.dispatch import receiver

from yakist.cases.signals import cases_projected
from yakist.indicators.services import dirty_mark, periods_touched


@receiver(cases_projected)
def mark_cases_dirty(sender, *, main_centre_ids, provider_ids, moments, **kwargs) -> None:
    dirty_mark(
        period_codes=periods_touched(moments), centre_ids=main_centre_ids, provider_ids=provider_ids
    )
