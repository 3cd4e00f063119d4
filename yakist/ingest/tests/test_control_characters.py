"""Control characters in an event (JSON allows "\\u0000" anywhere in a string) get the event a
clear rejection; the rest of its batch is accepted and journalled, never a 500. PostgreSQL text
and jsonb cannot hold NUL at all, so nothing of it may reach an insert unescaped."""

import pytest

from yakist.ingest.models import Event, Journal
from yakist.ingest.tests import support

pytestmark = pytest.mark.django_db

NUL = "\u0000"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reason", f"причина{NUL}"),
        ("reason", "дзвінок\u0007"),
        ("case_id", f"N{NUL}1"),
        ("service_code", f"S{NUL}"),
        ("centre_code", f"C{NUL}"),
        ("provider_code", f"P{NUL}"),
        ("applicant_ref", f"ref-{NUL}-00001"),
        ("event_id", f"00000000-0000-4000-8000-00000000000{NUL}"),
    ],
)
def test_an_event_with_a_control_character_is_rejected_and_the_batch_kept(client, field, value):
    world = support.world()
    system = support.new_system()
    bad = support.event(world, case_id="N-bad", type="suspended", reason="чекає документа")
    bad[field] = value
    good = support.event(world, case_id="N-good")
    response = support.post_events(client, system, [bad, good])
    assert response.status_code == 202, response.content
    result = response.json()
    assert result["accepted"] == 1
    [rejected] = result["rejected"]
    assert rejected["index"] == 0
    assert rejected["errors"][0]["field"] == field
    assert "керівні символи" in rejected["errors"][0]["detail"] or field == "event_id"
    assert Event.objects.filter(system=system.system, case_id="N-good").exists()
    assert Journal.objects.get(system=system.system).rejected == 1


def test_a_reason_may_span_lines(client):
    world = support.world()
    system = support.new_system()
    event = support.event(world, type="suspended", reason="перший рядок\nдругий\tрядок")
    response = support.post_events(client, system, [event])
    assert response.json()["accepted"] == 1


def test_a_control_character_in_an_unknown_field_name_is_rejected_not_a_500(client):
    world = support.world()
    system = support.new_system()
    bad = support.event(world, case_id="N-bad")
    bad[f"extra{NUL}"] = "x"
    response = support.post_events(client, system, [bad, support.event(world, case_id="N-good")])
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == 1
    assert Journal.objects.get(system=system.system).rejected == 1
