"""Import of subjects, centres and services from CSV or XLSX: the service that runs the steps.

A file is checked whole before anything is written: every row error is reported with its row
number and column, and a file with errors changes nothing unless the caller asks for a partial
import of the valid rows. The steps live in yakist.registry.importing; export is
yakist.registry.exporting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from yakist.accounts.scope import require_write
from yakist.accounts.services import audit_record_many
from yakist.core.problems import Forbidden
from yakist.core.spreadsheets import read_table
from yakist.registry.filelayout import Kind
from yakist.registry.importing.apply import APPLIERS
from yakist.registry.importing.rows import RowError, validate_rows


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def registry_import(
    *,
    kind: Kind,
    filename: str,
    content: bytes,
    allow_partial: bool = False,
    dry_run: bool = False,
    actor=None,
) -> ImportReport:
    scope = require_write(actor)
    if scope is not None and not scope.can_edit_registry:
        raise Forbidden(_("Реєстр змінює лише Мінцифри."))
    rows = read_table(filename, content)
    report = ImportReport(kind=kind, rows=len(rows))
    valid, report.errors = validate_rows(kind, rows)
    if dry_run or (report.errors and not allow_partial) or not valid:
        return report
    with transaction.atomic():
        created, updated, unchanged, audit = APPLIERS[kind](
            [v for _, _, v in valid], [c for _, c, _ in valid]
        )
        audit_record_many(entries=audit, actor=actor)
    report.created, report.updated, report.unchanged = created, updated, unchanged
    report.applied = True
    return report
