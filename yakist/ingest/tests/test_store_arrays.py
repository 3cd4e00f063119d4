"""The event columns travel to PostgreSQL as array literals (yakist.ingest.store): whatever
text an event carries — quotes, backslashes, braces, the word NULL, Cyrillic — is stored
exactly as sent."""

import pytest

from yakist.ingest.models import Event
from yakist.ingest.store import array_literal
from yakist.ingest.tests import support


def test_strings_are_quoted_and_escaped():
    column = ["a", 'q"uote', "back\\slash", "NULL", "", "кирилиця", "{a,b}"]
    assert array_literal(column, strings=True) == (
        '{"a","q\\"uote","back\\\\slash","NULL","","кирилиця","{a,b}"}'
    )


def test_plain_strings_are_joined_without_escapes():
    assert array_literal(["C-1", "C-2"], strings=True) == '{"C-1","C-2"}'


def test_integers_with_none_become_null():
    assert array_literal([1, None, 30], strings=False) == "{1,NULL,30}"
    assert array_literal([7, 8], strings=False) == "{7,8}"


@pytest.mark.django_db
def test_awkward_text_is_stored_exactly_through_the_intake(client):
    world = support.world()
    system = support.new_system()
    reasons = ['заява "термінова"', "шлях C:\\Temp\\{1}", "NULL", "a,b", "Їжак ґанок є"]
    cases = ["NULL", "null", "C-1", "Справа/1", "К.2"]
    events = [
        support.event(world, case_id=case, type="suspended", reason=reason)
        for case, reason in zip(cases, reasons, strict=True)
    ]
    response = support.post_events(client, system, events)
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == len(events)
    stored = dict(Event.objects.filter(system=system.system).values_list("case_id", "reason"))
    assert stored == dict(zip(cases, reasons, strict=True))
