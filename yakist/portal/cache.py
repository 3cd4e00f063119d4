"""Public pages cached per publication: each page names the tags it depends on; publishing
bumps exactly the tags of what changed, and only pages with those tags are rendered again.

A tag's generation is a random token kept in the shared cache (Redis or files, so every
server worker sees it). A lost token is replaced by a new one, never by an old one, so an
evicted generation can only cause a re-render, not a stale page. A worker keeps the tokens it
has read while one version token, renewed by every invalidation, is unchanged; it reads that
token at most once a second, so another worker's publication shows within a second.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.core.cache import cache

GENERATION_PREFIX = "portal:gen:"
PAGE_PREFIX = "portal:page:"
# Registry facts on a page (addresses, hours) are not tagged; they refresh within this time.
PAGE_TTL = 3600


# Each server worker also keeps the pages it served lately in its own memory, so a hit does not
# read and unpack the whole page from the shared cache every time (that was 40 % of a hit with
# the file cache). A page's key names the generations of its tags, so a kept page can never
# outlive a publication; it is dropped after LOCAL_TTL seconds, or when the bytes run out.
LOCAL_BYTES = 64 * 1024 * 1024
LOCAL_TTL = 60


class LocalPages:
    """A small least-recently-used store of pages by key, bounded in bytes and in time."""

    def __init__(self, limit_bytes: int = LOCAL_BYTES, ttl: float = LOCAL_TTL) -> None:
        self.limit_bytes, self.ttl = limit_bytes, ttl
        self._pages: OrderedDict[str, tuple[float, int, dict]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # gunicorn's threaded workers share it

    def get(self, key: str) -> dict | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return found[2]

    def put(self, key: str, page: dict) -> None:
        size = len(page["body"])
        if size > self.limit_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (time.monotonic() + self.ttl, size, page)
            self._bytes += size
            while self._bytes > self.limit_bytes:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        _expires, size, _page = self._pages.pop(key)
        self._bytes -= size


local_pages = LocalPages()


def page_get(key: str) -> dict | None:
    """A stored page ({"body", "type", "headers"}): this worker's copy, else the shared one."""
    page = local_pages.get(key)
    if page is None:
        page = cache.get(key)
        if page is not None:
            local_pages.put(key, page)
    return page


def page_set(key: str, page: dict, ttl: int) -> None:
    cache.set(key, page, ttl)
    local_pages.put(key, page)


def subject_tag(subject_type: str, key: str) -> str:
    return f"subject:{subject_type}:{key}"


def list_tag(scope: str) -> str:
    """Pages that list many subjects of a region, a hromada or the nation."""
    return f"list:{scope}"


def period_tag(period: str) -> str:
    return f"period:{period}"


def publication_tag(code: str) -> str:
    return f"publication:{code}"


def subject_link_tag(code: str) -> str:
    """Pages addressed by a subject's short code (widget, poster)."""
    return f"subject-link:{code}"


ARCHIVE = "archive"
# Every page depends on the epoch: a national bulk publication renews all pages at once.
EPOCH = "epoch"


# Every invalidation also renews this token, after the tags' own. A worker keeps the tag
# generations it has read and trusts them while this token is the one it saw when it read them.
# It reads the token at most once in VERSION_READ_EVERY seconds: a page may be a minute old in
# any browser or proxy anyway (Cache-Control max-age=60), and reading the token for every page
# was a sixth of a cached hit under load (docs/performance.md). The worker that publishes drops
# its copy at once.
VERSION_KEY = GENERATION_PREFIX + "#any"
VERSION_READ_EVERY = 1.0


class LocalGenerations:
    """This worker's copy of tag generations, valid while the shared version token holds."""

    def __init__(self, read_every: float = VERSION_READ_EVERY) -> None:
        self.read_every = read_every
        self._version: object = None
        self._read_at = 0.0
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def tokens(self, keys: list[str]) -> list[str]:
        version = self._current_version()
        with self._lock:  # only this page's tags, not a copy of every tag the worker knows
            known = {key: self._tokens[key] for key in keys if key in self._tokens}
        missing = [key for key in keys if key not in known]
        if missing:
            found = _shared_tokens(missing)
            known.update(found)
            with self._lock:
                if self._version == version:
                    self._tokens.update(found)
        return [known[key] for key in keys]

    def _current_version(self) -> object:
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._read_at < self.read_every:
                return self._version
        version = cache.get(VERSION_KEY)
        if version is None:  # first use, or evicted: a new token, so every copy is dropped
            cache.add(VERSION_KEY, secrets.token_hex(6), None)
            version = cache.get(VERSION_KEY)
        with self._lock:
            if version != self._version:
                self._version, self._tokens = version, {}
            self._read_at = now
        return version

    def clear(self) -> None:
        with self._lock:
            self._version, self._tokens = None, {}


def _shared_tokens(keys: list[str]) -> dict[str, str]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(6), None)
            found[key] = cache.get(key)
    return {key: str(found[key]) for key in keys}


local_generations = LocalGenerations()


def generations(tags: Iterable[str]) -> str:
    keys = [GENERATION_PREFIX + tag for tag in sorted(set(tags))]
    return ".".join(local_generations.tokens(keys))


def invalidate(tags: Iterable[str]) -> None:
    cache.set_many({GENERATION_PREFIX + tag: secrets.token_hex(6) for tag in set(tags)}, None)
    cache.set(VERSION_KEY, secrets.token_hex(6), None)
    local_generations.clear()  # this worker sees its own publication at once


def page_key(path: str, tags: Iterable[str]) -> str:
    digest = hashlib.sha256(f"{path}|{generations([*tags, EPOCH])}".encode()).hexdigest()[:40]
    return PAGE_PREFIX + digest


def tags_for_subject(
    *,
    subject_type: str,
    key: str,
    link_code: str,
    region: str | None,
    hromada: str | None,
    period: str,
) -> set[str]:
    """Everything a publication of this subject appears on."""
    tags = {
        subject_tag(subject_type, key),
        subject_link_tag(link_code),
        period_tag(period),
        ARCHIVE,
    }
    if subject_type == "centre":
        if region:
            tags.add(list_tag(f"region:{region}"))
        if hromada:
            tags.add(list_tag(f"hromada:{hromada}"))
    if subject_type in ("region", "nation"):
        tags.add(list_tag("nation"))
    return tags
