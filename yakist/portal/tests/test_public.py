"""Public pages: only published snapshots, every URL pattern, caching per publication,
permalinks and QR codes, posters, the widget, feedback on every page, bad input."""

import io

import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from PIL import Image

from yakist.portal import services, sources
from yakist.portal.middleware import PUBLIC_NAMESPACES
from yakist.portal.models import SubjectLink
from yakist.portal.tests import factories
from yakist.portal.tests.conftest import LVIV, QUARTER, VOLYN, YEAR, publish

pytestmark = pytest.mark.django_db


def get(path: str):
    return Client().get(path)


def public_routes() -> set[str]:
    """Every named route of the public site and its files, read from the URL resolver."""

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace in PUBLIC_NAMESPACES:
                yield f"{namespace}:{pattern.name}"

    return set(walk(get_resolver().url_patterns, ""))


def draft_urls(draft, *, centre, provider) -> dict[str, tuple[bool, list[str]]]:
    """Per public route: (must be a 404 for a draft, the URLs to request). Routes that name a
    report, its period or its subject's link are 404s; listing pages must not mention it."""
    from yakist.improvement.models import Measure, SurveyReport

    link = services.subject_code("centre", centre.key)
    period = draft.period
    measure = Measure.objects.order_by("pk").first()
    report = SurveyReport.objects.order_by("pk").first()
    return {
        "portal:report": (True, [f"/p/{draft.code}"]),
        "portal:archive_period": (True, [f"/reports/{period}"]),
        "portal:subject_short": (True, [f"/s/{link}"]),
        "portal:widget": (True, [f"/widget/{link}"]),
        "portal_files:report_qr": (True, [f"/p/{draft.code}/qr.svg", f"/p/{draft.code}/qr.png"]),
        "portal_files:report_poster": (True, [f"/p/{draft.code}/poster.pdf"]),
        "portal_files:report_content": (True, [f"/p/{draft.code}/content.json"]),
        "portal_files:subject_qr": (True, [f"/s/{link}/qr.svg", f"/s/{link}/qr.png"]),
        "portal_files:subject_poster": (True, [f"/s/{link}/poster.pdf"]),
        "portal_files:opendata_file": (
            True,
            [f"/open-data/{period}.{fmt}" for fmt in ("csv", "json", "xlsx")],
        ),
        "portal:home": (False, ["/"]),
        "portal:search": (False, [f"/search?q={centre.settlement.split(' ', 1)[-1]}"]),
        "portal:centre": (False, [f"/centres/{centre.key}"]),
        "portal:provider": (False, [f"/providers/{provider.key}"]),
        "portal:hromada": (False, [f"/hromadas/{centre.hromada_code}"]),
        "portal:region": (False, [f"/regions/{centre.region_code}"]),
        "portal:indicators": (False, ["/indicators/"]),
        "portal:indicator": (False, ["/indicators/timeliness"]),
        "portal:methodology": (False, ["/methodology/"]),
        "portal:archive": (False, ["/reports/"]),
        "portal:opendata": (False, ["/open-data/", "/api/v1/open-data"]),
        "portal:dictionary": (False, ["/open-data/dictionary"]),
        "portal_files:dictionary_file": (
            False,
            ["/open-data/dictionary.csv", "/open-data/dictionary.json"],
        ),
        "portal_files:datapackage": (False, ["/open-data/datapackage.json"]),
        "portal_files:dcat_catalogue": (False, ["/open-data/catalog.jsonld"]),
        "improvement_public:practices": (False, ["/practices/", "/en/practices/"]),
        "improvement_public:measure": (False, [f"/measures/{measure.pk}"] if measure else []),
        "improvement_public:surveys": (False, ["/external-surveys/"]),
        "improvement_public:survey": (False, [f"/external-surveys/{report.pk}"] if report else []),
        "improvement_files:dataset": (
            False,
            [
                f"/open-data/{name}.{fmt}"
                for name in ("measures", "practices", "external-surveys")
                for fmt in ("csv", "json")
            ],
        ),
    }


