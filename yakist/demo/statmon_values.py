"""Demo: one unit's synthetic answers to the quarterly form, section by section.

Kept apart from the step that writes the reports (yakist.demo.statmon), which only needs the
answers; the statmon tests fill their reports with the same answers. Two seeded generators
per unit: `stable` for what a centre keeps across quarters (premises, registers, checklists),
`flow` for what moves with the quarter. Each section draws from them in the order it always
has, so the same seed gives the same answers.
"""

from __future__ import annotations

import math
import random
from typing import Any

from yakist.core.periods import Period
from yakist.demo.runner import DemoContext
from yakist.registry.models.reference import Centre
from yakist.statmon.catalogue import FormSpec

SEASON = {1: 0.92, 2: 1.0, 3: 1.06, 4: 1.02}
KIND_SHARES = {
    "SRV.K_RESIDENCE": 0.16,
    "SRV.K_PASSPORT": 0.14,
    "SRV.K_CIVIL": 0.07,
    "SRV.K_PROPERTY": 0.09,
    "SRV.K_BUSINESS": 0.05,
    "SRV.K_LAND": 0.06,
    "SRV.K_SOCIAL": 0.15,
    "SRV.K_PENSION": 0.05,
    "SRV.K_VETERANS": 0.04,
    "SRV.K_CONSTRUCTION": 0.03,
    "SRV.K_TRANSPORT": 0.03,
    "SRV.K_PERMITS": 0.02,
    "SRV.K_LOCAL": 0.07,
    "SRV.K_OTHER": 0.02,
}
CHANNEL_SHARES = {
    "CNS.IN_PERSON": 0.5,
    "CNS.PHONE": 0.3,
    "CNS.EMAIL": 0.06,
    "CNS.MESSENGERS": 0.05,
    "CNS.CHAT": 0.03,
    "CNS.VIDEO": 0.01,
    "CNS.SOCIAL": 0.02,
}
REGISTERS = {
    "REG.EDR": 0.9,
    "REG.DRRP": 0.9,
    "REG.DZK": 0.7,
    "REG.DRATSS": 0.85,
    "REG.EDDR": 0.75,
    "REG.RTG": 0.95,
    "REG.EISSS": 0.8,
    "REG.PFU": 0.7,
    "REG.DIIA": 0.95,
    "REG.MVS": 0.3,
    "REG.VETERANS": 0.6,
    "REG.TREMBITA": 0.5,
    "REG.SEV_OVV": 0.6,
}
RELATED_SERVICES = (
    ("REL.PAYMENT_TERMINAL", 0.85),
    ("REL.BANK", 0.3),
    ("REL.COPY", 0.9),
    ("REL.PHOTO", 0.6),
    ("REL.NOTARY", 0.2),
    ("REL.LEGAL_AID", 0.4),
    ("REL.POST", 0.3),
    ("REL.INSURANCE", 0.2),
    ("REL.STATIONERY", 0.5),
    ("REL.LAMINATION", 0.6),
    ("REL.TRANSLATION", 0.1),
)
# Premises features a better-run centre has more of.
FACILITIES = (
    "PRM.STEP_FREE",
    "PRM.ACCESSIBLE_WC",
    "PRM.TACTILE",
    "PRM.HEARING_LOOP",
    "PRM.PARKING",
    "PRM.CHILD_AREA",
    "PRM.WIFI",
    "PRM.SELF_SERVICE",
    "PRM.E_QUEUE",
    "PRM.INFO_TERMINAL",
    "PRM.DRINKING_WATER",
    "PRM.CLIMATE",
    "PRM.SHELTER",
)
# Answers the registry knows, as the prefill offers them: form code -> registry fact.
REGISTRY_GENERAL = (
    ("GEN.SUBDIVISIONS", "subdivisions"),
    ("GEN.REMOTE_WP", "remote_workplaces"),
    ("GEN.MOBILE", "mobile_units"),
)
REGISTRY_HOURS = (
    ("HRS.SCHEDULE", "working_hours"),
    ("HRS.WEEKLY_HOURS", "weekly_hours"),
    ("HRS.DAYS_PER_WEEK", "days_per_week"),
    ("HRS.SATURDAY", "saturday"),
    ("HRS.EVENING", "evening"),
    ("HRS.NO_BREAK", "no_break"),
)


