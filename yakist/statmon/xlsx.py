"""The XLSX template of a centre's quarterly report, and reading it back cell by cell.

The template carries, on a very hidden sheet, the form version, the centre, the quarter, the
draft version and the values it was made from, signed with the server's key. An upload is
refused with a clear message when it is not our layout, was made for another form version,
centre or quarter, or its service data were changed. The signed base values let an upload be
merged with changes made on the web in the meantime, exactly like a stale web save.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from yakist.core.problems import Problem
from yakist.core.spreadsheets import formulas_as_text, rows_capped, xlsx_open
from yakist.statmon.models import IndicatorType, Report
from yakist.statmon.prefill import Suggestion
from yakist.statmon.specs import FormSpec, IndicatorSpec, SectionSpec
from yakist.statmon.validation import display_number, input_value

LAYOUT = "yakist-statmon-template"
LAYOUT_VERSION = 1
META_SHEET = "_yakist"
SHEET = "Звіт"
SALT = "yakist.statmon.template"
HEADER_ROW = 5
# The layout is part of the file format (checked on upload), so it is fixed, not translated.
HEADERS = [
    "Код",
    "Показник",
    "Одиниця",
    "Допустимі значення",
    "Значення",
    "Пояснення",
    "Джерело, підказка",
]
VALUE_COLUMN, COMMENT_COLUMN = 5, 6
# Not a secret: sheet protection only prevents accidental edits of codes and names.
SHEET_PASSWORD = "yakist"  # noqa: S105


class TemplateRefused(Problem):
    slug = "template-refused"
    status = 422
    title = gettext_lazy("Файл XLSX не прийнято")
    description = gettext_lazy(
        "Файл не є шаблоном цього звіту: інший макет, інша версія форми, інший центр або "
        "квартал, чи змінені службові дані. Завантажте свіжий шаблон зі сторінки звіту."
    )


@dataclass
class TemplateContent:
    entries: dict[str, Any] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    draft_version: int = 0
    cells: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)


def template_build(*, report: Report, form: FormSpec, suggestions: dict[str, Suggestion]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    meta = workbook.create_sheet(META_SHEET)
    _sheet_head(sheet, report=report, form=form)
    rows = _SheetRows(sheet=sheet, meta=meta)
    for section in form.sections:
        specs = form.section_indicators(section, report.centre.kind)
        if specs:
            rows.section(section)
        for spec in specs:
            rows.indicator(spec, report=report, suggestion=suggestions.get(spec.code))
    _meta_write(meta, report=report, form=form, base=rows.base)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    sheet.protection.sheet = True
    sheet.protection.password = SHEET_PASSWORD
    workbook.security = WorkbookProtection(lockStructure=True)
    formulas_as_text(workbook)  # an answer typed as "=…" stays an answer
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_head(sheet, *, report: Report, form: FormSpec) -> None:
    """Title, the report's identity and instructions, then the column headers."""
    centre, campaign = report.centre, report.campaign
    sheet["A1"] = f"{form.title} — {centre.name}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (
        f"Код центру: {centre.code} · Квартал: {campaign.period} · Форма: «{form.code}», "
        f"версія {form.version} · Строк подання: {campaign.deadline:%d.%m.%Y}"
    )
    sheet["A3"] = (
        "Заповнюйте лише стовпці «Значення» і «Пояснення» (пояснення потрібне до попереджень). "
        "Не змінюйте коди, порядок стовпців і службові дані — інакше файл не буде прийнято."
    )
    sheet["A3"].font = Font(italic=True)
    for column, title in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6EDF9")
    widths = [18, 70, 12, 28, 18, 40, 40]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


@dataclass
class _SheetRows:
    """Writes the section and indicator rows one after another, collecting the values the
    template was made from (`base`) and sharing one data validation per kind of value."""

    sheet: Any
    meta: Any
    row: int = HEADER_ROW + 1
    lists_column: int = 3
    base: dict[str, str] = field(default_factory=dict)
    validations: dict[str, DataValidation] = field(default_factory=dict)

    def section(self, section: SectionSpec) -> None:
        self.sheet.cell(row=self.row, column=1, value=section.code).font = Font(bold=True)
        title = self.sheet.cell(row=self.row, column=2, value=section.title)
        title.font = Font(bold=True)
        for column in range(1, len(HEADERS) + 1):
            self.sheet.cell(row=self.row, column=column).fill = PatternFill(
                "solid", fgColor="F3F5F9"
            )
        self.row += 1

    def indicator(
        self, spec: IndicatorSpec, *, report: Report, suggestion: Suggestion | None
    ) -> None:
        sheet, row = self.sheet, self.row
        stored = report.invalid.get(spec.code)
        if stored is None:
            stored = input_value(spec, report.values.get(spec.code))
        self.base[spec.code] = stored
        self.base[f"#{spec.code}"] = report.comments.get(spec.code, "")
        shown: Any = stored
        if not stored and suggestion is not None:
            shown = input_value(spec, suggestion.value)
        sheet.cell(row=row, column=1, value=spec.code)
        sheet.cell(row=row, column=2, value=spec.name).alignment = Alignment(wrap_text=True)
        sheet.cell(row=row, column=3, value=spec.unit)
        sheet.cell(row=row, column=4, value=_allowed(spec))
        value_cell = sheet.cell(row=row, column=VALUE_COLUMN, value=_cell_value(spec, shown))
        comment_cell = sheet.cell(
            row=row, column=COMMENT_COLUMN, value=report.comments.get(spec.code) or None
        )
        notes = []
        if suggestion is not None:
            notes.append(f"Джерело: {suggestion.label}")
        if spec.help:
            notes.append(spec.help)
        sheet.cell(row=row, column=7, value=" · ".join(notes) or None)
        for cell in (value_cell, comment_cell):
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor="FFFBE6")
        key = _validation_key(spec)
        if key not in self.validations:
            self.validations[key], self.lists_column = _validation(
                spec, self.meta, self.lists_column
            )
            sheet.add_data_validation(self.validations[key])
        self.validations[key].add(value_cell)
        self.row += 1