def test_nothing_unpublished_is_visible_on_any_public_url(world, ministry):
    user, scope = ministry
    centre = world[0]
    provider = sources.subjects_all(types=["provider"])[0]
    prepared = services.publication_prepare(subject=centre, period=YEAR, scope=scope, actor=user)
    approved = services.publication_prepare(subject=centre, period=QUARTER, scope=scope, actor=user)
    services.publication_approve(publication=approved, scope=scope, actor=user)
    for draft in (prepared, approved):
        urls = draft_urls(draft, centre=centre, provider=provider)
        # A new public route fails here until it is listed above (and so checked).
        assert set(urls) == public_routes()
        for route, (hidden, paths) in urls.items():
            for path in paths:
                prefixes = ("", "/en") if route.startswith("portal:") else ("",)
                for prefix in prefixes:
                    if prefix and path.startswith("/api/"):
                        continue
                    response = get(prefix + path)
                    body = response.content.decode(errors="replace")
                    if hidden:
                        assert response.status_code == 404, prefix + path
                    else:
                        assert response.status_code == 200, prefix + path
                        assert prepared.code not in body and approved.code not in body, path
                        assert f"/reports/{draft.period}" not in body, path
        page = get(f"/p/{draft.code}").content.decode()
        assert "Сторінку не знайдено" in page
    assert (
        "Звітів цього суб'єкта ще не оприлюднено" in get(f"/centres/{centre.key}").content.decode()
    )


def test_every_public_page_renders_in_both_languages_with_feedback(world, ministry):
    for subject in world:
        publish(subject, YEAR, ministry)
        publish(subject, QUARTER, ministry)
    centre = world[0]
    provider = sources.subjects_all(types=["provider"])[0]
    report = services.publication_code("centre", centre.key, YEAR.code, 1)
    link = services.subject_code("centre", centre.key)
    pages = {
        f"/providers/{provider.key}": f"provider:{provider.key}",
        "/": "national",
        "/search?q=Дрогобич": "national",
        f"/centres/{centre.key}": f"centre:{centre.key}",
        f"/regions/{LVIV}": f"region:{LVIV}",
        f"/hromadas/{world[0].hromada_code}": f"hromada:{world[0].hromada_code}",
        "/indicators/": "national",
        "/indicators/timeliness": "indicator:timeliness",
        "/methodology/": "national",
        "/reports/": "national",
        f"/reports/{YEAR.code}": "national",
        f"/p/{report}": f"centre:{centre.key}",
        "/open-data/": "national",
        "/open-data/dictionary": "national",
    }
    rendered = {
        f"{m.namespace}:{m.url_name}" for m in map(resolve, (p.split("?")[0] for p in pages))
    }
    # Every public HTML route is here, bar the short link (a redirect) and the widget (below).
    html_routes = {r for r in public_routes() if r.startswith("portal:")}
    assert rendered == html_routes - {"portal:subject_short", "portal:widget"}
    for path, subject in pages.items():
        for prefix in ("", "/en"):
            response = get(prefix + path)
            assert response.status_code == 200, prefix + path
            body = response.content.decode()
            assert f'name="subject" value="{subject}"' in body, path
            assert 'action="/feedback/submit"' in body
            assert "csrfmiddlewaretoken" not in body  # cacheable: nothing per visitor
            assert "<script" not in body  # works without JavaScript
    assert 'lang="en"' in get("/en/").content.decode()
    english = get(f"/en/centres/{centre.key}").content.decode()
    assert "Timeliness" in english
    # Links from an English page stay English: reports and the rating form.
    assert f'href="/en/p/{report}"' in english and f'href="/p/{report}"' not in english
    rate = f"/feedback/rate/{centre.key}?source=web&amp;lang=en"
    assert rate in english
    survey = get(rate.replace("&amp;", "&")).content.decode()
    assert 'lang="en"' in survey
    assert f'href="/p/{report}"' in get(f"/centres/{centre.key}").content.decode()
    widget = get(f"/widget/{link}")
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert get(f"/centres/{centre.key}")["X-Frame-Options"] == "DENY"
    assert get(f"/s/{link}")["Location"] == f"/centres/{centre.key}"


def test_home_shows_national_figures_and_the_oblast_map_with_its_table(world, ministry):
    for subject in world:
        publish(subject, YEAR, ministry)
    body = get("/").content.decode()
    assert '<svg class="choropleth"' in body
    assert "Ті самі значення таблицею" in body
    assert f'href="/regions/{LVIV}"' in body
    assert "не оприлюднено" in body  # regions without a report are not zeros


def test_unknown_codes_are_a_ukrainian_404(db):
    for path in ("/p/zzzzzzzz", "/s/zzzzzz", "/centres/UA00", "/reports/2031", "/indicators/nope"):
        response = get(path)
        assert response.status_code == 404, path
        assert "Сторінку не знайдено" in response.content.decode()