class _Draws:
    """One unit's two generators and the centre traits every section draws with."""

    def __init__(self, seed: int, centre: Centre, period: Period) -> None:
        self.stable = random.Random(f"{seed}:statmon:{centre.code}")
        self.flow = random.Random(f"{seed}:statmon:{centre.code}:{period.code}")
        self.population = centre.population_served or 3000
        self.quality = self.stable.uniform(0.55, 0.97)
        self.season = SEASON[period.quarter] * self.flow.uniform(0.9, 1.1)

    def yes(self, p: float) -> bool:
        return self.stable.random() < p

    def ratio(self, low: float, high: float) -> float:
        """A centre's own share, steady across quarters up to a little noise."""
        return self.stable.uniform(low, high) * self.flow.uniform(0.93, 1.07)

    def count(self, low: int, high: int) -> int:
        return int(self.stable.uniform(low, high) * self.flow.uniform(0.9, 1.1))


def applications_density(centres: list[Centre], dynamic: dict[int, dict[str, int]]) -> float:
    """Applications per 1,000 residents per quarter among centres whose cases are streamed."""
    population = sum(c.population_served or 0 for c in centres if dynamic.get(c.pk))
    applications = sum(f.get("applications", 0) for f in dynamic.values())
    return 1000 * applications / population if population else 40.0


def centre_values(
    form: FormSpec,
    centre: Centre,
    facts: dict[str, Any],
    period: Period,
    ctx: DemoContext,
    *,
    dynamic: dict[str, int] | None = None,
    density: float = 40.0,
) -> dict[str, Any]:
    """One unit's answers. A per-centre generator keeps stable answers (premises, registers,
    checklists) identical across quarters, while flows vary a little with the season."""
    d = _Draws(ctx.seed, centre, period)
    applicable = form.applicable_codes(centre.kind)
    v: dict[str, Any] = {}
    _general(d, v, facts)
    admins = _staff(d, v, centre.kind)
    applications = _services(d, v, applicable, dynamic, density)
    _consultations(d, v, applicable, applications)
    _related_and_registers(d, v, centre.kind, applicable)
    _premises(d, v, admins)
    _hours(d, v, facts)
    _feedback_digital_outreach(d, v, applications)
    _checklists(d, v, form, facts)
    return {
        code: value
        for code, value in v.items()
        if code in applicable
        and value is not None
        and not (isinstance(value, float) and math.isnan(value))
    }


def _general(d: _Draws, v: dict[str, Any], facts: dict[str, Any]) -> None:
    """General and registry-known facts: exactly what the registry says."""
    v["GEN.POPULATION"] = facts.get("population_served")
    for code, fact in REGISTRY_GENERAL:
        v[code] = facts.get(fact)
    days_per_week = facts.get("days_per_week") or 5
    v["GEN.DAYS_SCHEDULED"] = min(92, 13 * days_per_week - d.flow.randint(0, 2))
    v["GEN.DAYS_CLOSED"] = d.flow.choice([0, 0, 0, 1, 2, 4])
    v["GEN.DAYS_OPEN"] = v["GEN.DAYS_SCHEDULED"] - v["GEN.DAYS_CLOSED"]
    v["GEN.OUTAGE_HOURS"] = d.count(0, 90)
    v["GEN.BACKUP_POWER"] = d.yes(0.8)
    v["GEN.RESILIENCE_POINT"] = d.yes(0.35)
    v["GEN.INFO_SYSTEM"] = d.stable.choices(
        ["vulyk", "own", "other", "none"], [0.7, 0.15, 0.1, 0.05]
    )[0]


