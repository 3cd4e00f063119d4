"""Loading a methodology version from its TOML file, with every rule checked before a write.

A file is a whole methodology version: its dates, its indicator definitions and the rating
weights. Nothing of an invalid file is stored; a file already loaded is a no-op; a changed
definition must carry a new definition version, so a published figure's definition never
changes under it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.services import audit_record
from yakist.core import basis as bases
from yakist.core.problems import Problem
from yakist.indicators.enums import Direction, Periodicity, SubjectType
from yakist.indicators.models import IndicatorDefinition, MethodologyVersion, RatingWeight

KNOWN_INPUTS = {"cases", "statmon", "feedback", "registry", "ingest"}
KNOWN_UNITS = {"share", "index", "score", "days"}
REQUIRED_FIELDS = (
    "code",
    "version",
    "name",
    "name_en",
    "description",
    "description_en",
    "formula",
    "inputs",
    "calculator",
    "unit",
    "direction",
    "periodicity",
    "subjects",
    "min_sample",
)
# Each indicator states the basis of its definition, its formula and its minimum sample.
INDICATOR_BASES = ("basis", "formula_basis", "min_sample_basis")
RULE_FIELDS = ("code", "name", "name_en", "text", "text_en")
RATED_SUBJECTS = {SubjectType.CENTRE, SubjectType.PROVIDER}


class MethodologyInvalid(Problem):
    slug = "methodology-invalid"
    status = 400
    title = gettext_lazy("Файл методики містить помилки")
    description = gettext_lazy(
        "Файл методики не завантажено: його правила суперечливі або неповні (див. errors)."
    )

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]), extra={"errors": errors})
        self.errors = errors


@dataclass
class LoadResult:
    methodology: MethodologyVersion
    created: bool


def calculators() -> set[str]:
    from yakist.indicators.engine import CALCULATORS

    return set(CALCULATORS)


def parse_file(path: Path) -> tuple[dict[str, Any], str]:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MethodologyInvalid([_("Файл не є коректним TOML: %(e)s") % {"e": error}]) from error
    return data, hashlib.sha256(raw).hexdigest()


def validate(data: dict[str, Any]) -> list[str]:
    """Every problem with the file, in words an analyst can act on."""
    header = data.get("methodology")
    if not isinstance(header, dict):
        return [_("Немає розділу [methodology] з кодом, назвою і датою набрання чинності.")]
    errors = _header_errors(header)
    indicators = data.get("indicator") or []
    if not indicators:
        errors.append(_("Немає жодного показника ([[indicator]])."))
    codes: dict[str, dict] = {}
    known_calculators = calculators()
    for position, item in enumerate(indicators, start=1):
        where = item.get("code") or f"#{position}"
        missing = [name for name in REQUIRED_FIELDS if name not in item]
        if missing:
            errors.append(
                _("Показник %(c)s: бракує полів %(f)s.") % {"c": where, "f": ", ".join(missing)}
            )
            continue
        if item["code"] in codes:
            errors.append(_("Код показника %(c)s повторюється.") % {"c": where})
        codes[item["code"]] = item
        errors.extend(_indicator_errors(item, where, known_calculators))
    errors.extend(_dependency_errors(codes))
    errors.extend(_weight_errors(data.get("weights") or [], codes))
    errors.extend(_rule_errors(data.get("rule") or []))
    return errors


def _header_errors(header: dict[str, Any]) -> list[str]:
    errors = [
        _("[methodology]: бракує поля %(f)s.") % {"f": name}
        for name in ("code", "title", "effective_from")
        if name not in header
    ]
    start, end = header.get("effective_from"), header.get("effective_to")
    if start is not None and not isinstance(start, dt.date):
        errors.append(_("[methodology]: effective_from має бути датою РРРР-ММ-ДД."))
    if end is not None and (
        not isinstance(end, dt.date) or (isinstance(start, dt.date) and end < start)
    ):
        errors.append(_("[methodology]: effective_to має бути датою не раніше effective_from."))
    return errors


def _indicator_errors(item: dict[str, Any], where: str, known_calculators: set[str]) -> list[str]:
    """One indicator's own fields (it has them all): known values, numbers, bases."""
    errors: list[str] = []
    unknown_inputs = set(item["inputs"]) - KNOWN_INPUTS
    if unknown_inputs:
        errors.append(
            _("Показник %(c)s: невідомі вхідні дані %(i)s (дозволено: %(k)s).")
            % {
                "c": where,
                "i": ", ".join(sorted(unknown_inputs)),
                "k": ", ".join(sorted(KNOWN_INPUTS)),
            }
        )
    if item["calculator"] not in known_calculators:
        errors.append(
            _("Показник %(c)s: невідомий спосіб розрахунку «%(k)s».")
            % {"c": where, "k": item["calculator"]}
        )
    errors.extend(_choice_errors(item, where))
    if not isinstance(item["min_sample"], int) or item["min_sample"] < 1:
        errors.append(_("Показник %(c)s: min_sample має бути цілим числом ≥ 1.") % {"c": where})
    if not isinstance(item["version"], int) or item["version"] < 1:
        errors.append(_("Показник %(c)s: version має бути цілим числом ≥ 1.") % {"c": where})
    if "legal_source" in item:
        errors.append(
            _(
                "Показник %(c)s: legal_source більше не пишуть вручну — підставу задає "
                "basis (act, draft або model), практику інших країн — practice."
            )
            % {"c": where}
        )
    for name in INDICATOR_BASES:
        errors.extend(bases.errors(f"{where}.{name}", item.get(name)))
    return errors


