"""Public pages: only published snapshots, every URL pattern, caching per publication,
permalinks and QR codes, posters, the widget, feedback on every page, bad input."""

import io

import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from PIL import Image

from yakist.portal import services
from yakist.portal.models import SubjectLink
from yakist.portal.tests import factories
from yakist.portal.tests.conftest import LVIV, QUARTER, VOLYN, YEAR, publish

pytestmark = pytest.mark.django_db


def get(path: str):
    return Client().get(path)


def test_nothing_unpublished_is_visible_on_any_public_url(world, ministry):
    user, scope = ministry
    centre = world[0]
    prepared = services.publication_prepare(subject=centre, period=YEAR, scope=scope, actor=user)
    approved = services.publication_prepare(subject=centre, period=QUARTER, scope=scope, actor=user)
    services.publication_approve(publication=approved, scope=scope, actor=user)
    for draft in (prepared, approved):
        for path in (
            f"/p/{draft.code}",
            f"/en/p/{draft.code}",
            f"/p/{draft.code}/qr.svg",
            f"/p/{draft.code}/qr.png",
            f"/p/{draft.code}/poster.pdf",
            f"/p/{draft.code}/content.json",
            f"/reports/{draft.period}",
            f"/open-data/{draft.period}.csv",
            f"/open-data/{draft.period}.json",
            f"/open-data/{draft.period}.xlsx",
            f"/s/{services.subject_code('centre', centre.key)}",
            f"/widget/{services.subject_code('centre', centre.key)}",
        ):
            response = get(path)
            assert response.status_code == 404, path
        page = get(f"/p/{draft.code}").content.decode()
        assert "Сторінку не знайдено" in page
    for path in (f"/centres/{centre.key}", "/", "/reports/", "/open-data/", "/api/v1/open-data"):
        body = get(path).content.decode()
        assert prepared.code not in body and approved.code not in body, path
    assert (
        "Звітів цього суб'єкта ще не оприлюднено" in get(f"/centres/{centre.key}").content.decode()
    )


def test_every_public_page_renders_in_both_languages_with_feedback(world, ministry):
    for subject in world:
        publish(subject, YEAR, ministry)
        publish(subject, QUARTER, ministry)
    centre = world[0]
    report = services.publication_code("centre", centre.key, YEAR.code, 1)
    link = services.subject_code("centre", centre.key)
    pages = {
        "/": "national",
        "/search?q=Дрогобич": "national",
        f"/centres/{centre.key}": f"centre:{centre.key}",
        f"/regions/{LVIV}": f"region:{LVIV}",
        f"/hromadas/{world[0].hromada_code}": f"hromada:{world[0].hromada_code}",
        "/indicators/": "national",
        "/indicators/timeliness": "indicator:timeliness",
        "/reports/": "national",
        f"/reports/{YEAR.code}": "national",
        f"/p/{report}": f"centre:{centre.key}",
        "/open-data/": "national",
        "/open-data/dictionary": "national",
    }
    for path, subject in pages.items():
        for prefix in ("", "/en"):
            response = get(prefix + path)
            assert response.status_code == 200, prefix + path
            body = response.content.decode()
            assert f'name="subject" value="{subject}"' in body, path
            assert 'action="/feedback/submit"' in body
            assert "csrfmiddlewaretoken" not in body  # cacheable: nothing per visitor
    assert 'lang="en"' in get("/en/").content.decode()
    assert "Timeliness" in get(f"/en/centres/{centre.key}").content.decode()
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
    assert "приховано (менше 5 випадків)" in body
    assert "66,7 %" not in body


def test_not_connected_subject_shows_words_not_zero(db, lviv_centres, ministry):
    from yakist.indicators.models import IndicatorResult

    centre = lviv_centres[0]
    factories.results(period=YEAR, subjects=[centre.ref])
    IndicatorResult.objects.filter(subject_key=centre.key).update(
        status="no_data", value=None, numerator=None, denominator=None, n=0
    )
    publication = publish(centre, YEAR, ministry)
    body = get(f"/p/{publication.code}").content.decode()
    assert "не підключено до моніторингу" in body
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
