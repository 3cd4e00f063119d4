"""Staff analytics: pages render from computed results, downloads match, scope is enforced."""

import csv
import io

import pytest

from yakist.core.periods import Period, kyiv_date, kyiv_now
from yakist.indicators.models import IndicatorResult, RatingResult
from yakist.indicators.services import indicators_compute
from yakist.registry.models.reference import Centre

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
    overview = client.get("/analytics/", {"period": computed}).content.decode()
    assert f"/analytics/region/{LVIV}/" in overview
    assert f"/analytics/region/{VOLYN}/" not in overview  # neither on the map nor in the table
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


def test_drill_down_reaches_a_hromada_within_scope_and_exports_it(client, login, computed):
    own = Centre.objects.filter(region_id=LVIV, kind="centre", hromada__isnull=False).first()
    foreign = Centre.objects.filter(region_id=VOLYN, kind="centre", hromada__isnull=False).first()
    login("coordinator")
    region_page = client.get(f"/analytics/region/{LVIV}/", {"period": computed}).content.decode()
    assert f"/analytics/hromada/{own.hromada_id}/" in region_page
    page = client.get(f"/analytics/hromada/{own.hromada_id}/", {"period": computed})
    html = page.content.decode()
    assert page.status_code == 200
    assert own.hromada.display_name in html and f"/analytics/centre/{own.code}/" in html
    assert f"/analytics/region/{LVIV}/" in html  # breadcrumbs back up
    download = client.get(
        f"/analytics/hromada/{own.hromada_id}/",
        {"indicator": "timeliness", "period": computed, "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert own.code in {row[0] for row in rows[1:]}
    stored = IndicatorResult.objects.filter(
        indicator_code="timeliness",
        subject_type="centre",
        subject_key=own.code,
        period=computed,
        breakdown="",
        is_current=True,
    ).first()
    row = next(row for row in rows[1:] if row[0] == own.code)
    assert row[-1] == (stored.status if stored else "no_data")
    assert client.get(f"/analytics/hromada/{foreign.hromada_id}/").status_code == 404
    login("centre")
    assert client.get(f"/analytics/hromada/{own.hromada_id}/").status_code == 404


def test_unknown_indicator_falls_back_to_the_default_not_to_an_empty_page(client, login, computed):
    login("ministry")
    html = client.get("/analytics/", {"indicator": "astrology", "period": computed}).content
    assert "Показники ще не розраховано".encode() not in html
    assert b'<svg class="choropleth"' in html


def test_series_compares_quarters_with_quarters(client, login, computed):
    indicators_compute(period=Period(2026))
    login("ministry")
    page = client.get(f"/analytics/region/{LVIV}/", {"period": computed})
    assert [r.period for r in page.context["series"]] and all(
        len(r.period) == len(computed) for r in page.context["series"]
    )


def test_a_region_on_a_centre_admins_profile_opens_no_oblast_analytics(client, login, computed):
    user = login("centre")
    profile = user.staff_profile
    profile.region_id = LVIV  # allowed on the profile, but only a coordinator's region counts
    profile.save()
    assert client.get(f"/analytics/region/{LVIV}/", {"period": computed}).status_code == 404
    keys = rated_keys(client, computed)
    neighbours = set(
        Centre.objects.filter(region_id=LVIV, kind="centre")
        .exclude(pk=profile.centre_id)
        .values_list("code", flat=True)
    )
    assert keys <= {profile.centre.code} and not keys & neighbours
    # The same page shows rated neighbours to the ministry: the checks here could fail.
    client.logout()
    login("ministry")
    rated_neighbours = rated_keys(client, computed) & neighbours
    assert rated_neighbours
    code = sorted(rated_neighbours)[0]
    assert client.get(f"/analytics/ratings/centre/{code}/{computed}/").status_code == 200
    client.logout()
    login("centre")
    assert client.get(f"/analytics/ratings/centre/{code}/{computed}/").status_code == 404


def rated_keys(client, period) -> set[str]:
    page = client.get("/analytics/ratings/", {"type": "centre", "period": period})
    return {
        entry.subject_key
        for _group, _label, items, _runs in page.context["groups"]
        for entry, _n in items
    }


def _csv_keys(response, column: int = 0) -> set[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row[column] for row in rows[1:]}


def test_hole_08_analytics_overview_and_ratings_keep_scope_and_published_periods(
    client, login, django_user_model
):
    """The overview and its downloads show only the oblasts in the viewer's scope; provider
    ratings only the providers in scope; outside the national roles only periods whose national
    report is published are offered; a login without a role gets 403."""
    from yakist.portal.models import Publication

    published = set(
        Publication.objects.filter(subject_type="nation", state__in=Publication.PUBLIC_STATES)
        .values_list("period", flat=True)
        .distinct()
    )
    unpublished = Period.quarter_of(kyiv_date(kyiv_now()))
    indicators_compute(period=unpublished)
    assert published and unpublished.code not in published
    nobody = django_user_model.objects.create_user(username="no-role", password="x")
    client.force_login(nobody)
    for path in ("/analytics/", "/analytics/ratings/", f"/analytics/centre/{LVIV}/"):
        assert client.get(path, {"type": "provider"}).status_code == 403, path
    assert client.get("/analytics/", {"format": "csv"}).status_code == 403

    login("ministry")
    page = client.get("/analytics/", {"period": unpublished.code})
    assert page.context["period"] == unpublished.code  # the ministry works on it before release

    login("coordinator")
    page = client.get("/analytics/", {"period": unpublished.code})
    assert page.context["period"] != unpublished.code
    assert unpublished.code not in page.context["periods"]
    assert set(page.context["periods"]) <= published
    assert {region.code for region, _result in page.context["rows"]} == {LVIV}
    download = client.get("/analytics/", {"period": unpublished.code, "format": "csv"})
    assert _csv_keys(download) == {LVIV}
    ratings = client.get("/analytics/ratings/", {"type": "provider", "period": unpublished.code})
    assert ratings.context["period"] != unpublished.code

    user = login("provider")
    own = user.staff_profile.organisation.code
    period = next(iter(sorted(published, reverse=True)))
    ratings = client.get("/analytics/ratings/", {"type": "provider", "period": period})
    keys = {e.subject_key for _g, _l, items, _r in ratings.context["groups"] for e, _n in items}
    assert keys <= {own}
    assert (
        RatingResult.objects.filter(subject_type="provider", period=period)
        .exclude(subject_key=own)
        .exists()
    )
    download = client.get("/analytics/ratings/", {"type": "provider", "format": "csv"})
    assert _csv_keys(download, column=1) <= {own}
    overview = client.get("/analytics/", {"format": "csv"})
    assert _csv_keys(overview) == set()
