"""What the methodology tells later stages, without knowing them."""

from django.dispatch import Signal

# Sent after `indicators_refresh` recomputed figures, with periods: list[str] (the period codes
# it recomputed). Receivers (e.g. the problems register's detection) read the new results.
results_refreshed = Signal()
