"""Editing a report: saving entered values into its draft, and copying last quarter's answers.

Drafts use optimistic concurrency: a save names the draft version it started from, and a stale
save is merged field by field — what only one person changed is kept, what both changed
differently is returned as a conflict with both values and never silently overwritten.
Submission, review and campaigns are in services.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.services import audit_record
from yakist.core.problems import Conflict, Problem, ValidationFailed
from yakist.statmon import selectors
from yakist.statmon.catalogue import form_spec
from yakist.statmon.models import Campaign, Report, ReportEvent, ReportStatus
from yakist.statmon.specs import FormSpec, IndicatorSpec
from yakist.statmon.validation import (
    EntryError,
    canonical,
    coerce_json,
    display_value,
    parse_text,
)
from yakist.statmon.workflow import (
    actor_user,
    can_edit,
    event_record,
    report_locked,
    require_allowed,
)


class CampaignClosed(Problem):
    slug = "campaign-closed"
    status = 409
    title = gettext_lazy("Кампанію звітності закрито")
    description = gettext_lazy(
        "Звіти за цей квартал більше не приймаються; прийнятий звіт можна лише виправити."
    )


class ReportNotEditable(Problem):
    slug = "report-not-editable"
    status = 409
    title = gettext_lazy("Звіт зараз не можна змінювати")
    description = gettext_lazy(
        "Поданий або прийнятий звіт не редагується: дочекайтеся перевірки або розпочніть "
        "виправлення із зазначенням причини."
    )


class StaleDraft(Conflict):
    slug = "stale-draft"
    title = gettext_lazy("Чернетку тим часом змінив інший користувач")
    description = gettext_lazy(
        "Ваші зміни не збережено поверх чужих: поле conflicts показує обидва значення."
    )


@dataclass
class DraftConflict:
    code: str
    yours: str
    theirs: str


@dataclass
class SaveResult:
    changed: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[DraftConflict] = field(default_factory=list)
    errors: dict[str, EntryError] = field(default_factory=dict)
    draft_version: int = 0


def report_form(report: Report) -> FormSpec:
    return form_spec(report.campaign.form)


def campaign_closed_detail(campaign: Campaign) -> str:
    """Why a closed campaign's report takes no more changes, for the centre."""
    closed = (
        timezone.localtime(campaign.closed_at).strftime("%d.%m.%Y") if campaign.closed_at else ""
    )
    return _(
        "Кампанію за %(period)s закрито %(day)s: нові звіти не приймаються. Зверніться до "
        "регіонального координатора."
    ) % {"period": campaign.period, "day": closed}


# --- Saving a draft -----------------------------------------------------------------------------


@transaction.atomic
def report_save(
    *,
    report: Report,
    entries: dict[str, Any],
    actor,
    comments: dict[str, str] | None = None,
    base: dict[str, Any] | None = None,
    draft_version: int | None = None,
    mode: Literal["text", "json"] = "text",
    action: str = ReportEvent.Action.SAVE,
    replace: bool = False,
    refuse_stale: bool = False,
    request: HttpRequest | None = None,
) -> SaveResult:
    """Save entered values into the draft. Invalid entries are kept as typed (with their error)
    so nothing is lost; `replace` clears applicable values not in `entries` (API PUT);
    `refuse_stale` raises StaleDraft instead of merging (API clients resolve it themselves)."""
    require_allowed(actor, report, can_edit)
    report = report_locked(report)
    if not report.is_editable:
        raise ReportNotEditable()
    if not report.campaign.is_open and report.revision == 0:
        raise CampaignClosed(campaign_closed_detail(report.campaign))
    applicable = _applicable(report, entries)
    if replace:
        entries = {code: entries.get(code) for code in applicable}
    stale = draft_version is not None and draft_version != report.draft_version
    if stale and refuse_stale:
        raise _stale_refusal(report, entries, applicable, draft_version, mode)
    merge = _DraftMerge(report=report, base=base or {}, stale=stale, mode=mode)
    for code, raw in entries.items():
        merge.entry(applicable[code], raw)
    comment_changes = merge.comments(comments or {})
    if merge.result.changed or comment_changes:
        _draft_store(report, merge, comment_changes, actor=actor, action=action, request=request)
    merge.result.draft_version = report.draft_version
    return merge.result


def _applicable(report: Report, entries: dict[str, Any]) -> dict[str, IndicatorSpec]:
    """The indicators of this centre's form by code; refuse entries for any other code."""
    form = report_form(report)
    applicable = {spec.code: spec for spec in form.applicable(report.centre.kind)}
    unknown = sorted(set(entries) - set(applicable))
    if unknown:
        raise ValidationFailed(
            _("Показники не належать до форми цього центру: %(codes)s")
            % {"codes": ", ".join(unknown)},
            extra={
                "errors": [{"code": code, "message": _("невідомий показник")} for code in unknown]
            },
        )
    return applicable


def _stale_refusal(
    report: Report,
    entries: dict[str, Any],
    applicable: dict[str, IndicatorSpec],
    draft_version: int,
    mode: str,
) -> StaleDraft:
    return StaleDraft(
        _("Чернетку змінено (версія %(now)s, ви надіслали %(yours)s). Отримайте її знову.")
        % {"now": report.draft_version, "yours": draft_version},
        extra={
            "draft_version": report.draft_version,
            "conflicts": [
                {"code": code, "yours": raw, "current": report.values.get(code)}
                for code, raw in entries.items()
                if _parsed(applicable[code], raw, mode).key != _current(report, code)
            ],
        },
    )


