"""Reading what the static-monitoring pages post: the report form's fields, dates and choices.

The report form names its inputs by indicator code — `v:` the value, `b:` the value the page
was made with, `c:` the explanation, `bc:` the explanation it was made with — so a stale save
can be merged field by field (drafts.report_save).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from yakist.statmon.specs import FormSpec


@dataclass
class PostedReport:
    entries: dict[str, str] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


def posted_report(data: QueryDict, form: FormSpec, kind: str) -> PostedReport:
    """The values and explanations posted for the indicators of a centre of `kind`."""
    posted = PostedReport()
    for spec in form.applicable(kind):
        key = f"v:{spec.code}"
        if key in data:
            posted.entries[spec.code] = data[key]
            posted.base[spec.code] = data.get(f"b:{spec.code}", "")
        ckey = f"c:{spec.code}"
        if ckey in data:
            posted.comments[spec.code] = data[ckey]
            posted.base[f"#{spec.code}"] = data.get(f"bc:{spec.code}", "")
    return posted


def draft_version(data: QueryDict) -> int | None:
    """The draft version the page was made from; None when missing (the save is not stale)."""
    try:
        return int(data.get("draft_version", ""))
    except ValueError:
        return None


def date_field(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(_("Вкажіть дату у форматі РРРР-ММ-ДД.")) from error


def checked_ids(data: QueryDict, name: str) -> list[int]:
    """The ids of the ticked rows of a list (anything that is not a number is ignored)."""
    return [int(pk) for pk in data.getlist(name) if pk.isdigit()]
