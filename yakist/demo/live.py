"""The demo's live sender: signed events every few seconds, so dashboards move during `make demo`.

It signs with the demo keys in `var/demo-keys/` and goes through the real API like any
connected system: new cases, the next step of open cases, ratings, and now and then an event
with a mistake (so the rejection statistics have something to show).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from yakist.cases.enums import CaseStatus
from yakist.cases.models import Case
from yakist.demo.runner import DemoContext
from yakist.demo.stream import RATING_WEIGHTS, RATINGS, REFUSAL_REASONS, SUSPEND_REASONS, DemoWorld
from yakist.ingest.client import EventSender, SendFailed, TrembitaSender, load_private_key
from yakist.registry.models import SystemKey

NEXT_STEP = {
    CaseStatus.SUBMITTED: "registered",
    CaseStatus.REGISTERED: "status_changed",
    CaseStatus.SUSPENDED: "resumed",
}


@dataclass
class LiveSystem:
    system_id: int
    sandbox: bool
    sender: EventSender
    # A system with an X-Road client also sends through the «Трембіта» REST door; in the demo
    # 127.0.0.1 stands in for its security server.
    trembita: TrembitaSender | None = None


def demo_senders(url: str, key_dir: Path | None = None) -> list[LiveSystem]:
    """One sender per demo key whose system is registered and not suspended."""
    key_dir = key_dir or settings.VAR_DIR / "demo-keys"
    result = []
    for keyid_file in sorted(key_dir.glob("system-*.keyid")):
        key_id = keyid_file.read_text(encoding="utf-8").split()[0]
        key = SystemKey.objects.select_related("system").filter(key_id=key_id).first()
        if key is None or key.system.status == "suspended" or key.revoked_at:
            continue
        private = load_private_key(keyid_file.with_suffix("").with_suffix(".pem"))
        sender = EventSender(url=url, key_id=key_id, private_key=private, max_attempts=3)
        xroad = key.system.xroad_clients.order_by("pk").first()
        trembita = (
            TrembitaSender(security_server=url, client=xroad.identifier, max_attempts=3)
            if xroad is not None
            else None
        )
        result.append(LiveSystem(key.system_id, key.system.status == "testing", sender, trembita))
    return result


def wait_for_server(url: str, *, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=3) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


class LiveDemo:
    def __init__(self, *, url: str, seed: int, key_dir: Path | None = None) -> None:
        self.rng = random.Random(seed)
        context = DemoContext(seed=settings.DEMO_SEED)
        self.world = DemoWorld.load(random.Random(seed), context.centre_quality)
        self.systems = demo_senders(url, key_dir)
        self.counter = 0

    def tick(self, log: Callable[[str], None] = lambda _m: None) -> int:
        """Send one small batch per system; return how many events went out."""
        sent = 0
        for live in self.systems:
            events = self._new_cases(live) + self._progress(live)
            if not events:
                continue
            if self.rng.random() < 0.3:
                events.append(self._mistake(events[0]))
            through_trembita = live.trembita is not None and self.rng.random() < 0.5
            sender = live.trembita if through_trembita else live.sender
            door = " через «Трембіту»" if through_trembita else ""
            try:
                result = sender.send_batch(events)
            except SendFailed as error:
                log(f"система {live.system_id}{door}: {error}")
                continue
            sent += len(events)
            log(
                f"система {live.system_id}{door}: прийнято {result.accepted}, повторів "
                f"{result.duplicates}, відхилено {len(result.rejected)}"
            )
        return sent

    def _event(self, case: dict, kind: str, **extra) -> dict:
        event = {
            "event_id": str(uuid.uuid4()),
            "case_id": case["case_id"],
            "type": kind,
            "occurred_at": timezone.now().isoformat(),
            "service_code": case["service_code"],
            "provider_code": case["provider_code"],
            "channel": case["channel"],
        }
        if case.get("centre_code"):
            event["centre_code"] = case["centre_code"]
        event.update(extra)
        return event

    def _new_cases(self, live: LiveSystem) -> list[dict]:
        centres = self.world.centres.get(live.system_id, [])
        events = []
        for _ in range(self.rng.randint(0, 1 if live.sandbox else 3)):
            centre = self.rng.choices(centres, [c.weight for c in centres])[0] if centres else None
            service = self.world.service(self.rng)
            provider = self.world.provider_for(service, centre, self.rng)
            if provider is None:
                continue
            self.counter += 1
            case = {
                "case_id": f"L{live.system_id}-{timezone.now():%Y%m%d%H%M%S}-{self.counter}",
                "service_code": service.code,
                "provider_code": provider[1],
                "centre_code": centre.code if centre else None,
                "channel": "offline" if centre else "online",
            }
            ref = f"demo-live-{self.rng.randrange(100000):06d}"
            events.append(self._event(case, "submitted", applicant_ref=ref))
        return events

    def _progress(self, live: LiveSystem) -> list[dict]:
        open_cases = (
            Case.objects.filter(
                system_id=live.system_id,
                sandbox=live.sandbox,
                status__in=[
                    CaseStatus.SUBMITTED,
                    CaseStatus.REGISTERED,
                    CaseStatus.IN_PROGRESS,
                    CaseStatus.SUSPENDED,
                    CaseStatus.COMPLETED,
                ],
            )
            .order_by("?")
            .values(
                "case_id",
                "status",
                "channel",
                "service__code",
                "provider__code",
                "centre__code",
            )[: self.rng.randint(1, 4)]
        )
        events = []
        for row in open_cases:
            case = {
                "case_id": row["case_id"],
                "service_code": row["service__code"],
                "provider_code": row["provider__code"],
                "centre_code": row["centre__code"],
                "channel": row["channel"],
            }
            events.extend(self._next(case, row["status"]))
        return events

    def _next(self, case: dict, status: str) -> list[dict]:
        rng = self.rng
        if status in NEXT_STEP:
            kind = NEXT_STEP[status]
            extra = {"status": "in_progress"} if kind == "status_changed" else {}
            return [self._event(case, kind, **extra)]
        if status == CaseStatus.IN_PROGRESS:
            if rng.random() < 0.1:
                return [self._event(case, "suspended", reason=rng.choice(SUSPEND_REASONS))]
            return [self._event(case, "completed")]
        if rng.random() < 0.06:
            return [self._event(case, "refused", reason=rng.choice(REFUSAL_REASONS))]
        events = [self._event(case, "issued")]
        if rng.random() < 0.4:
            rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
            events.append(self._event(case, "rated", rating=rating))
        return events

    def _mistake(self, model: dict) -> dict:
        """An event a careless integration might send."""
        bad = dict(model, event_id=str(uuid.uuid4()))
        choice = self.rng.randrange(3)
        if choice == 0:
            bad["service_code"] = "99999"
        elif choice == 1:
            bad["occurred_at"] = (timezone.now() + dt.timedelta(days=2)).isoformat()
        else:
            bad["centre_code"] = "UA00000000000000000-01"
        return bad
