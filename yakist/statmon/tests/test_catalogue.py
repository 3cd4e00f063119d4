"""The indicator catalogue: the shipped file, new versions, and bad catalogue input."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from yakist.statmon import drafts, services
from yakist.statmon.catalogue import form_in_force, form_load
from yakist.statmon.catalogue_parse import CatalogueInvalid, catalogue_parse
from yakist.statmon.models import Aggregation, Campaign, FormVersion, IndicatorType, ReportVersion
from yakist.statmon.tests.factories import CATALOGUE, current_period

pytestmark = pytest.mark.django_db

SMALL = """
form:
  code: test-form
  version: {version}
  title: Тестова форма
  effective_from: {start}
  reporting_kinds: [centre, remote_workplace]
  basis: {{kind: model, rationale: Тестова форма., replace_with: офіційна форма}}
sections:
  - code: STF
    title: Персонал
    source: Тема 11.2
    basis: {{kind: model, rationale: Тестовий розділ., replace_with: офіційна форма}}
    indicators:
      - {{code: STF.TOTAL, name: Працівників, name_en: Staff, type: integer, aggregation: sum}}
      - {{code: STF.ON_LEAVE, name: У відпустці, name_en: On leave, type: integer,
          aggregation: sum, le: STF.TOTAL}}
      - {{code: STF.SHARE, name: Частка навчених, name_en: Trained share, type: percent,
          aggregation: mean}}
checks: []
"""


def small(version=1, start="2030-01-01", extra=""):
    return (SMALL.format(version=version, start=start) + extra).encode()


CHECKLIST = """
  - code: CHK
    title: Чек-лист
    source: Тема 11.2
    checklist: true
    type: boolean
    basis: {kind: model, rationale: Тестовий розділ., replace_with: офіційна форма}
    indicators:
      - {code: CHK.ONE, name: Пункт, name_en: Item%s}