def _choice_errors(item: dict[str, Any], where: str) -> list[str]:
    """Unit, direction, periodicity and subjects from their fixed lists."""
    errors: list[str] = []
    if item["unit"] not in KNOWN_UNITS:
        errors.append(
            _("Показник %(c)s: невідома одиниця «%(u)s».") % {"c": where, "u": item["unit"]}
        )
    if item["direction"] not in Direction.values:
        errors.append(
            _("Показник %(c)s: напрямок має бути одним із %(v)s.")
            % {"c": where, "v": ", ".join(Direction.values)}
        )
    if item["periodicity"] not in Periodicity.values:
        errors.append(
            _("Показник %(c)s: періодичність має бути quarterly або yearly.") % {"c": where}
        )
    if not set(item["subjects"]) <= set(SubjectType.values) or not item["subjects"]:
        errors.append(_("Показник %(c)s: невідомий вид суб'єкта у subjects.") % {"c": where})
    return errors


def _rule_errors(rules: list[dict]) -> list[str]:
    errors, seen = [], set()
    for position, rule in enumerate(rules, start=1):
        where = rule.get("code") or f"rule #{position}"
        missing = [name for name in RULE_FIELDS if not str(rule.get(name) or "").strip()]
        if missing:
            errors.append(
                _("Правило %(c)s: бракує полів %(f)s.") % {"c": where, "f": ", ".join(missing)}
            )
        if where in seen:
            errors.append(_("Код правила %(c)s повторюється.") % {"c": where})
        seen.add(where)
        errors.extend(bases.errors(where, rule.get("basis")))
    return errors


def definition_bases(item: dict[str, Any]) -> dict[str, Any]:
    """The bases of an indicator as stored beside its definition."""
    return {name: bases.stored(item[name]) for name in INDICATOR_BASES}


def _dependency_errors(codes: dict[str, dict]) -> list[str]:
    errors = []
    for code, item in codes.items():
        for dependency in item.get("depends_on", []):
            if dependency not in codes:
                errors.append(
                    _("Показник %(c)s залежить від невідомого показника %(d)s.")
                    % {"c": code, "d": dependency}
                )
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished

    def visit(code: str, path: list[str]) -> None:
        state[code] = 1
        for dependency in codes[code].get("depends_on", []):
            if dependency not in codes:
                continue
            if state.get(dependency) == 1:
                cycle = (
                    [*path[path.index(dependency) :], dependency]
                    if dependency in path
                    else [code, dependency]
                )
                errors.append(
                    _("Циклічна залежність показників: %(p)s.") % {"p": " → ".join(cycle)}
                )
            elif state.get(dependency) is None:
                visit(dependency, [*path, dependency])
        state[code] = 2

    for code in codes:
        if state.get(code) is None:
            visit(code, [code])
    return errors


