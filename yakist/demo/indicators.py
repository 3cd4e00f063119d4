"""Demo step: load the methodology and compute the demo's quarters and years."""

from django.conf import settings

from yakist.core.periods import Period, kyiv_now
from yakist.demo.runner import DemoContext
from yakist.indicators.methodology import methodology_load
from yakist.indicators.services import indicators_compute

METHODOLOGY_FILE = settings.BASE_DIR / "data" / "methodology" / "2025.1.toml"


def compute(ctx: DemoContext) -> str:
    methodology_load(path=METHODOLOGY_FILE)
    today = kyiv_now().date()
    current = Period.quarter_of(today)
    # What the portal publishes and the dashboards open with; `make demo` computes the year so
    # far and the earlier quarters in the background once the server is up (`indicators backfill`).
    # Oldest first, so that rank movement finds the period before.
    periods = [Period(current.year - 1), current.previous(), current]
    total = 0
    for period in ctx.track(periods, total=len(periods), description="Показники"):
        report = indicators_compute(period=period)
        total += report.created + report.updated
    return f"Показники: {len(periods)} періодів, {total} значень, рейтинги ЦНАП і суб'єктів надання"
