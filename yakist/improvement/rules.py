"""The improvement loop's model rules, read from data/improvement/rules.toml (basis: model)."""

from __future__ import annotations

import tomllib
from functools import cache

from django.conf import settings

RULES_FILE = settings.BASE_DIR / "data" / "improvement" / "rules.toml"


@cache
def rules() -> dict:
    with RULES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def effect() -> dict:
    return rules()["effect"]


def detection() -> dict:
    return rules()["detection"]


def external() -> dict:
    return rules()["external_assessment"]


def described() -> list[dict]:
    """Every rule with its basis and rationale, for docs and pages."""
    return [
        {
            "code": code,
            "basis": rule["basis"],
            "title": rule["title"],
            "rationale": rule["rationale"],
        }
        for code, rule in rules().items()
    ]
