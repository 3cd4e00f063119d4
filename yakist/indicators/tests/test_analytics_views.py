"""Staff analytics: pages render from computed results, downloads match, scope is enforced."""

import csv
import io

import pytest

from yakist.core.periods import Period
from yakist.indicators.models import IndicatorResult, RatingResult
from yakist.indicators.services import indicators_compute
from yakist.registry.models import Centre

pytestmark = pytest.mark.django_db
LVIV, VOLYN = "UA46000000000026241", "UA07000000000024379"


@pytest.fixture
def computed():
    indicators_compute(period=Period(2026, 3))
    return "2026Q3"


def test_overview_shows_the_map_its_table_and_the_distribution(client, login, computed):
    login("ministry")
    page = client.get("/analytics/", {"indicator": "timeliness", "period": computed})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="choropleth"' in html and "Розподіл центрів" in html
    download = client.get(
        "/analytics/", {"indicator": "timeliness", "period": computed, "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    lviv = next(row for row in rows[1:] if row[0] == LVIV)
    stored = IndicatorResult.objects.get(
        indicator_code="timeliness",
        subject_type="region",
        subject_key=LVIV,
        period=computed,
        breakdown="",
        is_current=True,
    )
    assert float(lviv[3]) == stored.numerator and int(lviv[5]) == stored.n


def test_coordinator_drills_into_its_oblast_but_not_another(client, login, computed):
    login("coordinator")
    assert client.get(f"/analytics/region/{LVIV}/", {"period": computed}).status_code == 200
    assert client.get(f"/analytics/region/{VOLYN}/", {"period": computed}).status_code == 404
    foreign = Centre.objects.filter(region_id=VOLYN, kind="centre").first()
    assert client.get(f"/analytics/centre/{foreign.code}/").status_code == 404


def test_centre_admin_sees_its_centre_with_services_and_rating(client, login, computed):
    user = login("centre")
    own = user.staff_profile.centre
    page = client.get(f"/analytics/centre/{own.code}/", {"period": computed})
    assert page.status_code == 200 and "Показники за періодами" in page.content.decode()
    neighbour = Centre.objects.filter(region_id=LVIV, kind="centre").exclude(pk=own.pk).first()
    assert client.get(f"/analytics/centre/{neighbour.code}/").status_code == 404


def test_rating_explanation_lists_every_component_with_counts(client, login, computed):
    entry = RatingResult.objects.filter(period=computed, subject_type="centre").first()
    login("ministry")
    page = client.get(f"/analytics/ratings/centre/{entry.subject_key}/{computed}/")
    html = page.content.decode()
    assert page.status_code == 200
    for component in entry.components:
        assert f"v{component['definition_version']}" in html
    assert entry.methodology.code in html
    table = client.get(
        "/analytics/ratings/", {"type": "centre", "period": computed, "format": "xlsx"}
    )
    assert table["Content-Type"].startswith("application/vnd.openxmlformats")