def _meta_write(meta, *, report: Report, form: FormSpec, base: dict[str, str]) -> None:
    """The very hidden service sheet: what the template was made for, signed."""
    centre, campaign = report.centre, report.campaign
    payload = {
        "layout": LAYOUT,
        "layout_version": LAYOUT_VERSION,
        "form_code": form.code,
        "form_version": form.version,
        "centre": centre.code,
        "period": campaign.period,
        "draft_version": report.draft_version,
        "base": base,
    }
    rows = [
        ("layout", LAYOUT),
        ("layout_version", LAYOUT_VERSION),
        ("form_code", form.code),
        ("form_version", form.version),
        ("centre", centre.code),
        ("period", campaign.period),
        ("draft_version", report.draft_version),
        ("generated_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ("token", signing.dumps(payload, salt=SALT, compress=True)),
    ]
    for index, (key, value) in enumerate(rows, start=1):
        meta.cell(row=index, column=1, value=key)
        meta.cell(row=index, column=2, value=value)
    meta.sheet_state = "veryHidden"


def _cell_value(spec: IndicatorSpec, text: str) -> Any:
    """Numbers go in as numbers, so spreadsheet validation and sums work."""
    if not text:
        return None
    if spec.type in (IndicatorType.INTEGER, IndicatorType.DECIMAL, IndicatorType.PERCENT):
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    if spec.type == IndicatorType.BOOLEAN:
        return {"так": "Так", "ні": "Ні"}.get(text, text)
    if spec.type == IndicatorType.CHOICE:
        return spec.choice_label(text)
    return text


def _allowed(spec: IndicatorSpec) -> str:
    if spec.type == IndicatorType.BOOLEAN:
        return "Так / Ні"
    if spec.type == IndicatorType.CHOICE:
        return "; ".join(choice.label for choice in spec.choices)
    if spec.type == IndicatorType.TEXT:
        return "текст"
    kind = {
        IndicatorType.INTEGER: "ціле число",
        IndicatorType.DECIMAL: "число",
        IndicatorType.PERCENT: "відсоток",
    }[spec.type]
    low = display_number(spec.min_value) if spec.min_value is not None else None
    high = display_number(spec.max_value) if spec.max_value is not None else None
    if low is not None and high is not None:
        return f"{kind}, {low}–{high}"
    if low is not None:
        return f"{kind}, ≥ {low}"
    return kind


def _validation_key(spec: IndicatorSpec) -> str:
    if spec.type == IndicatorType.CHOICE:
        return f"choice:{spec.code}"
    return f"{spec.type}:{spec.min_value}:{spec.max_value}"


def _validation(spec: IndicatorSpec, meta, lists_column: int) -> tuple[DataValidation, int]:
    message = {"showErrorMessage": True, "errorTitle": "Некоректне значення", "allow_blank": True}
    if spec.type == IndicatorType.BOOLEAN:
        return DataValidation(
            type="list", formula1='"Так,Ні"', error="Оберіть «Так» або «Ні».", **message
        ), lists_column
    if spec.type == IndicatorType.CHOICE:
        # Labels may contain commas, so the list lives in cells of the service sheet.
        column = get_column_letter(lists_column)
        for index, choice in enumerate(spec.choices, start=1):
            meta.cell(row=index, column=lists_column, value=choice.label)
        formula = f"{quote_sheetname(META_SHEET)}!${column}$1:${column}${len(spec.choices)}"
        return DataValidation(
            type="list", formula1=formula, error="Оберіть варіант зі списку.", **message
        ), lists_column + 1
    if spec.type == IndicatorType.TEXT:
        return DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1="1000",
            error="Не більше 1000 символів.",
            **message,
        ), lists_column
    kind = "whole" if spec.type == IndicatorType.INTEGER else "decimal"
    low = str(spec.min_value if spec.min_value is not None else -(10**12))
    high = str(spec.max_value if spec.max_value is not None else 10**12)
    text = "Введіть ціле число." if kind == "whole" else "Введіть число."
    return DataValidation(
        type=kind,
        operator="between",
        formula1=low,
        formula2=high,
        error=f"{text} Межі: {_allowed(spec)}.",
        **message,
    ), lists_column


