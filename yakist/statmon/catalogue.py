"""Stored form versions: loading a checked catalogue file as an immutable version, and the
cached specification of a stored one.

A catalogue file is reviewed like code (data/statmon/). Loading it never edits a stored
version: the same file again is a no-op, a changed file needs a new version number, and the
new version's effective period may only follow the ones already loaded (an open-ended
predecessor is closed the day before the new one starts). Parsing lives in catalogue_parse.py,
the spec types in specs.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yakist.accounts.services import audit_record
from yakist.statmon.catalogue_parse import CatalogueErrors, CatalogueInvalid, catalogue_parse
from yakist.statmon.models import FormVersion, Indicator, Section
from yakist.statmon.specs import (
    SHORTHAND_BASIS,
    CheckSpec,
    Choice,
    FormSpec,
    IndicatorSpec,
    SectionSpec,
)

# --- Storing a form version ----------------------------------------------------------------------


@dataclass
class LoadResult:
    form: FormVersion
    created: bool
    superseded: FormVersion | None = None
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def form_load(*, content: bytes, file_name: str = "", actor=None) -> LoadResult:
    """Load a catalogue file as a new form version (or recognise it as already loaded)."""
    from yakist.statmon import prefill

    spec = catalogue_parse(content, file_name=file_name)
    existing = list(FormVersion.objects.select_for_update().filter(code=spec.code))
    same = _same_version(spec, existing)
    if same is not None:
        return LoadResult(form=same, created=False)
    superseded = _predecessor(spec, existing)
    if superseded is not None:
        # Supersession sets the end of the predecessor's period; its content never changes.
        superseded.effective_to = spec.effective_from - dt.timedelta(days=1)
        superseded.save(update_fields=["effective_to"])
    form = _form_store(spec, file_name=file_name, actor=actor)
    audit_record(
        actor=actor,
        action="statmon_form_load",
        obj=form,
        changes={
            "version": spec.version,
            "sha256": spec.sha256,
            "indicators": len(spec.indicators),
            "superseded": superseded.version if superseded else None,
        },
    )
    return LoadResult(
        form=form,
        created=True,
        superseded=superseded,
        warnings=prefill.unregistered(spec.indicators.values()),
    )


def _same_version(spec: FormSpec, existing: list[FormVersion]) -> FormVersion | None:
    """The stored version this file already is; a stored version with other content refuses it."""
    same = next((form for form in existing if form.version == spec.version), None)
    if same is None or same.sha256 == spec.sha256:
        return same
    raise CatalogueInvalid(
        _("Версію %(v)s форми %(code)s уже завантажено з іншим змістом.")
        % {"v": spec.version, "code": spec.code},
        extra={
            "errors": [
                _(
                    "Завантажена версія не змінюється: збільште form.version і задайте "
                    "form.effective_from для нової версії."
                )
            ]
        },
    )


def _predecessor(spec: FormSpec, existing: list[FormVersion]) -> FormVersion | None:
    """The open-ended version the new one follows, if any; refuse a version that is older than
    the newest or whose effective period overlaps a stored one."""
    errors = CatalogueErrors()
    newest = max((form.version for form in existing), default=0)
    if spec.version < newest:
        errors.add(
            "form.version",
            _("версія %(v)s менша за останню завантажену (%(last)s)")
            % {"v": spec.version, "last": newest},
        )
    superseded = None
    for form in existing:
        if form.effective_to is None and form.effective_from < spec.effective_from:
            superseded = form
            continue
        ends = form.effective_to
        if form.effective_from >= spec.effective_from or (ends and ends >= spec.effective_from):
            errors.add(
                "form.effective_from",
                _("період дії перетинається з версією %(v)s (%(from)s — %(to)s)")
                % {
                    "v": form.version,
                    "from": form.effective_from.isoformat(),
                    "to": ends.isoformat() if ends else "…",
                },
            )
    errors.refuse_if_any()
    return superseded


def _form_store(spec: FormSpec, *, file_name: str, actor) -> FormVersion:
    form = FormVersion.objects.create(
        code=spec.code,
        version=spec.version,
        title=spec.title,
        title_en=spec.title_en,
        effective_from=spec.effective_from,
        effective_to=spec.effective_to,
        reporting_kinds=list(spec.reporting_kinds),
        source=spec.source,
        bases=spec.bases,
        checks=[check.as_dict() for check in spec.checks],
        file_name=file_name[:200],
        sha256=spec.sha256,
        loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    sections = Section.objects.bulk_create(
        [
            Section(
                form=form,
                code=section.code,
                position=position,
                title=section.title,
                title_en=section.title_en,
                source=section.source,
                description=section.description,
            )
            for position, section in enumerate(spec.sections, start=1)
        ]
    )
    section_ids = {section.code: section.pk for section in sections}
    if any(pk is None for pk in section_ids.values()):
        section_ids = dict(form.sections.values_list("code", "pk"))
    Indicator.objects.bulk_create(
        [
            _indicator_row(form, section_ids[item.section], position, item)
            for position, item in enumerate(spec.indicators.values(), start=1)
        ]
    )
    return form


def _indicator_row(form: FormVersion, section_id: int, position: int, item: IndicatorSpec):
    return Indicator(
        form=form,
        section_id=section_id,
        code=item.code,
        position=position,
        name=item.name,
        name_en=item.name_en,
        help=item.help,
        type=item.type,
        unit=item.unit,
        choices=[
            {"value": c.value, "label": c.label, "label_en": c.label_en} for c in item.choices
        ],
        applies_to=sorted(item.applies_to),
        required=item.required,
        min_value=item.min_value,
        max_value=item.max_value,
        decimals=item.decimals,
        aggregation=item.aggregation,
        weight=item.weight,
        checklist=item.checklist,
        carry_over=item.carry_over,
        prefill=item.prefill,
        change_warning=item.change_warning,
    )


# --- Reading a stored form version ---------------------------------------------------------------


def form_spec(form: FormVersion) -> FormSpec:
    """The checked, immutable specification of a stored form version (cached per process)."""
    return _form_spec(form.pk, form.sha256)


@lru_cache(maxsize=16)
def _form_spec(form_id: int, sha256: str) -> FormSpec:
    # The cache key includes the content hash: a stored version never changes, and a row id
    # reused after a rolled-back transaction cannot bring back someone else's catalogue.
    form = FormVersion.objects.get(pk=form_id)
    sections = list(form.sections.order_by("position"))
    indicators = list(form.indicators.select_related("section").order_by("position"))
    codes_by_section: dict[int, list[str]] = {}
    specs: dict[str, IndicatorSpec] = {}
    for item in indicators:
        codes_by_section.setdefault(item.section_id, []).append(item.code)
        specs[item.code] = _indicator_spec(item)
    checks = [_check_spec(c) for c in form.checks]
    return FormSpec(
        id=form.pk,
        code=form.code,
        version=form.version,
        title=form.title,
        title_en=form.title_en,
        effective_from=form.effective_from,
        effective_to=form.effective_to,
        reporting_kinds=tuple(form.reporting_kinds),
        source=form.source,
        sections=[
            SectionSpec(
                code=s.code,
                title=s.title,
                title_en=s.title_en,
                source=s.source,
                description=s.description,
                codes=tuple(codes_by_section.get(s.pk, ())),
            )
            for s in sections
        ],
        indicators=specs,
        checks=checks,
        sha256=form.sha256,
        file_name=form.file_name,
        bases=form.bases,
    )


def _indicator_spec(item: Indicator) -> IndicatorSpec:
    return IndicatorSpec(
        code=item.code,
        section=item.section.code,
        name=item.name,
        name_en=item.name_en,
        help=item.help,
        type=item.type,
        unit=item.unit,
        choices=tuple(Choice(c["value"], c["label"], c.get("label_en", "")) for c in item.choices),
        applies_to=frozenset(item.applies_to),
        required=item.required,
        min_value=item.min_value,
        max_value=item.max_value,
        decimals=item.decimals,
        aggregation=item.aggregation,
        weight=item.weight,
        checklist=item.checklist,
        carry_over=item.carry_over,
        prefill=item.prefill,
        change_warning=item.change_warning,
    )


def _check_spec(c: dict) -> CheckSpec:
    return CheckSpec(
        id=c["id"],
        rule=c["rule"],
        severity=c.get("severity", "error"),
        message=c.get("message", ""),
        left=c.get("left", ""),
        right=c.get("right", ""),
        parts=tuple(c.get("parts", ())),
        total=c.get("total", ""),
        field=c.get("field", ""),
        when=c.get("when", ""),
        basis=c.get("basis") or dict(SHORTHAND_BASIS),
    )


def form_in_force(day: dt.date, *, code: str | None = None) -> FormVersion | None:
    """The form version whose effective period contains `day`."""
    queryset = FormVersion.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )
    if code:
        queryset = queryset.filter(code=code)
    return queryset.order_by("-version").first()
