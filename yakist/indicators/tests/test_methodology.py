"""Methodology files: every inconsistency refused at load time; new versions never rewrite old
results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from yakist.core.periods import Period
from yakist.indicators.methodology import MethodologyInvalid, methodology_load
from yakist.indicators.models import IndicatorResult, MethodologyVersion, RatingResult
from yakist.indicators.services import indicators_compute

pytestmark = pytest.mark.django_db
SHIPPED = Path(settings.BASE_DIR) / "data" / "methodology" / "2025.1.toml"


def variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


NEW_VERSION = ('code = "2025.1"', 'code = "2027.1"')
NEW_DATES = ("effective_from = 2025-01-01", "effective_from = 2027-01-01")


def errors_of(path: Path) -> list[str]:
    with pytest.raises(MethodologyInvalid) as raised:
        methodology_load(path=path)
    return raised.value.errors


def test_the_shipped_methodology_is_loaded_and_a_reload_is_a_no_op():
    assert MethodologyVersion.objects.filter(code="2025.1").exists()
    assert methodology_load(path=SHIPPED).created is False


def test_a_rule_without_basis_is_refused_naming_the_rule(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ("[indicator.min_sample_basis]\nkind", "[indicator.min_sample_note]\nkind"),
    )
    assert any("offline_compliance.min_sample_basis" in e and "basis" in e for e in errors_of(path))


def test_an_act_basis_without_its_point_is_refused(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ('point = "ст. 10 (строк надання адміністративної послуги)"\n', ""),
    )
    assert any("timeliness.basis" in e and "act" in e and "point" in e for e in errors_of(path))


def test_practice_in_a_legal_source_is_refused(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ("ст. 9 (подання заяви в електронній формі)", "ст. 9; практика: Canada GC standards"),
    )
    assert any("online_share.basis" in e and "practice" in e for e in errors_of(path))


def test_a_weight_set_without_basis_is_refused(tmp_path):
    path = variant(
        tmp_path, "m.toml", NEW_VERSION, NEW_DATES, ("[weights.basis]\nkind", "[weights.why]\nkind")
    )
    assert any("weights.centre" in e for e in errors_of(path))


def test_every_shipped_rule_has_a_complete_basis():
    methodology = MethodologyVersion.objects.get(code="2025.1")
    definitions = list(methodology.definitions.all())
    for definition in definitions:
        assert set(definition.basis) == {"basis", "formula_basis", "min_sample_basis"}
        assert "Канади" not in definition.legal_source and "практика" not in definition.legal_source
    timeliness = next(d for d in definitions if d.code == "timeliness")
    assert "Канади" in timeliness.practice
    assert all(w.basis["kind"] == "model" for w in methodology.weights.all())
    rules = {rule["code"]: rule for rule in methodology.rules}
    assert rules["rating.peer_bands"]["basis"]["kind"] == "model"
    assert rules["publication.quarterly"]["basis"]["kind"] == "draft"
    assert rules["publication.quarterly"]["basis"]["reference"] == "1/04-1-2938"
    for rule in rules.values():
        if rule["basis"]["kind"] == "act":
            assert all(rule["basis"].get(k) for k in ("act", "number", "date", "point"))


def test_a_changed_basis_under_the_same_definition_version_is_refused(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ("ст. 9 (подання заяви в електронній формі)", "ст. 9 ч. 1 (подання заяви)"),
    )
    assert any("online_share" in e and "basis" in e for e in errors_of(path))


def test_unknown_input_is_refused(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ('inputs = ["statmon"]', 'inputs = ["statmon", "astrology"]'),
    )
    assert any("невідомі вхідні дані astrology" in e for e in errors_of(path))


def test_dependency_cycle_is_refused(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ('calculator = "timeliness"', 'calculator = "timeliness"\ndepends_on = ["refusal_share"]'),
        (
            'calculator = "refusal_share"',
            'calculator = "refusal_share"\ndepends_on = ["timeliness"]',
        ),
    )
    assert any("Циклічна залежність" in e for e in errors_of(path))


def test_weights_must_sum_to_one(tmp_path):
    path = variant(
        tmp_path, "m.toml", NEW_VERSION, NEW_DATES, ("timeliness = 0.35", "timeliness = 0.45")
    )
    assert any("у сумі дають 1.10" in e for e in errors_of(path))


def test_overlapping_effective_dates_are_refused(tmp_path):
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        ("effective_from = 2025-01-01", "effective_from = 2024-06-01\neffective_to = 2025-06-30"),
    )
    assert any("перетинаються з версією 2025.1" in e for e in errors_of(path))
    assert not MethodologyVersion.objects.filter(code="2027.1").exists()


def test_a_changed_formula_needs_a_new_definition_version(tmp_path):
    path = variant(
        tmp_path, "m.toml", NEW_VERSION, NEW_DATES, ("min_sample = 30", "min_sample = 50")
    )
    assert any("змінене визначення має отримати нову версію" in e for e in errors_of(path))


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("[methodology\ncode =", encoding="utf-8")
    assert any("не є коректним TOML" in e for e in errors_of(path))


def test_a_new_version_keeps_old_results_and_adds_marked_revisions(tmp_path):
    period = Period(2026, 3)
    indicators_compute(period=period)
    old = {
        r.pk: (r.value, r.definition.version)
        for r in IndicatorResult.objects.filter(
            period=period.code, indicator_code="timeliness", is_current=True
        )
    }
    old_ratings = set(
        RatingResult.objects.filter(period=period.code, is_current=True).values_list(
            "pk", flat=True
        )
    )
    path = variant(
        tmp_path,
        "m.toml",
        NEW_VERSION,
        NEW_DATES,
        ('code = "timeliness"\nversion = 1', 'code = "timeliness"\nversion = 2'),
        (
            'calculator = "timeliness"\nunit = "share"\ndirection = "higher_better"\n'
            'periodicity = "yearly"\nsubjects = ["centre", "provider", "hromada", "region", '
            '"nation"]\nmin_sample = 30',
            'calculator = "timeliness"\nunit = "share"\ndirection = "higher_better"\n'
            'periodicity = "yearly"\nsubjects = ["centre", "provider", "hromada", "region", '
            '"nation"]\nmin_sample = 20',
        ),
        (
            "timeliness = 0.35\noffline_compliance = 0.30",
            "timeliness = 0.40\noffline_compliance = 0.25",
        ),
    )
    methodology = methodology_load(path=path).methodology
    # Loading changes nothing already computed; 2025.1 now ends the day before 2027.1.
    assert MethodologyVersion.objects.get(code="2025.1").effective_to == dt.date(2026, 12, 31)
    still = IndicatorResult.objects.filter(pk__in=old, is_current=True)
    assert {r.pk: (r.value, r.definition.version) for r in still} == old

    indicators_compute(period=period, methodology=methodology)
    retired = IndicatorResult.objects.filter(pk__in=old)
    assert {r.pk: (r.value, r.definition.version) for r in retired} == old  # kept as they were
    assert not retired.filter(is_current=True).exists()
    newer = IndicatorResult.objects.filter(
        period=period.code, indicator_code="timeliness", is_current=True
    )
    assert set(newer.values_list("definition__version", flat=True)) == {2}
    assert set(newer.values_list("revision", flat=True)) == {2}
    assert not RatingResult.objects.filter(pk__in=old_ratings, is_current=True).exists()
    assert RatingResult.objects.filter(pk__in=old_ratings).count() == len(old_ratings)


SWAPPED_WEIGHTS = (
    "timeliness = 0.35\noffline_compliance = 0.30",
    "timeliness = 0.30\noffline_compliance = 0.35",
)


def new_weights_file(tmp_path):
    """Methodology 2027.1: the shipped one with the timeliness and compliance weights swapped."""
    return variant(tmp_path, "m.toml", NEW_VERSION, NEW_DATES, SWAPPED_WEIGHTS)


def test_a_changed_weight_under_the_same_version_code_is_refused(tmp_path):
    path = variant(tmp_path, "m.toml", SWAPPED_WEIGHTS)
    assert any("уже завантажено з іншим вмістом" in e for e in errors_of(path))
    weights = MethodologyVersion.objects.get(code="2025.1").weights
    assert float(weights.get(subject_type="centre", indicator_code="timeliness").weight) == 0.35


def test_a_new_weight_makes_a_new_version_and_the_closed_period_keeps_the_old_one(
    tmp_path, client, login
):
    closed = Period(2026, 3)
    indicators_compute(period=closed)
    before = {
        r.pk: (r.score, r.rank, r.components)
        for r in RatingResult.objects.filter(period=closed.code, is_current=True)
    }
    path = new_weights_file(tmp_path)
    methodology = methodology_load(path=path).methodology
    assert methodology.code == "2027.1"
    assert (
        float(methodology.weights.get(subject_type="centre", indicator_code="timeliness").weight)
        == 0.30
    )

    # Recomputing the closed period uses the methodology in force then: nothing changes.
    indicators_compute(period=closed)
    after = {
        r.pk: (r.score, r.rank, r.components)
        for r in RatingResult.objects.filter(period=closed.code, is_current=True)
    }
    assert after == before
    assert set(
        RatingResult.objects.filter(period=closed.code).values_list("methodology__code", flat=True)
    ) == {"2025.1"}
    # A period under the new version is rated with the new weights, and says so.
    indicators_compute(period=Period(2027, 1))
    assert set(
        RatingResult.objects.filter(period="2027Q1").values_list("methodology__code", flat=True)
    ) == {"2027.1"}
    entry = RatingResult.objects.filter(period=closed.code, is_current=True).first()
    login("ministry")
    page = client.get(f"/analytics/ratings/{entry.subject_type}/{entry.subject_key}/{closed.code}/")
    assert page.status_code == 200 and "2025.1" in page.content.decode()


def test_an_old_revision_stays_viewable_with_its_methodology(tmp_path, client, login):
    period = Period(2026, 3)
    indicators_compute(period=period)
    path = new_weights_file(tmp_path)
    indicators_compute(period=period, methodology=methodology_load(path=path).methodology)
    old = RatingResult.objects.filter(period=period.code, is_current=False).first()
    current = RatingResult.objects.get(
        subject_type=old.subject_type,
        subject_key=old.subject_key,
        period=period.code,
        is_current=True,
    )
    assert (old.methodology.code, old.revision) == ("2025.1", 1)
    assert (current.methodology.code, current.revision) == ("2027.1", 2)
    login("ministry")
    url = f"/analytics/ratings/{old.subject_type}/{old.subject_key}/{period.code}/"
    page = client.get(url).content.decode()
    assert "редакція 2" in page and "?revision=1" in page
    earlier = client.get(url, {"revision": 1}).content.decode()
    assert "попередня редакція 1" in earlier and "2025.1" in earlier


def test_a_period_with_no_data_is_no_data_never_zero():
    period = Period(2025, 1)  # the methodology is in force; the test world has no cases yet
    indicators_compute(period=period)
    results = IndicatorResult.objects.filter(period=period.code, is_current=True)
    assert results.exists()
    assert not results.filter(status="ok", subject_type__in=["centre", "provider"]).exists()
    assert not results.exclude(status="ok").exclude(value__isnull=True).exists()
    ratings = RatingResult.objects.filter(period=period.code, is_current=True)
    assert ratings.exists()
    assert set(ratings.values_list("status", flat=True)) == {"insufficient"}
    assert not ratings.filter(rank__isnull=False).exists()
    assert not ratings.filter(score__isnull=False).exists()
