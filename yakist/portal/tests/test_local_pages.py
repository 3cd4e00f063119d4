"""A worker's own copies of cached pages: bounded in bytes and time, least recently used
first out, and never a page of an older publication (its key changes with the tags)."""

import pytest

from yakist.portal import cache as page_cache
from yakist.portal.cache import LocalPages
from yakist.portal.tests.conftest import YEAR, publish


def page(size: int) -> dict:
    return {"body": b"x" * size, "type": "text/html", "headers": {}}


def test_the_least_recently_used_page_leaves_first_when_the_bytes_run_out():
    pages = LocalPages(limit_bytes=300, ttl=60)
    pages.put("a", page(100))
    pages.put("b", page(100))
    pages.put("c", page(100))
    assert pages.get("a") is not None  # "a" is now the most recent
    pages.put("d", page(100))
    assert pages.get("b") is None
    assert all(pages.get(key) is not None for key in ("a", "c", "d"))


def test_a_page_larger_than_the_store_is_not_kept_and_replacing_a_key_counts_once():
    pages = LocalPages(limit_bytes=250, ttl=60)
    pages.put("huge", page(251))
    assert pages.get("huge") is None
    for _ in range(5):
        pages.put("same", page(200))
    pages.put("other", page(50))
    assert pages.get("same") is not None and pages.get("other") is not None


def test_a_kept_page_expires(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    pages = LocalPages(limit_bytes=1000, ttl=60)
    pages.put("a", page(10))
    now[0] += 59
    assert pages.get("a") is not None
    now[0] += 2
    assert pages.get("a") is None


@pytest.mark.django_db
def test_a_new_publication_is_shown_although_the_worker_kept_the_old_page(client, world, ministry):
    path = f"/centres/{world[0].key}"
    before = client.get(path)
    assert before["X-Yakist-Cache"] == "miss"
    assert client.get(path)["X-Yakist-Cache"] == "hit"
    assert page_cache.local_pages._pages, "the worker keeps the page it served"
    publish(world[0], YEAR, ministry)
    after = client.get(path)
    assert after["X-Yakist-Cache"] == "miss"
    assert after.content != before.content


def test_a_worker_reads_its_tag_generations_once_while_nothing_is_published(monkeypatch):
    first = page_cache.generations(["a", "b"])
    reads = []
    monkeypatch.setattr(page_cache.cache, "get_many", lambda keys: reads.append(keys) or {})
    monkeypatch.setattr(page_cache.cache, "get", lambda key, *a: reads.append(key))
    assert page_cache.generations(["b", "a"]) == first
    assert reads == [], "kept generations and version are not read again within the second"


def another_workers_invalidation(tags: list[str]) -> None:
    """What `invalidate` does in another process: the shared cache changes, not our copy."""
    from django.core.cache import cache

    for tag in tags:
        cache.set(page_cache.GENERATION_PREFIX + tag, f"new-{tag}", None)
    cache.set(page_cache.VERSION_KEY, "new-version", None)


def test_another_workers_invalidation_shows_within_a_second(monkeypatch):
    now = [5000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    first = page_cache.generations(["a", "b"])
    another_workers_invalidation(["a"])
    now[0] += 0.5
    assert page_cache.generations(["a", "b"]) == first  # within the second: the kept copy
    now[0] += 0.6
    second = page_cache.generations(["a", "b"])
    assert second.split(".") == ["new-a", first.split(".")[1]]  # "a" renewed, "b" as it was


def test_this_workers_own_invalidation_shows_at_once():
    first = page_cache.generations(["a", "b"])
    page_cache.invalidate(["b"])
    second = page_cache.generations(["a", "b"])
    assert second.split(".")[0] == first.split(".")[0]
    assert second.split(".")[1] != first.split(".")[1]


def test_a_lost_version_token_drops_the_kept_generations(monkeypatch):
    from django.core.cache import cache

    now = [5000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    first = page_cache.generations(["a"])
    cache.set(page_cache.GENERATION_PREFIX + "a", "changed-behind", None)
    now[0] += 2
    assert page_cache.generations(["a"]) == first  # kept while the version holds
    cache.delete(page_cache.VERSION_KEY)  # evicted
    now[0] += 2
    assert page_cache.generations(["a"]) == "changed-behind"
