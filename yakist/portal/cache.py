"""Public pages cached per publication: each page names the tags it depends on; publishing
bumps exactly the tags of what changed, and only pages with those tags are rendered again.

A tag's generation is a random token kept in the shared cache (Redis or files, so every
server worker sees it). A lost token is replaced by a new one, never by an old one, so an
evicted generation can only cause a re-render, not a stale page.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.core.cache import cache

GENERATION_PREFIX = "portal:gen:"
PAGE_PREFIX = "portal:page:"
# Registry facts on a page (addresses, hours) are not tagged; they refresh within this time.
PAGE_TTL = 3600


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


def generations(tags: Iterable[str]) -> str:
    keys = [GENERATION_PREFIX + tag for tag in sorted(set(tags))]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(6), None)
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)


def invalidate(tags: Iterable[str]) -> None:
    cache.set_many({GENERATION_PREFIX + tag: secrets.token_hex(6) for tag in set(tags)}, None)


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
