"""The quarterly report of a hromada's council (ОМС) or military administration: a small
form of its own (data/statmon/hromada-v1.yaml), filled and submitted by the hromada's
official, read by the oblast and the ministry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from yakist.accounts.scope import HROMADA_ROLES, Scope
from yakist.accounts.services import audit_record
from yakist.core.problems import Conflict, Forbidden, Problem
from yakist.registry.models.reference import Organisation
from yakist.statmon.models import HromadaReport

FORM_FILE = Path(settings.BASE_DIR) / "data" / "statmon" / "hromada-v1.yaml"
TYPES = ("boolean", "integer", "decimal", "text")


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    name_en: str
    type: str
    basis: dict

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") else self.name


@dataclass(frozen=True)
class Form:
    code: str
    version: int
    title: str
    items: tuple[Item, ...]


@lru_cache(maxsize=1)
def hromada_form() -> Form:
    document = yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))
    items = []
    for raw in document["indicators"]:
        basis = raw.get("basis") or {}
        if raw["type"] not in TYPES or basis.get("kind") not in ("act", "draft", "model"):
            raise ValueError(f"{FORM_FILE.name}: {raw['code']}: type or basis")
        items.append(Item(raw["code"], raw["name"], raw["name_en"], raw["type"], basis))
    form = document["form"]
    return Form(form["code"], int(form["version"]), form["title"], tuple(items))


class HromadaValueInvalid(Problem):
    slug = "hromada-report-invalid"
    status = 422
    title = gettext_lazy("Неприпустиме значення у звіті громади")
    description = gettext_lazy(
        "Значення пункту квартального звіту органу громади не відповідає його типу."
    )


def _parse(item: Item, text: str):
    text = (text or "").strip()
    if text == "":
        return None
    if item.type == "boolean":
        if text.lower() in ("1", "true", "так", "on", "yes"):
            return True
        if text.lower() in ("0", "false", "ні", "off", "no"):
            return False
    elif item.type == "integer":
        if text.isdigit():
            return int(text)
    elif item.type == "decimal":
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            value = None
        if value is not None and value >= 0:
            return str(value)
    else:
        return text[:2000]
    raise HromadaValueInvalid(
        _("«%(name)s»: значення «%(value)s» не підходить.") % {"name": item.name, "value": text}
    )


def hromada_reports_for(viewer: Scope) -> QuerySet[HromadaReport]:
    """Reports a viewer may read: the ministry all, the oblast its region's, a hromada
    official its own body's."""
    reports = HromadaReport.objects.select_related("organisation")
    if viewer.is_national:
        return reports
    if viewer.region_code:
        return reports.filter(organisation__region_id=viewer.region_code)
    if viewer.hromada_code:
        return reports.filter(
            Q(organisation__territory_id=viewer.hromada_code)
            | Q(organisation__territory__hromada_id=viewer.hromada_code)
        )
    return reports.none()


def hromada_body_of(viewer: Scope, user) -> Organisation:
    if viewer.role not in HROMADA_ROLES:
        raise Forbidden(_("Звіт громади подає посадовець її ради або військової адміністрації."))
    return user.staff_profile.organisation


def hromada_report_save(
    *, viewer: Scope, actor, period: str, data: dict[str, str], submit: bool
) -> HromadaReport:
    body = hromada_body_of(viewer, actor)
    form = hromada_form()
    report, _created = HromadaReport.objects.get_or_create(
        organisation=body, period=period, defaults={"form_version": form.version}
    )
    if report.status == HromadaReport.Status.SUBMITTED:
        raise Conflict(_("Звіт за %(period)s уже подано.") % {"period": period})
    report.values = {item.code: _parse(item, data.get(item.code, "")) for item in form.items}
    if submit:
        report.status = HromadaReport.Status.SUBMITTED
        report.submitted_at, report.submitted_by = timezone.now(), actor
    report.save()
    audit_record(
        actor=actor,
        action="hromada_report_submit" if submit else "hromada_report_save",
        obj=report,
        changes={"period": period},
    )
    return report
