"""What static monitoring tells later stages, without knowing them."""

from django.dispatch import Signal

# Sent inside the accepting transaction after quarterly reports were accepted (a first
# acceptance, or a corrected version accepted in place of the earlier one), with
# reports: list[tuple[int, str]] — (centre id, quarter code) of each accepted report; the
# centre may be an access point. Enough for the methodology to recompute exactly these.
reports_accepted = Signal()