def _weight_errors(weight_sets: list[dict], codes: dict[str, dict]) -> list[str]:
    errors = []
    seen = set()
    for weight_set in weight_sets:
        subject = weight_set.get("subject_type")
        components = weight_set.get("components") or {}
        if subject not in RATED_SUBJECTS:
            errors.append(
                _("Ваги: рейтинг складають лише для centre і provider, не «%(s)s».")
                % {"s": subject}
            )
            continue
        if subject in seen:
            errors.append(_("Ваги для %(s)s задано двічі.") % {"s": subject})
        seen.add(subject)
        errors.extend(bases.errors(f"weights.{subject}", weight_set.get("basis")))
        for code, weight in components.items():
            if code not in codes:
                errors.append(
                    _("Ваги %(s)s: невідомий показник %(c)s.") % {"s": subject, "c": code}
                )
            elif subject not in codes[code]["subjects"]:
                errors.append(
                    _("Ваги %(s)s: показник %(c)s не застосовується до %(s)s.")
                    % {"s": subject, "c": code}
                )
            if not isinstance(weight, (int, float)) or weight <= 0:
                errors.append(
                    _("Ваги %(s)s: вага %(c)s має бути додатним числом.")
                    % {"s": subject, "c": code}
                )
        total = sum(Decimal(str(w)) for w in components.values() if isinstance(w, (int, float)))
        if total != 1:
            errors.append(
                _("Ваги %(s)s у сумі дають %(t)s, а мають давати 1.") % {"s": subject, "t": total}
            )
    return errors


def _history_errors(data: dict[str, Any]) -> list[str]:
    """Rules against versions already loaded: no overlapping dates, no silent formula change."""
    errors = []
    header = data["methodology"]
    start = header["effective_from"]
    end = header.get("effective_to") or dt.date.max
    overlapping = (
        MethodologyVersion.objects.filter(effective_from__lte=end)
        .filter(
            Q(effective_to__isnull=True, effective_from__gte=start) | Q(effective_to__gte=start)
        )
        .exclude(code=header["code"])
    )
    for other in overlapping:
        errors.append(
            _("Дати дії перетинаються з версією %(v)s (%(f)s – %(t)s).")
            % {"v": other.code, "f": other.effective_from, "t": other.effective_to or "…"}
        )
    for item in data.get("indicator") or []:
        previous = IndicatorDefinition.objects.filter(
            code=item["code"], version=item["version"]
        ).first()
        if previous is None:
            continue
        before, after = _defining(previous), _defining_in_file(item)
        changed = [name for name in before if before[name] != after[name]]
        if changed:
            errors.append(
                _(
                    "Показник %(c)s версії %(v)s уже діє з іншими %(f)s: змінене визначення має "
                    "отримати нову версію (version = %(n)s)."
                )
                % {
                    "c": item["code"],
                    "v": item["version"],
                    "f": ", ".join(changed),
                    "n": item["version"] + 1,
                }
            )
    return errors


def _defining(definition: IndicatorDefinition) -> dict[str, Any]:
    """What makes a definition itself; a change of any of these needs a new version."""
    params = {k: v for k, v in definition.params.items() if k not in ("calculator", "depends_on")}
    return {
        "formula": definition.formula,
        "inputs": definition.inputs,
        "unit": definition.unit,
        "direction": definition.direction,
        "min_sample": definition.min_sample,
        "params": params,
        "calculator": definition.params.get("calculator"),
        "basis": definition.basis,
        "practice": definition.practice,
    }


