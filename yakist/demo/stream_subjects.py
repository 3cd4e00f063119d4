"""Demo step: a centre not connected uploads a quarter of its cases from a CSV file, through
the same intake as the API (two rows of the file are wrong on purpose). The file is left in
var/demo-upload.csv for `yakist cases import` (README)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from django.conf import settings
from django.utils import timezone

from yakist.cases.services import cases_project_pending
from yakist.demo.runner import DemoContext
from yakist.ingest.upload import case_upload_accept
from yakist.ingest.validation import FIELD_ORDER
from yakist.registry.models.reference import MonitoringNotice, Service

CASES = 120


def uploads(ctx: DemoContext) -> str:
    notice = MonitoringNotice.objects.filter(centre__isnull=False).select_related("centre").first()
    if notice is None:
        return "Завантаження файлів: немає непідключеного ЦНАП"
    centre = notice.centre
    content = demo_csv(ctx, centre)
    path = settings.VAR_DIR / "demo-upload.csv"
    path.write_bytes(content)
    outcome = case_upload_accept(filename=path.name, content=content, centre=centre)
    while cases_project_pending(max_events=20_000)[0]:
        pass
    return f"Завантаження файлу ЦНАП «{centre.name}»: {outcome.summary}"


def demo_csv(ctx: DemoContext, centre) -> bytes:
    rng = ctx.rng("case-upload")
    services = list(
        Service.objects.filter(terms__unit="working_days", providers__isnull=False)
        .distinct()
        .order_by("code")[:20]
    )
    now = timezone.now()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_ORDER)
    writer.writeheader()
    for number in range(CASES):
        service = rng.choice(services)
        provider = service.providers.order_by("code").first()
        start = now - dt.timedelta(days=rng.randint(20, 85), hours=rng.randint(0, 8))
        common = {
            "case_id": f"{centre.code}-F{number:05d}",
            "service_code": service.code,
            "centre_code": centre.code,
            "provider_code": provider.code,
            "channel": "offline",
        }
        steps = [("submitted", start), ("registered", start + dt.timedelta(minutes=20))]
        steps.append(("issued", start + dt.timedelta(days=rng.randint(1, 14))))
        for kind, moment in steps:
            writer.writerow(
                {
                    **common,
                    "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "type": kind,
                    "occurred_at": moment.isoformat(timespec="seconds"),
                }
            )
    # Two rows wrong on purpose: the upload page and `yakist cases import` show them.
    writer.writerow({**common, "event_id": "не-uuid", "type": "issued", "occurred_at": "вчора"})
    writer.writerow(
        {
            **common,
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": "submitted",
            "occurred_at": now.isoformat(timespec="seconds"),
            "service_code": "00000-НЕМАЄ",
        }
    )
    return out.getvalue().encode()
