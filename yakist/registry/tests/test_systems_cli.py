"""`yakist systems …`: registering systems, rotating and revoking keys; bad key files."""

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.core.management.base import CommandError

from yakist.accounts.models import AuditEntry
from yakist.registry.models import Centre, ConnectedSystem, Organisation, SystemKey

pytestmark = pytest.mark.django_db


def write_public(path, key) -> str:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return str(path)


def test_add_prints_the_new_key_id_as_the_last_line(tmp_path, command):
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    output = command("systems", "add", "demo-x", "--public-key", pem, "--scope", "all")
    key_id = output.strip().splitlines()[-1]
    key = SystemKey.objects.get(key_id=key_id)
    assert key.system.name == "demo-x" and key.system.scope_all
    assert AuditEntry.objects.filter(action="key_add", object_id=str(key.pk)).exists()


def test_scope_lists_centres_and_providers(tmp_path, command):
    codes = list(Centre.objects.order_by("code").values_list("code", flat=True)[:2])
    provider = Organisation.objects.filter(kind="provider").order_by("code").first().code
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    command(
        "systems", "add", "scoped", "--public-key", pem, "--scope", ",".join([*codes, provider])
    )
    system = ConnectedSystem.objects.get(name="scoped")
    assert not system.scope_all and not system.scope_any_centre
    assert sorted(system.scope_centres.values_list("code", flat=True)) == codes
    assert list(system.scope_providers.values_list("code", flat=True)) == [provider]


def test_hole_06_a_scope_without_any_provider_is_refused(tmp_path, command):
    codes = list(Centre.objects.order_by("code").values_list("code", flat=True)[:2])
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(CommandError, match="суб'єкта надання"):
        command("systems", "add", "centres-only", "--public-key", pem, "--scope", ",".join(codes))
    assert not ConnectedSystem.objects.filter(name="centres-only").exists()


def test_hole_06_any_centre_mark_from_the_shell_is_audited(tmp_path, command):
    provider = Organisation.objects.filter(kind="provider").order_by("code").first().code
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    command(
        "systems", "add", "registry-x", "--public-key", pem, "--scope", provider, "--any-centre"
    )
    system = ConnectedSystem.objects.get(name="registry-x")
    assert system.scope_any_centre and not system.scope_all
    added = AuditEntry.objects.get(action="system_add", object_id=str(system.pk))
    assert added.changes["scope_any_centre"] is True
    command("systems", "scope", "registry-x", "--scope", "all")
    system.refresh_from_db()
    assert system.scope_all and not system.scope_any_centre
    changed = AuditEntry.objects.get(action="system_scope", object_id=str(system.pk))
    assert changed.changes["scope_all"] == [False, True]
    assert changed.changes["scope_any_centre"] == [True, False]
    assert "all" in command("systems", "list")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a key at all", "не є відкритим ключем"),
        (None, "потрібен Ed25519"),  # RSA key
        ("ec", "потрібен Ed25519"),
        ("private", "закритий ключ"),
        ("ssh-rsa", "потрібен Ed25519"),
    ],
)
def test_a_key_file_that_is_not_an_ed25519_public_key_is_refused(
    tmp_path, command, content, message
):
    path = tmp_path / "bad.pem"
    if content is None:
        write_public(path, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    elif content == "ec":
        write_public(path, ec.generate_private_key(ec.SECP256R1()))
    elif content == "ssh-rsa":
        path.write_bytes(
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        )
    elif content == "private":
        path.write_bytes(
            ed25519.Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    else:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        command("systems", "add", "bad", "--public-key", str(path))
    assert not ConnectedSystem.objects.filter(name="bad").exists()


def test_an_openssh_ed25519_public_key_is_accepted_and_kept_as_pem(tmp_path, command):
    """ssh-keygen cannot export Ed25519 keys to PEM, so integrators often have only this."""
    private = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "id_ed25519.pub"
    public = private.public_key()
    path.write_bytes(
        public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        + b" integrator@example\n"
    )
    key_id = command("systems", "add", "ssh", "--public-key", str(path)).strip().splitlines()[-1]
    stored = SystemKey.objects.get(key_id=key_id)
    assert (
        stored.public_key_pem
        == public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
    )


def test_a_missing_key_file_is_named_in_ukrainian(tmp_path, command):
    with pytest.raises(CommandError, match="не знайдено"):
        command("systems", "add", "lost", "--public-key", str(tmp_path / "nope.pem"))
    assert not ConnectedSystem.objects.filter(name="lost").exists()


def test_unknown_scope_code_is_refused_and_nothing_is_created(tmp_path, command):
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(CommandError, match="NO-SUCH-CENTRE"):
        command("systems", "add", "ghost", "--public-key", pem, "--scope", "NO-SUCH-CENTRE")
    assert not ConnectedSystem.objects.filter(name="ghost").exists()


def test_rotation_keeps_both_keys_valid_until_one_is_revoked(tmp_path, command):
    first = write_public(tmp_path / "1.pem", ed25519.Ed25519PrivateKey.generate())
    second = write_public(tmp_path / "2.pem", ed25519.Ed25519PrivateKey.generate())
    old_id = command("systems", "add", "rotating", "--public-key", first).strip().splitlines()[-1]
    new_id = command("systems", "add-key", "rotating", "--public-key", second).strip()
    listing = command("systems", "keys", "rotating")
    assert old_id in listing and new_id in listing
    command("systems", "revoke", old_id, "--reason", "ротація")
    keys = {k.key_id: k for k in SystemKey.objects.filter(system__name="rotating")}
    assert keys[old_id].revoked_at is not None and keys[new_id].revoked_at is None
    with pytest.raises(CommandError, match="уже відкликано"):
        command("systems", "revoke", old_id)


def test_the_same_public_key_cannot_be_registered_twice(tmp_path, command):
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    command("systems", "add", "one", "--public-key", pem)
    with pytest.raises(CommandError, match="уже зареєстровано"):
        command("systems", "add-key", "one", "--public-key", pem)


def test_installed_yakist_entry_point_registers_a_system(tmp_path):
    """The console script itself, against its own SQLite database, as an operator runs it."""
    pem = write_public(tmp_path / "k.pem", ed25519.Ed25519PrivateKey.generate())
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    script = Path(sys.executable).parent / "yakist"
    assert script.exists(), "the console entry point is installed in the virtualenv"
    yakist = [str(script)]
    env = {"YAKIST_VAR_DIR": str(tmp_path), "YAKIST_DEMO": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run([*yakist, "migrate", "-v0"], check=True, env=env, timeout=120)
    done = subprocess.run(
        [*yakist, "systems", "add", "demo", "--public-key", pem, "--scope", "all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("yk-")
    refused = subprocess.run(
        [*yakist, "systems", "add", "demo2", "--public-key", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "відкритим ключем" in refused.stderr