def _current(report: Report, code: str) -> str:
    if code in report.invalid:
        return "raw:" + report.invalid[code]
    return canonical(report.values.get(code))


class _Parsed(NamedTuple):
    value: Any
    error: EntryError | None
    key: str  # what is compared between versions: the canonical value, or "raw:" + the typing


def _parsed(spec: IndicatorSpec, raw: Any, mode: str) -> _Parsed:
    value, error = (coerce_json if mode == "json" else parse_text)(spec, raw)
    if error is not None:
        return _Parsed(None, error, "raw:" + str(raw).strip())
    return _Parsed(value, None, canonical(value))


def _shown(spec: IndicatorSpec, report: Report, code: str) -> str:
    if code in report.invalid:
        return report.invalid[code]
    return display_value(spec, report.values.get(code))


@dataclass
class _DraftMerge:
    """One save merged into the stored draft. A stale save (`stale`: made from an older draft
    version) keeps what only one side changed since `base`, the values it started from."""

    report: Report
    base: dict[str, Any]
    stale: bool
    mode: str
    result: SaveResult = field(default_factory=SaveResult)
    values: dict[str, Any] = field(init=False)
    invalid: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.values, self.invalid = dict(self.report.values), dict(self.report.invalid)

    def entry(self, spec: IndicatorSpec, raw: Any) -> None:
        code = spec.code
        value, error, mine = _parsed(spec, raw, self.mode)
        current = _current(self.report, code)
        if mine == current:
            if error is not None:
                self.result.errors[code] = error
            return
        if self.stale and not self._may_overwrite(spec, raw, mine, current):
            return
        old = _shown(spec, self.report, code)
        self.values.pop(code, None)
        self.invalid.pop(code, None)
        if error is not None:
            self.invalid[code] = str(raw).strip()
            self.result.errors[code] = error
        elif value is not None:
            self.values[code] = value
        self.result.changed[code] = [old, str(raw).strip() if error else display_value(spec, value)]

    def _may_overwrite(self, spec: IndicatorSpec, raw: Any, mine: str, current: str) -> bool:
        """Nothing to do if this save did not change the field; a conflict if the other side
        did; otherwise the save's value wins."""
        code = spec.code
        started = _parsed(spec, self.base[code], self.mode).key if code in self.base else None
        if code in self.base and started == mine:
            return False
        if not (code in self.base and started == current):
            self.result.conflicts.append(
                DraftConflict(
                    code=code,
                    yours="" if raw is None else str(raw),
                    theirs=_shown(spec, self.report, code),
                )
            )
            return False
        return True

    def comments(self, comments: dict[str, str]) -> dict[str, str] | None:
        """Explanations of warnings are merged like values; returns the new dict if it changed."""
        merged = dict(self.report.comments)
        changed = False
        for code, text in comments.items():
            text = (text or "").strip()[:2000]
            current = merged.get(code, "")
            if text == current:
                continue
            key = f"#{code}"
            if self.stale and key in self.base and (self.base[key] or "").strip() != current:
                if (self.base[key] or "").strip() == text:
                    continue
                self.result.conflicts.append(DraftConflict(code=key, yours=text, theirs=current))
                continue
            if text:
                merged[code] = text
            else:
                merged.pop(code, None)
            changed = True
        return merged if changed else None


def _draft_store(
    report: Report,
    merge: _DraftMerge,
    comment_changes: dict[str, str] | None,
    *,
    actor,
    action: str,
    request: HttpRequest | None,
) -> None:
    """Write the merged draft as a new draft version, with its event and audit entry."""
    before = report.status
    report.values, report.invalid = merge.values, merge.invalid
    if comment_changes is not None:
        report.comments = comment_changes
    report.draft_version += 1
    report.updated_at = timezone.now()
    report.updated_by = actor_user(actor)
    if report.status == ReportStatus.NOT_STARTED:
        report.status = ReportStatus.DRAFT
    report.save(
        update_fields=[
            "values",
            "invalid",
            "comments",
            "draft_version",
            "updated_at",
            "updated_by",
            "status",
        ]
    )
    changed = merge.result.changed
    event_record(report, action=action, actor=actor, from_status=before, changes=changed)
    audit_record(
        actor=actor,
        action=f"statmon_report_{action}",
        obj=report,
        changes={"codes": sorted(changed), "draft_version": report.draft_version},
        request=request,
    )


# --- Copying last quarter's answers -------------------------------------------------------------


@transaction.atomic
def report_copy_previous(*, report: Report, actor, request: HttpRequest | None = None) -> int:
    """Copy last quarter's answers to the stable questions (premises, registers, checklists…)
    into fields that are still empty. Never overwrites what was entered."""
    require_allowed(actor, report, can_edit)
    report = report_locked(report)
    if not report.is_editable:
        raise ReportNotEditable()
    form = report_form(report)
    previous = selectors.previous_answers(report)
    entries = {
        spec.code: previous[spec.code]
        for spec in form.applicable(report.centre.kind)
        if spec.carry_over
        and previous.get(spec.code) is not None
        and report.values.get(spec.code) is None
        and spec.code not in report.invalid
    }
    if not entries:
        return 0
    result = report_save(
        report=report,
        entries=entries,
        actor=actor,
        mode="json",
        action=ReportEvent.Action.COPY,
        request=request,
    )
    return len(result.changed)