"""


def test_a_checklist_item_without_its_own_basis_is_refused_by_name():
    content = small().replace(b"checks: []", CHECKLIST.replace("%s", "").encode() + b"checks: []")
    errors = errors_of(content)
    assert any("CHK.ONE" in e and "basis" in e for e in errors)


def test_a_checklist_item_with_an_act_basis_lacking_its_point_is_refused():
    act = ", basis: {kind: act, act: Наказ, number: '173', date: 2021-12-10, in_force_since: x}"
    content = small().replace(b"checks: []", CHECKLIST.replace("%s", act).encode() + b"checks: []")
    assert any("CHK.ONE" in e and "point" in e for e in errors_of(content))


def test_a_check_without_basis_is_refused_by_its_id():
    content = small().replace(
        b"checks: []",
        b"checks:\n  - {id: my-check, rule: le, left: STF.ON_LEAVE, right: STF.TOTAL}\n",
    )
    assert any("my-check" in e and "basis" in e for e in errors_of(content))


def test_the_shipped_checklist_marks_model_items_as_model():
    spec = catalogue_parse(CATALOGUE.read_bytes())
    items = spec.bases["indicators"]
    off = {code: b["kind"] for code, b in items.items() if code.startswith("OFF.")}
    assert len(off) == 20 and list(off.values()).count("model") == 11
    assert off["OFF.SEATING"] == "model" and off["OFF.NON_DISCRIMINATION"] == "act"
    onl = {code: b["kind"] for code, b in items.items() if code.startswith("ONL.")}
    assert list(onl.values()).count("model") == 11 and onl["ONL.CHAT_5MIN"] == "act"
    assert all(check.basis["kind"] for check in spec.checks)


def errors_of(content: bytes) -> list[str]:
    with pytest.raises(CatalogueInvalid) as caught:
        catalogue_parse(content)
    return caught.value.extra["errors"]


def test_shipped_catalogue_has_at_least_140_indicators_with_validation_and_aggregation_rules():
    spec = catalogue_parse(CATALOGUE.read_bytes())
    indicators = list(spec.indicators.values())
    assert len(indicators) >= 140
    assert {i.aggregation for i in indicators} <= set(Aggregation.values)
    assert sum(i.aggregation != Aggregation.NONE for i in indicators) >= 140
    numeric = [i for i in indicators if i.is_numeric]
    assert numeric and all(i.min_value is not None for i in numeric)
    assert all(i.max_value == 100 for i in indicators if i.type == IndicatorType.PERCENT)
    rules = {check.rule for check in spec.checks}
    assert rules == {"le", "parts_le_total", "required_if"}
    assert len(spec.checks) >= 20
    assert {"warning", "error"} <= {check.severity for check in spec.checks}


def test_shipped_catalogue_has_the_compliance_checklists_for_the_methodology():
    spec = catalogue_parse(CATALOGUE.read_bytes())
    offline = [i for i in spec.indicators.values() if i.code.startswith("OFF.")]
    online = [i for i in spec.indicators.values() if i.code.startswith("ONL.")]
    assert len(offline) >= 15 and len(online) >= 10
    for item in offline + online:
        assert item.checklist and item.type == IndicatorType.BOOLEAN
    titles = {section.code: section.title for section in spec.sections}
    assert titles["OFF"] == (
        "Відповідність основним вимогам до якості обслуговування (офлайн фронт-офіс)"
    )
    assert titles["ONL"] == "Онлайн фронт-офіс"
    assert all(section.source for section in spec.sections)


def test_loading_the_same_file_again_changes_nothing():
    before = FormVersion.objects.count()
    result = form_load(content=CATALOGUE.read_bytes(), file_name=CATALOGUE.name)
    assert result.created is False
    assert FormVersion.objects.count() == before


def test_a_changed_catalogue_under_the_same_version_is_refused():
    content = CATALOGUE.read_bytes().replace("Персонал".encode(), "Працівники".encode(), 1)
    with pytest.raises(CatalogueInvalid) as caught:
        form_load(content=content)
    assert "уже завантажено з іншим змістом" in str(caught.value.detail)


def test_second_form_version_applies_to_new_quarters_while_past_reports_keep_their_own():
    v1 = FormVersion.objects.get(code="cnap-quarterly", version=1)
    past = Campaign.objects.filter(form=v1).order_by("period").first()
    next_quarter = current_period().next()
    content = (
        CATALOGUE.read_bytes()
        .replace(b"version: 1\n", b"version: 2\n", 1)
        .replace(
            b"effective_from: 2026-01-01",
            f"effective_from: {next_quarter.first_day.isoformat()}".encode(),
        )
        .replace(
            b"      - {code: GEN.NOTES,",
            "      - {code: GEN.GENERATOR_HOURS, name: Годин роботи генератора, "
            "name_en: Generator hours, type: integer, unit: год, aggregation: sum}\n"
            "      - {code: GEN.NOTES,".encode(),
        )
    )
    result = form_load(content=content, file_name="form-v2.yaml")
    v1.refresh_from_db()
    assert result.created and result.superseded == v1
    assert v1.effective_to == next_quarter.first_day - dt.timedelta(days=1)
    assert form_in_force(next_quarter.first_day) == result.form
    assert form_in_force(current_period().first_day) == v1
    campaign, created = services.campaign_open(period=next_quarter)
    assert campaign.form == result.form and created > 0
    assert result.form.indicators.filter(code="GEN.GENERATOR_HOURS").exists()
    past.refresh_from_db()
    assert past.form == v1
    past_report = past.reports.first()
    assert "GEN.GENERATOR_HOURS" not in drafts.report_form(past_report).indicators
    assert set(
        ReportVersion.objects.filter(report__campaign=past).values_list("form", flat=True)
    ) == {v1.pk}


def test_overlapping_effective_dates_are_refused():
    form_load(content=small(version=1, start="2030-01-01"))
    form_load(content=small(version=2, start="2031-01-01"))
    with pytest.raises(CatalogueInvalid) as caught:
        form_load(content=small(version=3, start="2030-06-01"))
    assert any("перетинається з версією" in e for e in caught.value.extra["errors"])


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (
            ("le: STF.TOTAL", "le: STF.TOTL"),
            "перевірка STF.ON_LEAVE<=STF.TOTL: посилається на невідомий показник STF.TOTL",
        ),
        (
            ("checks: []", "checks:\n  - {id: x, rule: ge, left: STF.TOTAL, right: STF.ON_LEAVE}"),
            "невідоме правило «ge»",
        ),
        (
            (
                "checks: []",
                "checks:\n  - {id: loop, rule: le, left: STF.TOTAL, right: STF.ON_LEAVE}",
            ),
            "цикл у співвідношеннях «не більше»",
        ),
        (("code: STF.SHARE", "code: STF.TOTAL"), "код показника повторюється"),
        (("type: percent", "type: percentage"), "невідомий тип «percentage»"),
        (("name: Частка навчених", "name: Частка, навчених"), "невідомі ключі"),
        (("aggregation: mean}", "aggregation: share}"), "правило share можливе лише"),
        (("source: Тема 11.2", "source: ''"), "розділ має посилатися на джерело"),
        (("code: STF\n", "code: OFF\n"), "YAML прочитав код як так/ні"),
    ],
)
def test_bad_catalogue_input_gets_a_clear_error_at_load_time(mutation, message):
    old, new = mutation
    content = SMALL.format(version=1, start="2030-01-01")
    assert old in content
    errors = errors_of(content.replace(old, new, 1).encode())
    assert any(message in error for error in errors), errors


def test_a_file_that_is_not_yaml_is_refused_with_the_line():
    with pytest.raises(CatalogueInvalid) as caught:
        catalogue_parse(b"form: {code: x\nsections: [")
    assert caught.value.detail == "Файл не є коректним YAML."


def test_load_form_command_prints_every_error(command, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(small().replace(b"le: STF.TOTAL", b"le: STF.NOPE"))
    with pytest.raises(CommandError) as caught:
        command("statmon", "load-form", str(path))
    assert "Каталог не завантажено" in str(caught.value)
    assert "STF.NOPE" in str(caught.value)


def test_load_form_command_loads_a_new_version(command, tmp_path):
    path = tmp_path / "form.yaml"
    path.write_bytes(small(version=1))
    output = command("statmon", "load-form", str(path))
    assert "Завантажено форму test-form, версія 1: 3 показників" in output
    assert "уже завантажено" in command("statmon", "load-form", str(path))
