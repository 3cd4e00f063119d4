"""What the static-monitoring pages show, built from a report, its form and the roll-up: the
fields of the report form with their findings and conflicts, the review table, the history of
versions and the roll-up rows. Views (views.py, report_views.py) only pick and render these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from yakist.core.periods import Period
from yakist.core.problems import Problem
from yakist.statmon import prefill, rollup, selectors
from yakist.statmon.drafts import DraftConflict
from yakist.statmon.models import IndicatorType, Report, ReportVersion
from yakist.statmon.prefill import Suggestion
from yakist.statmon.specs import FormSpec, IndicatorSpec, SectionSpec
from yakist.statmon.validation import Finding, display_value, input_value, parse_text


def problem_text(problem: Problem) -> str:
    return str(problem.detail or problem.title)


class SectionRows(NamedTuple):
    """A section and its rows, for read-only tables (review, roll-up)."""

    section: SectionSpec
    rows: list[dict]


# --- The report form ----------------------------------------------------------------------------


@dataclass
class FieldView:
    spec: IndicatorSpec
    dom_id: str
    value: str
    base: str
    comment: str
    comment_base: str
    error: str = ""
    findings: list[Finding] = field(default_factory=list)
    source: Suggestion | None = None
    prefilled: bool = False
    previous: str = ""
    conflict: DraftConflict | None = None
    comment_conflict: DraftConflict | None = None

    @property
    def needs_comment(self) -> bool:
        return any(not f.is_error for f in self.findings) or bool(self.comment)

    @property
    def invalid(self) -> bool:
        return bool(self.error) or any(f.is_error for f in self.findings)

    @property
    def choices(self) -> list[tuple[str, str]]:
        if self.spec.type == IndicatorType.BOOLEAN:
            return [("так", _("Так")), ("ні", _("Ні"))]
        return [(c.value, c.label) for c in self.spec.choices]

    @property
    def value_known(self) -> bool:
        """Whether the shown value is one of the options (an odd upload value is kept visible)."""
        options = {key for key, _label in self.choices}
        parsed = parse_text(self.spec, self.value)[0] if self.value else None
        return not self.value or self.value in options or parsed is not None

    @property
    def selected(self) -> str:
        if self.spec.type == IndicatorType.BOOLEAN and self.value:
            parsed = parse_text(self.spec, self.value)[0]
            if parsed is not None:
                return "так" if parsed else "ні"
        if self.spec.type == IndicatorType.CHOICE and self.value:
            parsed = parse_text(self.spec, self.value)[0]
            if parsed is not None:
                return parsed
        return self.value


@dataclass
class SectionView:
    spec: SectionSpec
    fields: list[FieldView]

    @property
    def filled(self) -> int:
        return sum(1 for f in self.fields if f.value)

    @property
    def problems(self) -> int:
        return sum(1 for f in self.fields if f.invalid)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.fields if any(not x.is_error for x in f.findings))


@dataclass
class _FieldSources:
    """What every field of one report form draws on besides the draft itself."""

    suggestions: dict[str, Suggestion]
    previous: dict[str, Any]
    findings: dict[str, list[Finding]]
    conflicts: dict[str, DraftConflict]
    posted: dict[str, Any]


def report_sections(
    report: Report,
    form: FormSpec,
    *,
    findings: list[Finding],
    show_required: bool = False,
    posted: dict[str, Any] | None = None,
    conflicts: list[DraftConflict] | None = None,
) -> list[SectionView]:
    """The sections of the report form with the centre's fields, filled from the draft, the
    known sources, and (after a conflicting save) what the person posted."""
    kind = report.centre.kind
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule == "required" and not show_required:
            continue
        by_code.setdefault(finding.code, []).append(finding)
    sources = _FieldSources(
        suggestions=_suggestions(report, form),
        previous=selectors.previous_accepted(report),
        findings=by_code,
        conflicts={c.code: c for c in conflicts or []},
        posted=posted or {},
    )
    sections = []
    for section in form.sections:
        fields = [
            _field_view(report, spec, sources) for spec in form.section_indicators(section, kind)
        ]
        if fields:
            sections.append(SectionView(spec=section, fields=fields))
    return sections


def _suggestions(report: Report, form: FormSpec) -> dict[str, Suggestion]:
    return prefill.suggestions(
        form.applicable(report.centre.kind), [report.centre], Period.parse(report.campaign.period)
    ).get(report.centre_id, {})


def _field_view(report: Report, spec: IndicatorSpec, sources: _FieldSources) -> FieldView:
    stored = report.invalid.get(spec.code) or input_value(spec, report.values.get(spec.code))
    view = FieldView(
        spec=spec,
        dom_id="f-" + spec.code.replace(".", "-"),
        value=stored,
        base=stored,
        comment=report.comments.get(spec.code, ""),
        comment_base=report.comments.get(spec.code, ""),
        findings=[
            f for f in sources.findings.get(spec.code, []) if f.rule not in ("type", "range")
        ],
        previous=display_value(spec, sources.previous.get(spec.code)),
    )
    if spec.code in report.invalid:
        error = parse_text(spec, report.invalid[spec.code])[1]
        view.error = str(error) if error else ""
    suggestion = sources.suggestions.get(spec.code)
    if suggestion is not None:
        view.source = suggestion
        if not stored:
            view.value = input_value(spec, suggestion.value)
            view.prefilled = True
    if spec.code in sources.conflicts:
        view.conflict = sources.conflicts[spec.code]
        view.value = sources.posted.get(spec.code, view.value)
    if f"#{spec.code}" in sources.conflicts:
        view.comment_conflict = sources.conflicts[f"#{spec.code}"]
        view.comment = view.comment_conflict.yours
    return view


class UnsavedEntry(NamedTuple):
    spec: IndicatorSpec
    typed: str
    note: str


def unsaved_entries(
    report: Report, form: FormSpec, entries: dict[str, str], comments: dict[str, str]
) -> list[UnsavedEntry]:
    """What was typed wherever the post differs from the draft; values the page itself offered
    from a known source are not the person's typing."""
    offered = _suggestions(report, form)
    result = []
    for spec in form.applicable(report.centre.kind):
        stored = report.invalid.get(spec.code) or input_value(spec, report.values.get(spec.code))
        if not stored and spec.code in offered:
            stored = input_value(spec, offered[spec.code].value)
        typed = (entries.get(spec.code) or "").strip()
        note = (comments.get(spec.code) or "").strip()
        changed_value = typed and typed != stored
        changed_note = note and note != report.comments.get(spec.code, "")
        if changed_value or changed_note:
            result.append(
                UnsavedEntry(spec, typed if changed_value else "", note if changed_note else "")
            )
    return result


