"""The ministry's layout of a quarter's roll-up: XLSX (a summary sheet and one sheet per region)
and CSV (one row per area and indicator). Figures come only from accepted reports."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from yakist.core.periods import KYIV
from yakist.core.spreadsheets import csv_row_safe, formulas_as_text
from yakist.statmon.models import Aggregation
from yakist.statmon.rollup import Area, Rollup

AGGREGATION_LABELS = {
    Aggregation.SUM: "сума",
    Aggregation.MEAN: "середнє",
    Aggregation.SHARE: "частка «так», %",
}
COMPLETENESS_COLUMNS = [
    ("expected", "Очікується звітів"),
    ("accepted", "Прийнято"),
    ("submitted", "На перевірці"),
    ("returned", "Повернуто"),
    ("draft", "Чернетки"),
    ("not_started", "Не розпочато"),
    ("overdue", "Прострочено"),
    ("share", "Повнота, % прийнятих"),
]
INDICATOR_HEADERS = [
    "Код",
    "Показник",
    "Одиниця",
    "Правило зведення",
    "Значення",
    "Звітів зі значенням",
    "Попередній квартал",
    "Зміна, %",
]
CSV_COLUMNS = [
    "period",
    "form_version",
    "area_code",
    "area_name",
    "indicator_code",
    "indicator_name",
    "unit",
    "aggregation",
    "value",
    "units_reporting",
    "previous_period",
    "previous_value",
    "change_percent",
]
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E6EDF9")


def rollup_xlsx(rollup: Rollup) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Зведення"
    _title(summary, rollup, rollup.national.name)
    row = 5
    summary.cell(row=row, column=1, value="Повнота звітності за регіонами").font = BOLD
    row += 1
    _header(summary, row, ["Код КАТОТТГ", "Регіон", *[label for _k, label in COMPLETENESS_COLUMNS]])
    for area in [*rollup.regions, rollup.national]:
        row += 1
        zone_total = area is rollup.national and not rollup.is_national
        summary.cell(row=row, column=1, value="" if zone_total else area.code)
        summary.cell(row=row, column=2, value="Разом" if zone_total else area.name)
        for offset, (key, _label) in enumerate(COMPLETENESS_COLUMNS, start=3):
            summary.cell(row=row, column=offset, value=area.completeness.get(key))
    summary.cell(row=row, column=2).font = BOLD
    row += 2
    heading = (
        "Показники по Україні (з прийнятих звітів)"
        if rollup.is_national
        else f"Показники: {rollup.national.name} (з прийнятих звітів; лише ваша зона)"
    )
    summary.cell(row=row, column=1, value=heading).font = BOLD
    _indicator_table(summary, row + 1, rollup, rollup.national)
    _widths(summary, [20, 60, 14, 18, 16, 14, 16, 12, 14, 18])
    used = {"Зведення"}
    for area in rollup.regions:
        sheet = workbook.create_sheet(_sheet_name(area.name, used))
        _title(sheet, rollup, area.name)
        sheet.cell(row=4, column=1, value="Повнота").font = BOLD
        sheet.cell(
            row=4,
            column=2,
            value=(
                f"прийнято {area.completeness.get('accepted', 0)} з "
                f"{area.completeness.get('expected', 0)} ({area.completeness.get('share', 0)} %)"
            ),
        )
        _indicator_table(sheet, 6, rollup, area)
        _widths(sheet, [20, 60, 14, 18, 16, 14, 16, 12])
    buffer = io.BytesIO()
    formulas_as_text(workbook)
    workbook.save(buffer)
    return buffer.getvalue()


def _title(sheet, rollup: Rollup, area_name: str) -> None:
    sheet["A1"] = f"Статичний моніторинг ЦНАП — {rollup.campaign.period} — {area_name}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (
        f"Форма «{rollup.form.code}», версія {rollup.form.version}. Зведено з прийнятих звітів "
        f"за правилом кожного показника; попередній квартал: {rollup.previous_period or '—'}."
    )
    sheet["A3"] = f"Сформовано: {rollup.generated_at.astimezone(KYIV):%d.%m.%Y %H:%M} (Київ)"


def _header(sheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font = BOLD
        cell.fill = HEAD_FILL


def _indicator_table(sheet, row: int, rollup: Rollup, area: Area) -> None:
    _header(sheet, row, INDICATOR_HEADERS)
    for spec in rollup.indicators:
        row += 1
        cell = area.cells[spec.code]
        before = area.previous.get(spec.code)
        values = [
            spec.code,
            spec.name,
            "%" if spec.aggregation == Aggregation.SHARE else spec.unit,
            AGGREGATION_LABELS[spec.aggregation],
            cell.value,
            cell.units,
            before.value if before else None,
            cell.change(before),
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)


def _widths(sheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31]
    candidate, number = base, 2
    while candidate in used:
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate


def rollup_csv(rollup: Rollup) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    # Area code UA means the whole country: a regional viewer's total is not written.
    areas = [rollup.national, *rollup.regions] if rollup.is_national else rollup.regions
    for area in areas:
        for spec in rollup.indicators:
            cell = area.cells[spec.code]
            before = area.previous.get(spec.code)
            writer.writerow(
                csv_row_safe(
                    [
                        rollup.campaign.period,
                        rollup.form.version,
                        area.code,
                        area.name,
                        spec.code,
                        spec.name,
                        "%" if spec.aggregation == Aggregation.SHARE else spec.unit,
                        spec.aggregation,
                        "" if cell.value is None else cell.value,
                        cell.units,
                        rollup.previous_period or "",
                        "" if before is None or before.value is None else before.value,
                        "" if cell.change(before) is None else cell.change(before),
                    ]
                )
            )
    # A byte-order mark lets Excel open the UTF-8 file with Ukrainian letters intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
