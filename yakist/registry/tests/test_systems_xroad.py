"""`yakist systems add NAME --xroad-client INSTANCE/CLASS/MEMBER/SUBSYSTEM`: systems that call
through «Трембіта», with or without a signing key."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.core.management.base import CommandError

from yakist.accounts.models import AuditEntry
from yakist.registry.models import ConnectedSystem, XRoadClient
from yakist.registry.tests.test_systems_cli import write_public

pytestmark = pytest.mark.django_db


def test_a_system_registered_with_an_x_road_client_only(command):
    output = command(
        "systems", "add", "register-x", "--xroad-client", "UA/GOV/87654321/CNAP", "--scope", "all"
    )
    assert output.strip().splitlines()[-1] == "UA/GOV/87654321/CNAP"
    system = ConnectedSystem.objects.get(name="register-x")
    assert not system.keys.exists()
    assert list(system.xroad_clients.values_list("identifier", flat=True)) == [
        "UA/GOV/87654321/CNAP"
    ]
    assert AuditEntry.objects.filter(action="xroad_client_add", object_id=str(system.pk)).exists()


def test_a_system_may_have_both_a_key_and_x_road_clients(tmp_path, command):
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    output = command(
        "systems", "add", "both", "--public-key", pem,
        "--xroad-client", "UA/GOV/87654321/CNAP", "--xroad-client", "UA-TEST/GOV/87654321/CNAP",
    )  # fmt: skip
    system = ConnectedSystem.objects.get(name="both")
    assert output.strip().splitlines()[-1] == system.keys.get().key_id
    assert system.xroad_clients.count() == 2
    command("systems", "add-xroad", "both", "UA/GOV/87654321/CNAP-2")
    assert system.xroad_clients.count() == 3
    assert "UA/GOV/87654321/CNAP" in command("systems", "list")


@pytest.mark.parametrize(
    "value", ["UA/GOV", "UA/GOV/1/2/3", "UA/GOV/12 345/X", "UA//1/X", "UA/GOV/1/Вулик"]
)
def test_a_malformed_x_road_client_is_refused_in_ukrainian(command, value):
    with pytest.raises(CommandError, match="ідентифікатором клієнта X-Road"):
        command("systems", "add", "bad-x", "--xroad-client", value)
    assert not ConnectedSystem.objects.filter(name="bad-x").exists()


def test_an_x_road_client_belongs_to_one_system(command):
    command("systems", "add", "first", "--xroad-client", "UA/GOV/1/A")
    with pytest.raises(CommandError, match="уже зареєстровано"):
        command("systems", "add", "second", "--xroad-client", "UA/GOV/1/A")
    assert not ConnectedSystem.objects.filter(name="second").exists()
    assert XRoadClient.objects.get(identifier="UA/GOV/1/A").system.name == "first"


def test_neither_key_nor_x_road_client_is_refused(command):
    with pytest.raises(CommandError, match="--xroad-client"):
        command("systems", "add", "nothing")
