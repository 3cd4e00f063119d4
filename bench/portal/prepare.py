"""Run inside the benchmark's environment: national results (if the engine made none), the
ministry's bulk publication of the latest closed periods, the URL list and a static file of
the pages' median size."""

import json
import os
import statistics
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakist.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from yakist.accounts.scope import scope_of  # noqa: E402
from yakist.core.periods import kyiv_now  # noqa: E402
from yakist.portal import schedule, services, sources  # noqa: E402
from yakist.portal.models import Publication  # noqa: E402
from yakist.portal.tests import factories  # noqa: E402


def main(out_dir: str) -> None:
    today = kyiv_now().date()
    periods = schedule.closed_periods(today)
    subjects = sources.subjects_all()
    if not any(sources.results_exist(p) for p in periods):
        for period in periods:
            factories.results(period=period, subjects=[s.ref for s in subjects])
        factories.ratings(period=periods[1], keys=[s.key for s in subjects if s.type == "centre"])
    ministry = get_user_model().objects.get(username="ministry")
    for period in periods:
        services.publication_publish_bulk(
            period=period, subjects=subjects, scope=scope_of(ministry), actor=ministry
        )
    centres = [s.key for s in subjects if s.type == "centre"][::7]
    regions = [s.key for s in subjects if s.type == "region"]
    reports = list(
        Publication.objects.filter(state="published", subject_type="centre")
        .order_by("code")
        .values_list("code", flat=True)[::25]
    )
    urls = (
        ["/", "/en/", "/indicators/timeliness", "/reports/", "/open-data/"]
        + [f"/centres/{key}" for key in centres]
        + [f"/regions/{key}" for key in regions]
        + [f"/p/{code}" for code in reports]
    )
    client = Client(HTTP_HOST="127.0.0.1")  # a host the production settings allow
    responses = [client.get(url) for url in urls]
    failed = [
        url for url, response in zip(urls, responses, strict=True) if response.status_code != 200
    ]
    if failed:
        raise SystemExit(f"сторінки не відкрилися: {failed[:5]}")
    sizes = [len(response.content) for response in responses]
    size = int(statistics.median(sizes))
    static_dir = settings.STATIC_ROOT / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "page.html").write_bytes(b"<!doctype html>" + b"x" * (size - 15))
    with open(os.path.join(out_dir, "urls.json"), "w", encoding="utf-8") as handle:
        json.dump({"urls": urls, "median_size": size}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
