"""Demo: the hromada bodies' own quarterly reports (yakist.statmon.hromada) — last quarter
submitted by the council's official, the current one a draft of the military administration."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from yakist.accounts.scope import scope_of
from yakist.core.periods import Period, kyiv_now
from yakist.demo.runner import DemoContext
from yakist.statmon.hromada import hromada_report_save
from yakist.statmon.models import HromadaReport


def reports(ctx: DemoContext) -> str:
    current = Period.quarter_of(kyiv_now())
    previous = current.previous()
    rng = ctx.rng("hromada-reports")
    users = get_user_model().objects.filter(username__in=["omc", "military"])
    made = 0
    for user in users.select_related("staff_profile"):
        submit = user.username == "omc"
        period = previous if submit else current
        if HromadaReport.objects.filter(
            organisation=user.staff_profile.organisation, period=period.code
        ).exists():
            continue
        hromada_report_save(
            viewer=scope_of(user),
            actor=user,
            period=period.code,
            data={
                "HR.OFFICIAL": "true",
                "HR.NOTIFIED": "true",
                "HR.POINTS_OPEN": str(rng.randint(2, 9)),
                "HR.BUDGET": f"{rng.randint(150, 900)}.5",
                "HR.MEASURES": str(rng.randint(0, 4)),
                "HR.NOTES": "Мобільний ЦНАП виїжджає до старостинських округів щовівторка (демо).",
            },
            submit=submit,
        )
        made += 1
    return f"Звіти громад: {made}"
