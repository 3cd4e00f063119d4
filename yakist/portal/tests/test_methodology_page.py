"""`/methodology/`: every rule of the methodology in force with its basis badge, in both
languages; indicator pages and the data dictionary show the badges and link to it."""

import pytest
from django.test import Client

from yakist.indicators.models import MethodologyVersion
from yakist.statmon.catalogue import form_in_force, form_load
from yakist.statmon.tests.factories import CATALOGUE

pytestmark = pytest.mark.django_db


def page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_methodology_page_lists_every_rule_with_its_basis():
    if form_in_force(__import__("datetime").date.today()) is None:
        form_load(content=CATALOGUE.read_bytes(), file_name=CATALOGUE.name)
    methodology = MethodologyVersion.objects.get(code="2025.1")
    body = page("/methodology/")
    for definition in methodology.definitions.all():
        assert f'id="indicator-{definition.code}"' in body
    for rule in methodology.rules:
        assert f'id="rule-{rule["code"]}"' in body
    for item in ("OFF.SEATING", "OFF.NON_DISCRIMINATION", "ONL.CHAT_5MIN"):
        assert f'id="item-{item}"' in body
    assert "вимога акта" in body and "проєкт акта" in body and "модельне правило Якості" in body
    assert "1/04-1-2938" in body and "ч. 3 ст. 67" in body and "2136-IX" in body
    # The source is readable without JavaScript and in print.
    assert '<details class="basis basis-model">' in body and 'class="basis-print"' in body
    assert "Canada" not in body.split("Практика (не правове джерело)")[0]
    english = page("/en/methodology/")
    assert "Methodology" in english or "methodology" in english


def test_an_indicator_page_shows_its_badges_and_links_to_its_methodology_anchor():
    body = page("/indicators/timeliness")
    assert "/methodology/#indicator-timeliness" in body
    assert "вимога акта" in body and "модельне правило Якості" in body
    assert "Канади" in body  # as practice, in its own field
    assert "Практика (не правове джерело)" in body


def test_the_data_dictionary_shows_the_basis_of_each_indicator():
    body = page("/open-data/dictionary")
    assert "/methodology/#indicator-offline_compliance" in body
    assert "модельне правило Якості" in body