def test_publishing_invalidates_exactly_the_pages_that_show_it(world, ministry):
    lviv_a, lviv_b, volyn = world[0], world[1], world[2]
    for subject in world:
        publish(subject, YEAR, ministry)
    pages = [
        f"/centres/{lviv_a.key}",
        f"/centres/{lviv_b.key}",
        f"/centres/{volyn.key}",
        f"/regions/{LVIV}",
        f"/regions/{VOLYN}",
        "/",
        f"/p/{services.publication_code('centre', volyn.key, YEAR.code, 1)}",
    ]
    for path in pages:
        assert get(path)["X-Yakist-Cache"] == "miss"
        assert get(path)["X-Yakist-Cache"] == "hit"
    publish(lviv_a, QUARTER, ministry)
    state = {path: get(path)["X-Yakist-Cache"] for path in pages}
    assert state == {
        f"/centres/{lviv_a.key}": "miss",
        f"/centres/{lviv_b.key}": "hit",
        f"/centres/{volyn.key}": "hit",
        f"/regions/{LVIV}": "miss",
        f"/regions/{VOLYN}": "hit",
        "/": "hit",
        pages[-1]: "hit",
    }


def test_report_qr_png_and_svg_decode_to_the_permalink(world, ministry):
    publication = publish(world[0], YEAR, ministry)
    permalink = f"{settings.PUBLIC_BASE_URL}/p/{publication.code}"
    png = get(f"/p/{publication.code}/qr.png")
    assert png["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [d.text for d in decoded] == [permalink]
    svg = get(f"/p/{publication.code}/qr.svg").content.decode()
    assert svg.startswith("<svg") and permalink in svg


def test_poster_is_an_a4_pdf_with_the_permalink(world, ministry):
    publication = publish(world[0], YEAR, ministry)
    response = get(f"/p/{publication.code}/poster.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"yakist-{publication.code}.pdf" in response["Content-Disposition"]
    link = services.subject_code("centre", world[0].key)
    assert get(f"/s/{link}/poster.pdf").content.startswith(b"%PDF")


def test_subjects_own_website_is_shown_with_its_qr_and_must_be_http(world, ministry):
    user, scope = ministry
    publish(world[0], YEAR, ministry)
    for bad in (
        "javascript:alert(1)",
        "ftp://example.org/r",
        "data:text/html,x",
        "https://",
        "вебсайт",
    ):
        with pytest.raises(services.ExternalUrlInvalid):
            services.subject_external_url_set(subject=world[0], url=bad, scope=scope, actor=user)
    link = SubjectLink.objects.get(subject_key=world[0].key)
    assert link.external_url == ""
    services.subject_external_url_set(
        subject=world[0], url="https://cnap.example.gov.ua/zvity", scope=scope, actor=user
    )
    page = get(f"/centres/{world[0].key}").content.decode()
    assert 'href="https://cnap.example.gov.ua/zvity"' in page
    png = get(f"/s/{link.code}/qr.png").content
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded[0].text == "https://cnap.example.gov.ua/zvity"


def test_external_url_form_shows_a_clear_error_and_keeps_the_old_address(world, ministry, client):
    user, scope = ministry
    services.subject_external_url_set(
        subject=world[0], url="https://cnap.example.gov.ua/", scope=scope, actor=user
    )
    client.force_login(user)
    response = client.post(
        "/publication/website",
        {"subject_type": "centre", "subject_key": world[0].key, "url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert "дозволено лише http:// або https://" in response.content.decode()
    assert (
        SubjectLink.objects.get(subject_key=world[0].key).external_url
        == "https://cnap.example.gov.ua/"
    )


def test_small_cells_are_suppressed_on_the_page(world, ministry):
    publication = publish(world[0], YEAR, ministry)
    body = get(f"/p/{publication.code}").content.decode()
    assert "service:00030" in body
    assert "приховано (захист малих значень)" in body
    assert "66,7 %" not in body


@pytest.mark.parametrize(
    ("reason", "words", "never"),
    [
        ("not_connected", "не підключено до моніторингу", "дані не подано"),
        ("no_report", "дані не подано", "не підключено до моніторингу"),
        (None, "немає даних", "не підключено до моніторингу"),  # no coverage figure at all
    ],
)
def test_missing_figures_say_why_in_words_never_zero(
    db, lviv_centres, ministry, reason, words, never
):
    from yakist.indicators.models import IndicatorResult

    centre = lviv_centres[0]
    factories.results(period=YEAR, subjects=[centre.ref])
    IndicatorResult.objects.filter(subject_key=centre.key).update(
        status="no_data", value=None, numerator=None, denominator=None, n=0
    )
    if reason:
        factories.coverage(period=YEAR, subject=centre.ref, value=None, reason=reason)
    publication = publish(centre, YEAR, ministry)
    body = get(f"/p/{publication.code}").content.decode()
    assert words in body and never not in body
    assert "0,0 %" not in body


def test_feedback_from_a_report_page_is_routed_and_escaped(world, ministry, client):
    from yakist.feedback.models import FeedbackMessage

    publication = publish(world[0], YEAR, ministry)
    response = client.post(
        "/feedback/submit",
        {
            "kind": "data_error",
            "text": "<script>alert(1)</script> вчасність завищена",
            "subject": f"centre:{world[0].key}",
            "page": f"/p/{publication.code}",
            "website": "",
        },
    )
    message = FeedbackMessage.objects.get(page=f"/p/{publication.code}")
    assert message.routed_centre.code == world[0].key
    status = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in status
    too_long = client.post(
        "/feedback/submit",
        {"kind": "data_error", "text": "x" * 2001, "subject": "national", "website": ""},
    )
    assert too_long.status_code == 400


def test_staff_console_pages_render_for_each_role(world, ministry, client, login):
    publish(world[0], YEAR, ministry)
    for username in ("ministry", "coordinator", "centre", "provider", "auditor"):
        login(username)
        assert client.get("/publication/").status_code == 200, username
        assert client.get("/accounts/").status_code == 200, username
    login("integrator")
    assert "Суб'єкти та стан" in client.get("/publication/").content.decode()


def test_yearly_report_carries_the_years_data_coverage(world, ministry):
    """Coverage is computed for years too; every report shows it (the home page's national
    block included), and a year without a coverage figure is still publishable."""
    nation = world[-1]
    factories.coverage(period=YEAR, subject=nation.ref, value=0.9)
    national = publish(nation, YEAR, ministry)
    centre = publish(world[0], YEAR, ministry)  # no yearly coverage row: not blocked
    assert centre.missing == [] and centre.state == "published"
    assert services.snapshot_content(national)["coverage"]["value"] == 0.9
    home = get("/").content.decode()
    assert "Повнота даних: 90,0 %" in home
    assert "90,0 %" in get(f"/p/{national.code}").content.decode()


def test_only_counts_of_applicants_are_suppressed_and_rating_inputs_too(world, ministry):
    """Checklist shares (static monitoring) and coverage count reports and centres, not
    people: published whatever their n. Cases and ratings below 5 are hidden everywhere,
    including among the rating's inputs in content.json."""
    from yakist.indicators.models import IndicatorResult, RatingResult

    centre = world[0]
    IndicatorResult.objects.filter(
        subject_key=centre.key, period=QUARTER.code, indicator_code="offline_compliance"
    ).update(value=0.75, numerator=3, denominator=4, n=1)
    factories.coverage(period=QUARTER, subject=centre.ref, value=0.8, n=1)
    IndicatorResult.objects.filter(
        subject_key=centre.key, period=YEAR.code, indicator_code="timeliness", breakdown=""
    ).update(value=1 / 3, numerator=1, denominator=3, n=3)
    rating = RatingResult.objects.get(subject_key=centre.key, period=YEAR.code)
    rating.components[0].update(n=3, numerator=1, denominator=3, value=1 / 3)
    rating.save()

    quarter = services.snapshot_content(publish(centre, QUARTER, ministry))
    offline = next(e for e in quarter["indicators"] if e["code"] == "offline_compliance")
    assert (offline["status"], offline["value"]) == ("ok", 0.75)
    assert (quarter["coverage"]["status"], quarter["coverage"]["value"]) == ("ok", 0.8)

    year = publish(centre, YEAR, ministry)
    content = get(f"/p/{year.code}/content.json").json()
    timeliness = next(e for e in content["indicators"] if e["code"] == "timeliness")
    assert timeliness["status"] == "suppressed" and timeliness["numerator"] is None
    inputs = {c["indicator"]: c for c in content["rating"]["components"]}
    assert inputs["timeliness"]["status"] == "suppressed"
    assert inputs["timeliness"]["numerator"] is None and inputs["timeliness"]["n"] is None
    assert inputs["satisfaction"]["n"] == 120  # enough cases: shown, with its name
    page = get(f"/p/{year.code}").content.decode()
    assert f'<th scope="row">{inputs["timeliness"]["name"]}</th>' in page