def _defining_in_file(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "formula": item["formula"].strip(),
        "inputs": item["inputs"],
        "unit": item["unit"],
        "direction": item["direction"],
        "min_sample": item["min_sample"],
        "params": item.get("params", {}),
        "calculator": item["calculator"],
        "basis": json_roundtrip(definition_bases(item)),
        "practice": item.get("practice", "").strip(),
    }


def _legal_source(basis: dict[str, Any]) -> str:
    """The stored one-line source is Ukrainian whatever language the loader runs in."""
    with translation.override("uk"):
        return bases.describe(basis)


def json_roundtrip(value: Any) -> Any:
    """As a JSON column gives it back."""
    return json.loads(json.dumps(value))


@transaction.atomic
def methodology_load(*, path: Path, actor=None) -> LoadResult:
    data, digest = parse_file(path)
    errors = validate(data)
    if errors:
        raise MethodologyInvalid(errors)
    header = data["methodology"]
    existing = _loaded_before(header, digest)
    if existing is not None:
        return LoadResult(existing, created=False)
    # An open-ended older version ends the day before the new one starts.
    MethodologyVersion.objects.filter(
        effective_to__isnull=True, effective_from__lt=header["effective_from"]
    ).update(effective_to=header["effective_from"] - dt.timedelta(days=1))
    errors = _history_errors(data)
    if errors:
        transaction.set_rollback(True)
        raise MethodologyInvalid(errors)
    methodology = MethodologyVersion.objects.create(
        code=header["code"],
        title=header["title"],
        adopted_by=header.get("adopted_by", ""),
        effective_from=header["effective_from"],
        effective_to=header.get("effective_to"),
        source_file=path.name,
        content_hash=digest,
        rules=[{**rule, "basis": bases.stored(rule["basis"])} for rule in data.get("rule") or []],
    )
    IndicatorDefinition.objects.bulk_create(
        [_definition(methodology, item) for item in data["indicator"]]
    )
    RatingWeight.objects.bulk_create(
        [
            RatingWeight(
                methodology=methodology,
                subject_type=weight_set["subject_type"],
                indicator_code=code,
                weight=Decimal(str(weight)),
                basis=bases.stored(weight_set["basis"]),
            )
            for weight_set in data.get("weights") or []
            for code, weight in weight_set["components"].items()
        ]
    )
    audit_record(
        actor=actor,
        action="methodology_load",
        obj=methodology,
        changes={
            "file": path.name,
            "sha256": digest,
            "indicators": [item["code"] for item in data["indicator"]],
        },
    )
    return LoadResult(methodology, created=True)


def _loaded_before(header: dict[str, Any], digest: str) -> MethodologyVersion | None:
    """The version with this code if this very file was loaded before; another file with the
    same code is refused (a change of methodology is a new version with a new code)."""
    existing = MethodologyVersion.objects.filter(code=header["code"]).first()
    if existing is None or existing.content_hash == digest:
        return existing
    raise MethodologyInvalid(
        [
            _(
                "Версію %(v)s уже завантажено з іншим вмістом. Зміни методики оформлюють новою "
                "версією з новим кодом."
            )
            % {"v": header["code"]}
        ]
    )


def _definition(methodology: MethodologyVersion, item: dict[str, Any]) -> IndicatorDefinition:
    return IndicatorDefinition(
        methodology=methodology,
        code=item["code"],
        version=item["version"],
        name=item["name"],
        name_en=item["name_en"],
        description=item["description"].strip(),
        description_en=item["description_en"].strip(),
        formula=item["formula"].strip(),
        inputs=item["inputs"],
        unit=item["unit"],
        direction=item["direction"],
        periodicity=item["periodicity"],
        subjects=item["subjects"],
        min_sample=item["min_sample"],
        legal_source=_legal_source(item["basis"]),
        basis=definition_bases(item),
        practice=item.get("practice", "").strip(),
        params={
            **item.get("params", {}),
            "calculator": item["calculator"],
            "depends_on": item.get("depends_on", []),
        },
    )