def template_read(*, report: Report, form: FormSpec, content: bytes) -> TemplateContent:
    """Read an uploaded template for `report`; refuse anything that is not its template.

    The file passes the shared upload checks (zip bomb, encrypted or .xls file, row cap) and is
    read in openpyxl's read-only mode, row by row."""
    with xlsx_open(content) as workbook:
        return _template_read(workbook, report=report, form=form)


def _template_read(workbook, *, report: Report, form: FormSpec) -> TemplateContent:
    payload = _template_payload(workbook)
    _payload_check(payload, report=report, form=form)
    sheet = workbook[SHEET]
    rows = rows_capped(sheet.iter_rows(min_row=HEADER_ROW, max_col=len(HEADERS), values_only=True))
    header = list(next(rows, None) or [])
    if header != HEADERS:
        raise TemplateRefused(
            _("Стовпці шаблону змінено (рядок %(row)s). Не вставляйте і не видаляйте стовпці.")
            % {"row": HEADER_ROW}
        )
    result = TemplateContent(
        base=payload.get("base") or {}, draft_version=payload.get("draft_version") or 0
    )
    applicable = form.applicable_codes(report.centre.kind)
    section_codes = {section.code for section in form.sections}
    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        values = list(row) + [None] * (len(HEADERS) - len(row))
        code = values[0]
        if code is None or str(code).strip() in section_codes:
            continue
        _row_read(result, number, str(code).strip(), values, applicable)
    return result


def _template_payload(workbook) -> dict[str, Any]:
    """The signed service data of one of our templates; refuse any other workbook."""
    if META_SHEET not in workbook.sheetnames or SHEET not in workbook.sheetnames:
        raise TemplateRefused(
            _(
                "Це не шаблон Якості (чужий макет): немає службового аркуша. "
                "Завантажте шаблон зі сторінки звіту."
            )
        )
    meta = {
        str(row[0]): row[1]
        for row in workbook[META_SHEET].iter_rows(
            min_row=1, max_row=20, max_col=2, values_only=True
        )
        if row and row[0]
    }
    if meta.get("layout") != LAYOUT:
        raise TemplateRefused(_("Це не шаблон Якості (чужий макет)."))
    try:
        return signing.loads(str(meta.get("token") or ""), salt=SALT)
    except signing.BadSignature as error:
        raise TemplateRefused(
            _("Службові дані шаблону змінено або пошкоджено. Завантажте свіжий шаблон.")
        ) from error


def _payload_check(payload: dict[str, Any], *, report: Report, form: FormSpec) -> None:
    """The template must be of this layout and made for this form version, centre and quarter."""
    if payload.get("layout_version") != LAYOUT_VERSION:
        raise TemplateRefused(_("Шаблон старого макета. Завантажте свіжий шаблон."))
    if payload.get("form_code") != form.code or payload.get("form_version") != form.version:
        raise TemplateRefused(
            _(
                "Шаблон зроблено для форми версії %(theirs)s, а звіт за %(period)s подається за "
                "формою версії %(ours)s. Завантажте свіжий шаблон."
            )
            % {
                "theirs": payload.get("form_version"),
                "ours": form.version,
                "period": report.campaign.period,
            }
        )
    if payload.get("centre") != report.centre.code:
        raise TemplateRefused(
            _("Файл призначено для іншого центру (код %(theirs)s), а це звіт центру %(ours)s.")
            % {"theirs": payload.get("centre"), "ours": report.centre.code}
        )
    if payload.get("period") != report.campaign.period:
        raise TemplateRefused(
            _("Файл — за інший квартал (%(theirs)s), а це звіт за %(ours)s.")
            % {"theirs": payload.get("period"), "ours": report.campaign.period}
        )


def _row_read(
    result: TemplateContent, number: int, code: str, values: list[Any], applicable: set[str]
) -> None:
    """One indicator row: its value and explanation, or the error of its cell."""
    address = f"{get_column_letter(VALUE_COLUMN)}{number}"
    if code not in applicable:
        result.errors.append(
            {
                "cell": f"A{number}",
                "code": code,
                "message": _("невідомий код показника для цього центру"),
            }
        )
        return
    value = values[VALUE_COLUMN - 1]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        result.errors.append(
            {
                "cell": address,
                "code": code,
                "message": _("Excel прочитав значення як дату; введіть число або текст."),
            }
        )
        return
    result.entries[code] = value
    result.cells[code] = address
    comment = values[COMMENT_COLUMN - 1]
    result.comments[code] = "" if comment is None else str(comment)
