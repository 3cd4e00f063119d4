"""The one synthetic-data generator behind `make demo`, a step per stage.

Each module of this package contributes step functions (listed in settings.DEMO_STEPS) that
take a `DemoContext` and return a one-line summary; they fill the stages through the stages'
own services (and, where a service would be too slow for a synthetic year, set-based writes).
Steps are seeded and reproducible: the same seed and scale give the same world. A finished
step is recorded and skipped on the next run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from yakist.core.models import DemoStep

T = TypeVar("T")


@dataclass
class DemoContext:
    seed: int
    scale: float = 1.0
    console: Console = field(default_factory=Console)
    progress: Progress | None = None
    # Values steps hand to later steps (e.g. demo logins to print at the end).
    shared: dict[str, Any] = field(default_factory=dict)

    def rng(self, salt: str) -> random.Random:
        """A random generator per step, so adding a step never reshuffles the others."""
        return random.Random(f"{self.seed}:{salt}")

    def centre_quality(self, centre_code: str) -> float:
        """A centre's hidden service quality in [0, 1], the same for every generator step.

        Cases, surveys and quarterly reports of one centre then tell a consistent story:
        a good centre is on time, well rated and well equipped.
        """
        return random.Random(f"{self.seed}:quality:{centre_code}").betavariate(5, 1.6)

    def track(self, items: Iterable[T], *, total: int, description: str) -> Iterator[T]:
        if self.progress is None:
            yield from items
            return
        task = self.progress.add_task(description, total=total)
        for item in items:
            yield item
            self.progress.advance(task)
        self.progress.update(task, completed=total)


def non_demo_data() -> list[str]:
    """What this database holds that the demo did not create; the demo runs only when it is
    empty. Before the demo's first run (no step recorded) any account, centre, organisation
    or connected system counts; after it, any account or system not named by the demo (the
    demo's other rows all hang off its systems and centres)."""
    from django.contrib.auth import get_user_model

    from yakist.demo.accounts import DEMO_USERS
    from yakist.demo.registry import DEMO_SYSTEMS
    from yakist.registry.models import ConnectedSystem
    from yakist.registry.models.reference import Centre, Organisation

    tables = set(connection.introspection.table_names())
    user_model = get_user_model()

    def present(model) -> bool:
        return model._meta.db_table in tables

    found = []
    demo_ran = present(DemoStep) and DemoStep.objects.exists()
    users, systems = user_model.objects.all(), ConnectedSystem.objects.all()
    if demo_ran:
        users = users.exclude(username__in=[row[0] for row in DEMO_USERS])
        systems = systems.exclude(name__in=[row[0] for row in DEMO_SYSTEMS]).exclude(
            basis=ConnectedSystem.Basis.UPLOAD  # a centre's file channel hangs off the centre
        )
        checks = [(users, "облікові записи"), (systems, "підключені системи")]
    else:
        checks = [
            (users, "облікові записи"),
            (systems, "підключені системи"),
            (Centre.objects.all(), "центри"),
            (Organisation.objects.all(), "організації"),
        ]
    for queryset, label in checks:
        if present(queryset.model):
            count = queryset.count()
            if count:
                found.append(f"{label}: {count}")
    return found


# Steps lived in the domain apps before the demo package gathered them; a demo database made
# then keeps its finished steps under their old names, which still count as done.
FORMER_PACKAGES = {
    "yakist.registry.demo_subjects.": "yakist.demo.registry_subjects.",
    "yakist.registry.demo.": "yakist.demo.registry.",
    "yakist.accounts.demo.": "yakist.demo.accounts.",
    "yakist.ingest.demo_subjects.": "yakist.demo.stream_subjects.",
    "yakist.ingest.demo.": "yakist.demo.stream.",
    "yakist.statmon.demo_hromada.": "yakist.demo.statmon_hromada.",
    "yakist.statmon.demo.": "yakist.demo.statmon.",
    "yakist.feedback.demo.": "yakist.demo.feedback.",
    "yakist.indicators.demo.": "yakist.demo.indicators.",
    "yakist.improvement.demo.": "yakist.demo.improvement.",
    "yakist.portal.demo.": "yakist.demo.portal.",
}


def _current_name(name: str) -> str:
    for former, current in FORMER_PACKAGES.items():
        if name.startswith(former):
            return current + name[len(former) :]
    return name


def demo_steps() -> list[tuple[str, Callable[[DemoContext], str]]]:
    return [(path, import_string(path)) for path in settings.DEMO_STEPS]


def run_demo(
    *, seed: int, scale: float, console: Console, force: bool = False, only: tuple[str, ...] = ()
) -> DemoContext:
    """Run every step not yet done (or only those whose path starts with one of `only`)."""
    recorded = DemoStep.objects.values_list("name", flat=True)
    done = {_current_name(name) for name in recorded}
    context = DemoContext(seed=seed, scale=scale, console=console)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        context.progress = progress
        for name, step in demo_steps():
            if (name in done and not force) or (only and not name.startswith(only)):
                continue
            started = time.monotonic()
            summary = step(context) or ""
            DemoStep.objects.update_or_create(
                name=name, defaults={"seed": seed, "scale": scale, "summary": summary}
            )
            progress.console.print(
                f"  [green]✓[/green] {summary} [dim]({time.monotonic() - started:.1f} с)[/dim]"
            )
    context.progress = None
    return context


def chunked(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
