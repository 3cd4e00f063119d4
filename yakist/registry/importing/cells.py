"""Parsing one cell of an import file: the words, dates and numbers people type in
spreadsheets, each refused with a Ukrainian message that names what was expected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

# PositiveIntegerField holds this much on every database (PostgreSQL refuses more).
MAX_INTEGER = 2_147_483_647
TRUE_WORDS = {"true", "1", "yes", "так", "t", "y", "+"}
FALSE_WORDS = {"false", "0", "no", "ні", "f", "n", "-", ""}


class CellError(ValueError):
    pass


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("очікується «так» або «ні» (true/false), отримано «%(v)s»") % {"v": text})


def parse_date(text: str) -> dt.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("очікується дата РРРР-ММ-ДД або ДД.ММ.РРРР, отримано «%(v)s»") % {"v": text})


def parse_positive_int(text: str, *, allow_empty: bool = True) -> int | None:
    if not text:
        if allow_empty:
            return None
        raise CellError(_("значення обов'язкове"))
    try:
        value = int(text)
    except ValueError as error:
        raise CellError(_("очікується ціле число, отримано «%(v)s»") % {"v": text}) from error
    if value < 0:
        raise CellError(_("число не може бути від'ємним"))
    if value > MAX_INTEGER:
        raise CellError(_("число завелике (не більше %(max)s)") % {"max": MAX_INTEGER})
    return value


def parse_choice(text: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if text not in allowed:
        raise CellError(
            _("недопустиме значення «%(v)s»; дозволено: %(allowed)s")
            % {"v": text, "allowed": ", ".join(allowed)}
        )
    return text