def _staff(d: _Draws, v: dict[str, Any], kind: str) -> int:
    """Staff by role and their movements; returns the administrators (the premises' desks)."""
    stable = d.stable
    if kind == Centre.Kind.CENTRE:
        admins = max(2, min(60, round(d.population / 5000 * stable.uniform(0.7, 1.3))))
        registrars = max(1, admins // 4)
        social = max(1, admins // 5)
        other = max(1, admins // 6)
    elif kind == Centre.Kind.SUBDIVISION:
        admins, registrars, social, other = stable.randint(1, 3), 1, stable.randint(0, 1), 0
    else:
        admins, registrars, social, other = 1, 0, 0, 0
    total = admins + registrars + social + other
    v.update(
        {
            "STF.ADMINS": admins,
            "STF.REGISTRARS": registrars,
            "STF.SOCIAL": social,
            "STF.OTHER": other,
            "STF.TOTAL": total,
        }
    )
    v["STF.VACANCIES"] = stable.randint(0, max(0, total // 5))
    v["STF.POSITIONS"] = total + v["STF.VACANCIES"]
    v["STF.ON_LEAVE"] = min(total, d.count(0, total // 8))
    v["STF.MOBILISED"] = stable.randint(0, total // 10)
    v["STF.HIRED"] = d.count(0, 1 + total // 15)
    v["STF.DISMISSED"] = d.count(0, 1 + total // 20)
    v["STF.TRAINED"] = min(total, d.count(0, total))
    v["STF.DIIA_EDU"] = stable.randint(total // 2, total)
    v["STF.SIGN_LANGUAGE"] = min(total, stable.choice([0, 0, 1]))
    v["STF.ENGLISH"] = stable.randint(0, total // 2)
    v["STF.QES"] = stable.randint(total // 2, total)
    v["STF.AVG_SALARY"] = int(stable.uniform(14000, 24000))
    return admins


def _services(
    d: _Draws,
    v: dict[str, Any],
    applicable: set[str],
    dynamic: dict[str, int] | None,
    density: float,
) -> int:
    """Services and visitors; returns the applications the later sections scale with."""
    if dynamic and dynamic.get("applications"):
        applications, kinds = _streamed_flows(d, v, applicable, dynamic)
    else:
        applications, kinds = _estimated_flows(d, v, applicable, density)
    v["SRV.EXTERRITORIAL"] = int(applications * d.ratio(0.02, 0.15))
    v["SRV.PAID"] = int(applications * d.ratio(0.2, 0.4))
    v["SRV.FEES"] = round(v["SRV.PAID"] * d.ratio(0.1, 0.2), 1)
    v["SRV.COMPLEX"] = int(applications * d.ratio(0.005, 0.02))
    v.update(kinds)
    v["SRV.LIST_TOTAL"] = d.stable.randint(80, 250)
    v["SRV.LIST_OWN"] = int(v["SRV.LIST_TOTAL"] * d.stable.uniform(0.2, 0.4))
    v["SRV.LIST_STATE"] = int(v["SRV.LIST_TOTAL"] * d.stable.uniform(0.4, 0.6))
    v["SRV.VISITORS"] = int(applications * d.ratio(1.1, 1.5))
    v["SRV.BOOKED"] = int(v["SRV.VISITORS"] * d.ratio(0.05, 0.3))
    v["SRV.WAIT_AVG"] = round(d.ratio(3, 25), 1)
    v["SRV.WAIT_MAX"] = round(v["SRV.WAIT_AVG"] * d.ratio(2, 5), 1)
    v["SRV.SERVICE_AVG"] = round(d.ratio(8, 25), 1)
    return applications


def _streamed_flows(
    d: _Draws, v: dict[str, Any], applicable: set[str], dynamic: dict[str, int]
) -> tuple[int, dict[str, int]]:
    """A connected centre reports what its system sent, plus the few cases it missed."""
    missed = d.stable.uniform(1.0, 1.12)  # cases entered by hand, never streamed
    applications = round(dynamic["applications"] * missed)
    v["SRV.APPLICATIONS"] = applications
    v["SRV.RESULTS"] = round(dynamic["results"] * missed)
    v["SRV.REFUSALS"] = min(v["SRV.RESULTS"], round(dynamic["refusals"] * missed))
    v["SRV.OVERDUE"] = min(v["SRV.RESULTS"], round(dynamic["overdue"] * missed))
    v["SRV.ONLINE"] = min(applications, round(dynamic["applications_online"] * missed))
    kinds = {
        code: int(dynamic.get("kind_" + code.split("K_")[1].lower(), 0) * missed)
        for code in KIND_SHARES
        if code in applicable
    }
    return applications, kinds


def _estimated_flows(
    d: _Draws, v: dict[str, Any], applicable: set[str], density: float
) -> tuple[int, dict[str, int]]:
    """A centre without a connected system: the streamed centres' rate per resident."""
    applications = max(
        1, round(d.population / 1000 * density * d.season * d.stable.uniform(0.8, 1.2))
    )
    v["SRV.APPLICATIONS"] = applications
    v["SRV.RESULTS"] = int(applications * min(0.99, d.ratio(0.85, 0.98)))
    v["SRV.REFUSALS"] = int(v["SRV.RESULTS"] * d.ratio(0.01, 0.05))
    v["SRV.OVERDUE"] = int(v["SRV.RESULTS"] * d.ratio(0.0, 0.03))
    v["SRV.ONLINE"] = int(applications * d.ratio(0.05, 0.25))
    shares = {code: share for code, share in KIND_SHARES.items() if code in applicable}
    norm = sum(shares.values()) or 1
    spread = min(0.99, d.ratio(0.9, 0.99))
    kinds = {
        code: int(applications * spread * share / norm * min(1.0, d.ratio(0.8, 1.0)))
        for code, share in shares.items()
    }
    return applications, kinds


def _consultations(d: _Draws, v: dict[str, Any], applicable: set[str], applications: int) -> None:
    """Consultations by channel (parts never exceed the total)."""
    v["CNS.TOTAL"] = int(applications * d.ratio(0.5, 1.0))
    channels = {code: share for code, share in CHANNEL_SHARES.items() if code in applicable}
    norm = sum(channels.values()) or 1
    for code, share in channels.items():
        v[code] = int(v["CNS.TOTAL"] * share / norm * min(1.0, d.ratio(0.85, 1.0)))
    v["CNS.INTERPRETER"] = min(v["CNS.TOTAL"], d.count(0, 3))
    v["CNS.HOTLINE"] = d.yes(0.6)
    v["CNS.PHONE_LINES"] = d.stable.randint(1, 4)
    v["CNS.CALLBACK"] = d.yes(0.3)
    v["CNS.EMAIL_HOURS"] = round(d.ratio(2, 48), 1)


def _related_and_registers(d: _Draws, v: dict[str, Any], kind: str, applicable: set[str]) -> None:
    """Related services on the premises and the registers the centre works with."""
    for code, p in RELATED_SERVICES:
        v[code] = d.yes(p)
    v["REL.COUNT"] = int(v["SRV.VISITORS"] * d.ratio(0.05, 0.3))
    v["REL.REVENUE"] = round(v["REL.COUNT"] * d.ratio(0.02, 0.06), 1)
    for code, p in REGISTERS.items():
        v[code] = d.yes(p)
    v["REG.PASSPORT_STATIONS"] = (
        d.stable.randint(0, 3) if kind == Centre.Kind.CENTRE else d.stable.randint(0, 1)
    )
    v["REG.COUNT"] = sum(1 for code in REGISTERS if code in applicable and v[code])


def _premises(d: _Draws, v: dict[str, Any], admins: int) -> None:
    """Premises: area scales with the population served, desks with the administrators."""
    stable = d.stable
    area = round(max(25.0, min(2500.0, d.population / 120 * stable.uniform(0.6, 1.4))), 1)
    v["PRM.AREA"] = area
    v["PRM.OPEN_AREA"] = round(area * stable.uniform(0.5, 0.8), 1)
    v["PRM.WAITING_AREA"] = round(v["PRM.OPEN_AREA"] * stable.uniform(0.3, 0.6), 1)
    v["PRM.WORKPLACES"] = admins + stable.randint(0, 2)
    v["PRM.WORKPLACES_USED"] = min(v["PRM.WORKPLACES"], admins + d.count(0, 1))
    v["PRM.SEATS"] = v["PRM.WORKPLACES"] * stable.randint(2, 5)
    v["PRM.FLOOR"] = stable.choices(
        ["ground", "basement", "upper_lift", "upper_no_lift"], [0.75, 0.05, 0.12, 0.08]
    )[0]
    for code in FACILITIES:
        v[code] = d.yes(d.quality)
    v["PRM.RENOVATED"] = stable.randint(2005, 2025)


def _hours(d: _Draws, v: dict[str, Any], facts: dict[str, Any]) -> None:
    """Working hours: from the registry, as the prefill offers them."""
    for code, fact in REGISTRY_HOURS:
        v[code] = facts.get(fact)
    v["HRS.CHANGED"] = d.flow.random() < 0.05


def _feedback_digital_outreach(d: _Draws, v: dict[str, Any], applications: int) -> None:
    """Feedback, digital, outreach."""
    v["FBK.SURVEYS"] = int(v["SRV.VISITORS"] * d.ratio(0.02, 0.15))
    satisfied = round(min(100.0, d.ratio(85, 99.5)), 1)  # drawn always: keeps the sequence steady
    v["FBK.SATISFIED"] = satisfied if v["FBK.SURVEYS"] else None
    v["FBK.COMPLAINTS"] = d.count(0, 5)
    v["FBK.COMPLAINTS_RESOLVED"] = min(v["FBK.COMPLAINTS"], d.count(0, v["FBK.COMPLAINTS"]))
    v["FBK.SUGGESTIONS"] = d.count(0, 8)
    v["FBK.QR"] = d.yes(0.8)
    v["FBK.BOOK"] = d.yes(0.9)
    v["FBK.MYSTERY"] = d.flow.random() < 0.2
    v["DIG.EDMS"] = d.yes(0.7)
    v["DIG.EDOCS_SENT"] = int(applications * d.ratio(0.1, 0.6))
    v["DIG.PAPER_SENT"] = int(applications * d.ratio(0.05, 0.3))
    v["DIG.ASSISTANT"] = int(v["SRV.VISITORS"] * d.ratio(0.01, 0.05))
    v["DIG.SIGNATURE"] = d.count(0, 30)
    v["MOB.HOME_VISITS"] = d.count(0, 15)
    v["MOB.TRIPS"] = d.count(0, 20)
    v["MOB.SERVICES"] = v["MOB.TRIPS"] * d.count(3, 15)
    v["MOB.SETTLEMENTS"] = min(v["MOB.TRIPS"], d.count(0, 12))


def _checklists(d: _Draws, v: dict[str, Any], form: FormSpec, facts: dict[str, Any]) -> None:
    """Compliance checklists: the better-run centres meet more requirements."""
    for code in form.indicators:
        if code.startswith(("OFF.", "ONL.")):
            v[code] = d.yes(d.quality)
    v["OFF.SATURDAY"] = bool(facts.get("saturday"))
    v["OFF.EVENING"] = bool(facts.get("evening"))
    v["ONL.CHAT_5MIN"] = d.yes(d.quality) if v.get("ONL.CHAT") else None