# --- Review and history -------------------------------------------------------------------------


def review_findings(report: Report) -> list[dict]:
    """The warnings of the submitted version, each with the centre's explanation."""
    latest = selectors.report_versions(report).last()
    if latest is None:
        return []
    return [
        {**f, "comment": latest.comments.get(f["code"], "")}
        for f in latest.findings
        if f["severity"] == "warning"
    ]


def review_sections(report: Report, form: FormSpec) -> list[SectionRows]:
    """Read-only rows for review: value, last quarter's accepted value, change and the
    warnings found at submission with the centre's explanation."""
    latest = selectors.report_versions(report).last()
    findings: dict[str, list[dict]] = {}
    for finding in latest.findings if latest else []:
        findings.setdefault(finding["code"], []).append(finding)
    previous = selectors.previous_accepted(report)
    result = []
    for section in form.sections:
        rows = []
        for spec in form.section_indicators(section, report.centre.kind):
            value, before = report.values.get(spec.code), previous.get(spec.code)
            change = None
            if spec.is_numeric and value is not None and before:
                change = round(100 * (value - before) / abs(before), 1)
            found = findings.get(spec.code, [])
            rows.append(
                {
                    "spec": spec,
                    "value": display_value(spec, value),
                    "previous": display_value(spec, before),
                    "change": change,
                    "warnings": [f for f in found if f["severity"] == "warning"],
                    "errors": [f for f in found if f["severity"] == "error"],
                    "comment": report.comments.get(spec.code, ""),
                }
            )
        if rows:
            result.append(SectionRows(section, rows))
    return result


class ChangedValue(NamedTuple):
    spec: IndicatorSpec
    old: str
    new: str


class VersionDiff(NamedTuple):
    version: ReportVersion
    changed: list[ChangedValue]


def version_diffs(form: FormSpec, versions: list[ReportVersion]) -> list[VersionDiff]:
    """Each submitted version with the values it changed, newest first."""
    diffs = []
    before: dict[str, Any] = {}
    for version in versions:
        changed = []
        for spec in form.indicators.values():
            old, new = before.get(spec.code), version.values.get(spec.code)
            if old != new and (old is not None or version.number > 1):
                changed.append(
                    ChangedValue(spec, display_value(spec, old), display_value(spec, new))
                )
        diffs.append(VersionDiff(version, changed))
        before = version.values
    return list(reversed(diffs))


# --- Roll-ups -----------------------------------------------------------------------------------


def rollup_sections(data: rollup.Rollup, area: rollup.Area | None = None) -> list[SectionRows]:
    area = area or data.national
    wanted = {spec.code for spec in data.indicators}
    result = []
    for section in data.form.sections:
        rows = []
        for code in section.codes:
            if code not in wanted:
                continue
            spec = data.form.indicators[code]
            cell, before = area.cells[code], area.previous.get(code)
            rows.append(
                {"spec": spec, "cell": cell, "before": before, "change": cell.change(before)}
            )
        if rows:
            result.append(SectionRows(section, rows))
    return result
