"""Static-monitoring API: the public form catalogue, and reports for systems that fill them.

`GET /api/v1/forms/current` is public, so integrators can build exports against the form.
Reports need a staff session (with CSRF for writes) or a personal token in
`Authorization: Bearer yks_…` (`yakist statmon token USERNAME`); both see only their scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Router, Schema
from ninja.security import HttpBearer, django_auth

from yakist.accounts.scope import scope_of
from yakist.core.periods import Period
from yakist.core.problems import NotFound, ValidationFailed
from yakist.statmon import drafts, prefill, selectors, services
from yakist.statmon.catalogue import form_in_force, form_spec
from yakist.statmon.specs import FormSpec
from yakist.statmon.tokens import token_user
from yakist.statmon.validation import coerce_json

router = Router(tags=["Статичний моніторинг"])

# The document states the period's form, so clients and fuzzers know it before they ask.
PeriodPath = Path(
    ...,
    description="Період: РРРР або РРРРQn, напр. 2026Q3",
    pattern=r"^\d{4}(-?[Qq][1-4])?$",
    example="2026Q3",
)
CentrePath = Path(..., description="Код центру з реєстру")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]


class ChoiceOut(Schema):
    value: str
    label: str
    label_en: str


class RulesOut(Schema):
    required: bool
    min: float | None
    max: float | None
    decimals: int
    checks: list[str] = Field(description="ідентифікатори міжпольових перевірок (див. checks)")


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    help: str
    type: str = Field(description="integer | decimal | percent | boolean | choice | text")
    unit: str
    choices: list[ChoiceOut]
    applies_to: list[str] = Field(
        description="види центрів: centre | subdivision | remote_workplace | mobile"
    )
    aggregation: str = Field(description="sum | mean | share | none")
    weight: str
    checklist: bool
    carry_over: bool
    prefill: str
    rules: RulesOut


class SectionOut(Schema):
    code: str
    title: str
    title_en: str
    source: str
    description: str
    indicators: list[IndicatorOut]


class CheckOut(Schema):
    id: str
    rule: str = Field(description="le | parts_le_total | required_if")
    severity: str = Field(description="error | warning")
    message: str = ""
    left: str = ""
    right: str = ""
    parts: list[str] = []
    total: str = ""
    field: str = ""
    when: str = ""


class FormOut(Schema):
    code: str
    version: int
    title: str
    title_en: str
    effective_from: dt.date
    effective_to: dt.date | None
    reporting_kinds: list[str]
    source: str
    sha256: str
    sections: list[SectionOut]
    checks: list[CheckOut]


def _form_out(form: FormSpec) -> dict[str, Any]:
    checks_of: dict[str, list[str]] = {}
    for check in form.checks:
        for code in check.codes:
            checks_of.setdefault(code, []).append(check.id)
    return {
        "code": form.code,
        "version": form.version,
        "title": form.title,
        "title_en": form.title_en,
        "effective_from": form.effective_from,
        "effective_to": form.effective_to,
        "reporting_kinds": list(form.reporting_kinds),
        "source": form.source,
        "sha256": form.sha256,
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "title_en": section.title_en,
                "source": section.source,
                "description": section.description,
                "indicators": [
                    {
                        "code": spec.code,
                        "name": spec.name,
                        "name_en": spec.name_en,
                        "help": spec.help,
                        "type": spec.type,
                        "unit": spec.unit,
                        "choices": [c.__dict__ for c in spec.choices],
                        "applies_to": sorted(spec.applies_to),
                        "aggregation": spec.aggregation,
                        "weight": spec.weight,
                        "checklist": spec.checklist,
                        "carry_over": spec.carry_over,
                        "prefill": spec.prefill,
                        "rules": {
                            "required": spec.required,
                            "min": None if spec.min_value is None else float(spec.min_value),
                            "max": None if spec.max_value is None else float(spec.max_value),
                            "decimals": spec.decimals,
                            "checks": checks_of.get(spec.code, []),
                        },
                    }
                    for spec in form.section_indicators(section)
                ],
            }
            for section in form.sections
        ],
        "checks": [check.as_dict() for check in form.checks],
    }


class FormNotFound(NotFound):
    slug = "form-not-found"
    title = gettext_lazy("Форму звітності не знайдено")
    description = gettext_lazy("Немає такої версії форми або жодна версія ще не діє.")


@router.get(
    "/forms/current",
    response=FormOut,
    auth=None,
    summary=str(gettext_lazy("Чинна форма квартального звіту (каталог показників)")),
)
def form_current(request: HttpRequest):
    form = form_in_force(selectors.today_kyiv())
    if form is None:
        raise FormNotFound()
    return _form_out(form_spec(form))


@router.get(
    "/forms/{int:version}",
    response=FormOut,
    auth=None,
    summary=str(gettext_lazy("Версія форми квартального звіту")),
)
def form_version(request: HttpRequest, version: int):
    form = selectors.form_get(version)
    if form is None:
        raise FormNotFound()
    return _form_out(form_spec(form))


class ReportOut(Schema):
    period: str
    centre_code: str
    centre_name: str
    form_version: int
    status: str = Field(
        description="not_started | draft | submitted | returned | accepted | locked"
    )
    deadline: dt.date
    draft_version: int = Field(description="надсилайте в PUT: захист від перезапису чужих змін")
    values: dict[str, Any]
    invalid: dict[str, str] = Field(description="введене, але ще не валідне (з веб-форми чи XLSX)")
    comments: dict[str, str]
    prefill: dict[str, Any] = Field(description="відомі Якості значення для порожніх полів")
    review_comment: str
    accepted_version: int | None


class ReportIn(Schema):
    draft_version: int
    values: dict[str, Any]
    comments: dict[str, str] = {}


class SubmitOut(Schema):
    status: str
    version: int
    warnings: int


class ReportNotFound(NotFound):
    slug = "report-not-found"
    title = gettext_lazy("Звіт не знайдено")
    description = gettext_lazy("Немає такого звіту або він поза вашою зоною відповідальності.")


def _report(request: HttpRequest, period: str, centre_code: str):
    try:
        Period.parse(period)
    except ValueError as error:
        raise ValidationFailed(str(error)) from error
    report = selectors.report_get_for(
        scope_of(request.user), period=period, centre_code=centre_code
    )
    if report is None:
        raise ReportNotFound()
    return report


def _report_out(report) -> dict[str, Any]:
    form = drafts.report_form(report)
    suggestions = prefill.suggestions(
        form.applicable(report.centre.kind), [report.centre], Period.parse(report.campaign.period)
    ).get(report.centre_id, {})
    return {
        "period": report.campaign.period,
        "centre_code": report.centre.code,
        "centre_name": report.centre.name,
        "form_version": report.campaign.form.version,
        "status": report.status,
        "deadline": report.campaign.deadline,
        "draft_version": report.draft_version,
        "values": report.values,
        "invalid": report.invalid,
        "comments": report.comments,
        "prefill": {
            code: {"value": s.value, "source": s.source}
            for code, s in suggestions.items()
            if code not in report.values
        },
        "review_comment": report.review_comment,
        "accepted_version": report.accepted_version.number if report.accepted_version else None,
    }


@router.get(
    "/statmon/reports/{period}/{centre_code}",
    response=ReportOut,
    auth=AUTH,
    summary=str(gettext_lazy("Звіт центру за квартал")),
)
def report_get(request: HttpRequest, period: str = PeriodPath, centre_code: str = CentrePath):
    return _report_out(_report(request, period, centre_code))


@router.put(
    "/statmon/reports/{period}/{centre_code}",
    response=ReportOut,
    auth=AUTH,
    summary=str(gettext_lazy("Записати значення чернетки звіту (повна заміна)")),
)
def report_put(
    request: HttpRequest, body: ReportIn, period: str = PeriodPath, centre_code: str = CentrePath
):
    report = _report(request, period, centre_code)
    form = drafts.report_form(report)
    applicable = {spec.code: spec for spec in form.applicable(report.centre.kind)}
    errors = []
    for code, value in body.values.items():
        spec = applicable.get(code)
        if spec is None:
            errors.append(
                {"code": code, "message": _("показник не належить до форми цього центру")}
            )
            continue
        error = coerce_json(spec, value)[1]
        if error is not None:
            errors.append({"code": code, "rule": error.rule, "message": error.message})
    for code, text in [*body.values.items(), *body.comments.items()]:
        if isinstance(text, str) and "\x00" in text:  # PostgreSQL text cannot hold NUL
            errors.append({"code": code, "message": _("текст містить символ NUL (\\u0000)")})
    if errors:
        # Nothing is saved: the client still holds every value it sent.
        raise ValidationFailed(
            _("Значення не пройшли перевірку (%(n)s); нічого не збережено.") % {"n": len(errors)},
            extra={"errors": errors},
        )
    drafts.report_save(
        report=report,
        entries=body.values,
        comments=body.comments,
        actor=request.user,
        draft_version=body.draft_version,
        mode="json",
        replace=True,
        refuse_stale=True,
        action="api",
        request=request,
    )
    report.refresh_from_db()
    return _report_out(report)


@router.post(
    "/statmon/reports/{period}/{centre_code}/submit",
    response=SubmitOut,
    auth=AUTH,
    summary=str(gettext_lazy("Подати звіт на перевірку")),
)
def report_submit(request: HttpRequest, period: str = PeriodPath, centre_code: str = CentrePath):
    report = _report(request, period, centre_code)
    version = services.report_submit(report=report, actor=request.user, request=request)
    return {
        "status": "submitted",
        "version": version.number,
        "warnings": sum(1 for f in version.findings if f["severity"] == "warning"),
    }
