"""Downloads never let a spreadsheet run typed text as a formula (CSV/formula injection)."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from yakist.core.spreadsheets import csv_safe, formulas_as_text, xlsx_bytes


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://evil.example","клац")', '\'=HYPERLINK("http://evil.example","клац")'),
        ("+380 44 000 00 00", "'+380 44 000 00 00"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("-cmd", "'-cmd"),
        ("-5", "-5"),
        ("+1,5", "+1,5"),
        ("ЦНАП м. Львова", "ЦНАП м. Львова"),
        (42, 42),
        (None, None),
    ],
)
def test_csv_cells_that_look_like_formulas_are_quoted_and_numbers_are_not(typed, written):
    assert csv_safe(typed) == written


def test_xlsx_downloads_keep_formula_like_text_as_text():
    content = xlsx_bytes({"Аркуш": [["назва", "значення"], ["=1+2", -3], ["звичайний", 4]]})
    sheet = load_workbook(io.BytesIO(content))["Аркуш"]
    cell = sheet["A2"]
    assert (cell.value, cell.data_type) == ("=1+2", "s")
    assert sheet["B2"].value == -3 and sheet["A3"].value == "звичайний"


def test_a_built_workbook_loses_its_formulas_before_download():
    workbook = Workbook()
    workbook.active["A1"] = "=cmd|' /C calc'!A0"
    formulas_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].data_type == "s"
