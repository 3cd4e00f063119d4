"""What the feedback stage tells later stages, without knowing them."""

from django.dispatch import Signal

# Sent inside the writing transaction after applicants' survey answers were added or removed
# (one answer, an imported or deleted external survey, a generated batch), with
# answers: list[tuple[int, datetime]] — (main centre id, submitted_at) of each answer.
# Enough for the methodology to recompute exactly the centres and periods they fall in.
survey_answers_changed = Signal()
