"""Listening to the methodology: after a refresh, look for problems in the new figures."""

from django.dispatch import receiver

from yakist.improvement.detection import problems_detect
from yakist.indicators.signals import results_refreshed


@receiver(results_refreshed)
def detect_after_refresh(sender, *, periods, **kwargs) -> None:
    problems_detect(periods=periods)
