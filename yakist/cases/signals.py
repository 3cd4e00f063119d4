"""What the cases stage tells later stages, without knowing them."""

from django.dispatch import Signal

# Sent after cases were (re)projected from their events, with
# main_centre_ids: set[int], provider_ids: set[int], moments: list[datetime] (received, done,
# rated) — enough for the methodology to recompute exactly what these cases touch — and
# changes: list[(CaseFacts | None, CaseFacts)], each case's facts before (None: a new case) and
# after (yakist.cases.store.CaseFacts), so counts can be kept by their difference.
cases_projected = Signal()
