"""What the cases stage tells later stages, without knowing them."""

from django.dispatch import Signal

# Sent after cases were (re)projected from their events, with
# main_centre_ids: set[int], provider_ids: set[int], moments: list[datetime] (received, done,
# rated) — enough for the methodology to recompute exactly what these cases touch.
cases_projected = Signal()
