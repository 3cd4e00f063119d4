"""The demo's Trembita connection: the main system carries an X-Road client, the live sender
sends part of its stream through the REST door, and the staff page shows both."""

import pytest
from django.test import override_settings

from yakist.demo.live import LiveDemo
from yakist.demo.registry import DEMO_XROAD_CLIENTS
from yakist.ingest.models import Journal
from yakist.registry.models import XRoadClient

pytestmark = pytest.mark.django_db


@override_settings(TREMBITA_SECURITY_SERVERS=["127.0.0.1/32"])
def test_the_live_sender_sends_part_of_the_main_systems_stream_through_trembita(
    live_url, login, client
):
    ((name, identifier),) = DEMO_XROAD_CLIENTS.items()
    registered = XRoadClient.objects.select_related("system").get(identifier=identifier)
    assert registered.system.name == name
    demo = LiveDemo(url=live_url, seed=7)
    for _ in range(8):
        demo.tick()
    through = Journal.objects.filter(system=registered.system, source=Journal.Source.TREMBITA)
    signed = Journal.objects.filter(system=registered.system, source=Journal.Source.API)
    assert through.exists() and signed.exists()
    assert all(entry.xroad_id for entry in through)
    assert sum(entry.accepted for entry in through) > 0

    login("ministry")
    page = client.get(f"/ingest/systems/{registered.system.pk}/").content.decode()
    assert identifier in page
    assert through.order_by("-pk").first().xroad_id in page


@override_settings(TREMBITA_SECURITY_SERVERS=["127.0.0.1/32"], DEMO_MODE=True)
def test_yakist_demo_live_sends_signed_events_through_the_real_server(live_url, command):
    before = Journal.objects.count()
    out = command("demo", "live", "--url", live_url, "--ticks", "2", "--interval", "0")
    assert Journal.objects.count() > before
    assert out.strip(), "without --quiet each wave is logged"


@override_settings(DEMO_MODE=False)
def test_yakist_demo_refuses_to_run_outside_demo_mode(command):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="демо-режимі"):
        command("demo", "live", "--ticks", "1")
