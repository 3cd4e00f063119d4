"""Open data: files per period load in pandas/openpyxl, match the public pages, suppress small
cells, carry the licence and the dictionary; the catalogue and the API list them."""

import io
import json

import openpyxl
import pandas as pd
import pytest
from django.test import Client

from yakist.portal.templatetags.portal import format_value
from yakist.portal.tests.conftest import YEAR, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, ministry):
    return [publish(subject, YEAR, ministry) for subject in world]


def test_csv_json_and_xlsx_load_and_match_the_public_pages(published):
    client = Client()
    csv = pd.read_csv(
        io.BytesIO(client.get(f"/open-data/{YEAR.code}.csv").content), dtype={"subject_key": str}
    )
    document = json.loads(client.get(f"/open-data/{YEAR.code}.json").content)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/open-data/{YEAR.code}.xlsx").content)
    )
    sheet = list(workbook["data"].values)
    assert len(csv) == len(document["records"]) == len(sheet) - 1
    assert document["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {row[0] for row in workbook["dictionary"].values} >= {"value", "status", "breakdown"}

    centre = published[0]
    whole = csv[(csv.subject_key == centre.subject_key) & csv.breakdown.isna()]
    page = client.get(f"/p/{centre.code}").content.decode()
    for row in whole.itertuples():
        if row.indicator == "coverage":
            continue
        assert format_value(row.value, row.unit) in page, row.indicator
    xlsx_values = {(r[5], r[8], r[11] or ""): r[12] for r in sheet[1:]}
    for row in whole.itertuples():
        assert xlsx_values[(row.subject_key, row.indicator, "")] == pytest.approx(row.value)


def test_small_cells_are_suppressed_in_open_data(published):
    csv = pd.read_csv(io.BytesIO(Client().get(f"/open-data/{YEAR.code}.csv").content))
    rare = csv[csv.breakdown == "service:00030"]
    assert len(rare) and set(rare.status) == {"suppressed"}
    assert rare[["value", "numerator", "denominator", "n"]].isna().all().all()
    assert (csv[csv.breakdown == "channel:online"].status == "ok").all()


def test_catalogue_page_and_api_list_every_period_with_stable_urls(published):
    client = Client()
    listing = client.get("/api/v1/open-data").json()
    assert [d["period"] for d in listing] == [YEAR.code]
    assert listing[0]["files"]["csv"].endswith(f"/open-data/{YEAR.code}.csv")
    assert listing[0]["publications"] == len(published)
    page = client.get("/open-data/").content.decode()
    assert f"/open-data/{YEAR.code}.xlsx" in page and "CC BY 4.0" in page
    dictionary = client.get("/open-data/dictionary.json").json()
    assert {c["column"] for c in dictionary["columns"]} >= {"value", "n", "status"}
    assert all(c["description_uk"] and c["description_en"] for c in dictionary["columns"])


def test_unknown_period_or_format_is_a_404(published):
    client = Client()
    for path in ("/open-data/2019.csv", "/open-data/2025.txt", "/open-data/2025Q9.csv"):
        assert client.get(path).status_code == 404, path
