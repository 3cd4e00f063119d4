"""Retention of personal data without an operator: run daily by the worker (`yakist events
work`) and by `yakist events purge`; each period is a setting (docs/operations.md).

Core knows no stage: each app registers what it keeps for a limited time (`retention_task`,
from its AppConfig.ready) and the run calls them in turn. When a run ends, `retention_done`
carries the counts to whoever records it (accounts writes the audit entry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.dispatch import Signal
from django.utils import timezone

RETENTION_EVERY = dt.timedelta(days=1)

RetentionTask = Callable[[dt.datetime], int]
_tasks: dict[str, RetentionTask] = {}

# Sent after every run with `removed` = {task name: rows removed}.
retention_done = Signal()


def retention_task(name: str) -> Callable[[RetentionTask], RetentionTask]:
    """Register a task that removes what has outlived its period and returns how many."""

    def register(task: RetentionTask) -> RetentionTask:
        _tasks[name] = task
        return task

    return register


def retention_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every registered task; return how many rows each removed."""
    now = now or timezone.now()
    removed = {name: task(now) for name, task in _tasks.items()}
    retention_done.send(sender=retention_run, removed=removed)
    return removed
