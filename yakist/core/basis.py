"""The basis of a rule: an act in force, a draft, or Yakist's own model — checked, as data.

Every rule kept in data (an indicator definition, a checklist item, a rating weight, a peer
band, a minimum sample, a deadline or publication rule, a calendar rule) carries a `basis`
table beside it:

    basis = { kind = "act", act = "…", number = "…", date = 2021-08-11, point = "…",
              in_force_since = 2021-08-11 }      # in_force_since: a date or words
    basis = { kind = "draft", document = "…", reference = "…", date = 2021-03-19 }
    basis = { kind = "model", rationale = "…", replace_with = "…" }

An optional `note` adds what a reader must know (e.g. that a point was not checked against
the full text). Practice of other countries never goes here: it is a separate `practice`
field beside the rule. A loader refuses a rule without a basis and names the rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACT, DRAFT, MODEL = "act", "draft", "model"
KINDS = (ACT, DRAFT, MODEL)
REQUIRED = {
    ACT: ("act", "number", "date", "point", "in_force_since"),
    DRAFT: ("document", "reference", "date"),
    MODEL: ("rationale", "replace_with"),
}
OPTIONAL = ("note",)
BADGES = {
    ACT: gettext_lazy("вимога акта"),
    DRAFT: gettext_lazy("проєкт акта"),
    MODEL: gettext_lazy("модельне правило Якості"),
}
# Words that belong in a `practice` note, never in a legal source.
PRACTICE_WORDS = ("canada", "gov.uk", "практика інших країн", "практик")


def errors(rule: str, basis: Any) -> list[str]:
    """Every problem with the basis of `rule`, each naming the rule."""
    if basis is None or basis == {}:
        return [_("Правило «%(r)s»: не вказано підставу (basis).") % {"r": rule}]
    if not isinstance(basis, dict):
        return [_("Правило «%(r)s»: basis має бути таблицею.") % {"r": rule}]
    kind = basis.get("kind")
    if kind not in KINDS:
        return [
            _("Правило «%(r)s»: basis.kind має бути act, draft або model, а не «%(k)s».")
            % {"r": rule, "k": kind}
        ]
    found = []
    missing = [name for name in REQUIRED[kind] if not str(basis.get(name) or "").strip()]
    if missing:
        found.append(
            _("Правило «%(r)s»: підстава %(k)s без полів %(f)s.")
            % {"r": rule, "k": kind, "f": ", ".join(missing)}
        )
    unknown = sorted(set(basis) - {"kind", *REQUIRED[kind], *OPTIONAL})
    if unknown:
        found.append(
            _("Правило «%(r)s»: невідомі поля підстави %(f)s.")
            % {"r": rule, "f": ", ".join(unknown)}
        )
    if kind in (ACT, DRAFT) and "date" in basis and not isinstance(basis["date"], dt.date):
        found.append(_("Правило «%(r)s»: basis.date має бути датою РРРР-ММ-ДД.") % {"r": rule})
    if kind == ACT:
        legal_text = " ".join(str(basis.get(name, "")) for name in REQUIRED[ACT]).lower()
        if any(word in legal_text for word in PRACTICE_WORDS):
            found.append(
                _(
                    "Правило «%(r)s»: практику інших країн записують у practice, не в правове "
                    "джерело."
                )
                % {"r": rule}
            )
    return found


def stored(basis: dict[str, Any]) -> dict[str, Any]:
    """The basis as JSON (dates as ISO strings)."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in basis.items()
    }


def badge(basis: dict[str, Any] | None) -> str:
    return str(BADGES.get((basis or {}).get("kind"), ""))


def _day(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


def describe(basis: dict[str, Any] | None) -> str:
    """One line a reader can check: the act and its point, the draft and its reference, or the
    model's rationale and what would replace it."""
    basis = basis or {}
    kind = basis.get("kind")
    if kind == ACT:
        text = _("%(act)s від %(date)s № %(number)s, %(point)s (чинний: %(since)s)") % {
            "act": basis["act"],
            "date": _day(basis["date"]),
            "number": basis["number"],
            "point": basis["point"],
            "since": _day(basis["in_force_since"]),
        }
    elif kind == DRAFT:
        text = _("ПРОЄКТ: %(doc)s (реєстр. %(ref)s від %(date)s); не затверджено") % {
            "doc": basis["document"],
            "ref": basis["reference"],
            "date": _day(basis["date"]),
        }
    elif kind == MODEL:
        text = _("Модельне правило Якості: %(why)s Замінить: %(then)s") % {
            "why": basis["rationale"],
            "then": basis["replace_with"],
        }
    else:
        return ""
    if basis.get("note"):
        text += " — " + str(basis["note"])
    return text
