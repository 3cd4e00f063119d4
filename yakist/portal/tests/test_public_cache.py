"""Hole 9 of the security review: a query string must not make the server render a public
page (least of all a WeasyPrint poster) on every request; posters are rendered once and
stored; poster downloads are limited per client."""

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import Client, override_settings

from yakist.portal import services
from yakist.portal.posters import POSTER_DIR
from yakist.portal.tests.conftest import QUARTER, YEAR, publish

pytestmark = pytest.mark.django_db


def get(path: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).get(path)


@pytest.fixture(autouse=True)
def own_media(settings, tmp_path):
    """Stored posters of earlier tests (same codes after their rollback) are not this test's."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def renders(monkeypatch):
    """How many times WeasyPrint really renders a PDF (the real renderer, counted)."""
    from weasyprint import HTML

    calls = []
    real = HTML.write_pdf

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counted)
    return calls


def test_hole_09_unknown_query_parameters_are_served_from_the_cache(world, ministry):
    publication = publish(world[0], YEAR, ministry)
    for path in (f"/p/{publication.code}", f"/centres/{world[0].key}", "/"):
        first = get(path)
        assert first.status_code == 200 and first["X-Yakist-Cache"] == "miss"
        for query in ("?x=1", "?x=2", "?utm_source=qr&x=3", "?"):
            again = get(path + query)
            assert again["X-Yakist-Cache"] == "hit", path + query
            assert again.content == first.content


def test_hole_09_poster_pdf_rendered_once_whatever_the_query_string(world, ministry, renders):
    publication = publish(world[0], YEAR, ministry)
    first = get(f"/p/{publication.code}/poster.pdf")
    assert first.content.startswith(b"%PDF") and len(renders) == 1
    for number in range(5):
        response = get(f"/p/{publication.code}/poster.pdf?x={number}")
        assert response.status_code == 200 and response.content == first.content
    cache.clear()  # the page cache lost (evicted, a restarted Redis): the stored file remains
    assert get(f"/p/{publication.code}/poster.pdf?x=9").content == first.content
    assert len(renders) == 1
    _, files = default_storage.listdir(f"{POSTER_DIR}/p")
    assert [name for name in files if name.startswith(f"{publication.code}-uk-")]


def test_hole_09_subject_poster_is_rendered_again_when_what_it_shows_changes(
    world, ministry, renders
):
    user, scope = ministry
    publish(world[0], YEAR, ministry)
    link = services.subject_code("centre", world[0].key)
    first = get(f"/s/{link}/poster.pdf").content
    assert get(f"/s/{link}/poster.pdf?again=1").content == first and len(renders) == 1
    publish(world[0], QUARTER, ministry)  # the poster shows the same report: nothing to print
    assert get(f"/s/{link}/poster.pdf").content == first and len(renders) == 1
    services.subject_external_url_set(
        subject=world[0], url="https://cnap.example.gov.ua/zvity", scope=scope, actor=user
    )
    changed = get(f"/s/{link}/poster.pdf").content
    assert changed.startswith(b"%PDF") and changed != first
    assert len(renders) == 2
    _, files = default_storage.listdir(f"{POSTER_DIR}/s")
    assert len([name for name in files if name.startswith(f"{link}-uk-")]) == 1


@override_settings(POSTER_RATE_LIMIT=3)
def test_hole_09_poster_pdfs_are_rate_limited_per_client(world, ministry):
    publication = publish(world[0], YEAR, ministry)
    path = f"/p/{publication.code}/poster.pdf"
    for number in range(3):
        assert get(f"{path}?x={number}").status_code == 200
    refused = get(f"{path}?x=4")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.content.decode().startswith("Забагато запитів з вашої адреси.")
    assert get(path, address="198.51.100.20").status_code == 200
