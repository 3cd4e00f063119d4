"""A demo checkout works as the README prints: after `yakist demo` leaves its marker in var/,
every `yakist` command uses the demo's settings with nothing exported; without the marker
the same command refuses to start without production secrets."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

YAKIST = Path(settings.BASE_DIR) / ".venv" / "bin" / "yakist"
pytestmark = pytest.mark.skipif(not YAKIST.exists(), reason="needs the checkout's .venv")


def _run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=240)


def _readme_command() -> list[str]:
    """The integrator's command as the README prints it (line breaks inside code joined)."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`(?:\.venv/bin/)?(yakist systems add NAME\s+--public-key[^`]*)`", readme)
    assert match, "README no longer prints the integrator's command"
    return shlex.split(" ".join(match.group(1).split()))


def test_the_readme_integrator_command_runs_in_a_demo_checkout_with_nothing_exported(tmp_path):
    # Only the var directory is named (the Makefile's own default, checkout/var); in the real
    # checkout even that is implied.
    clean = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "YAKIST_VAR_DIR": str(tmp_path / "var"),
    }
    prepared = _run(
        [str(YAKIST), "demo", "--only", "none"], {**clean, "YAKIST_DEMO": "1"}, tmp_path
    )
    assert prepared.returncode == 0, prepared.stderr
    assert (tmp_path / "var" / "demo-mode").is_file()
    (tmp_path / "FILE.pem").write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    command = _readme_command()
    assert command == [
        "yakist",
        "systems",
        "add",
        "NAME",
        "--public-key",
        "FILE.pem",
        "--scope",
        "all",
    ]
    result = _run([str(YAKIST), *command[1:]], clean, tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"yk-[a-z0-9]{16}", result.stdout.strip().splitlines()[-1]), result.stdout


def test_a_checkout_without_the_marker_still_refuses_to_start_without_secrets(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "YAKIST_VAR_DIR": str(tmp_path)}
    result = _run([str(YAKIST), "systems", "list"], env, tmp_path)
    assert result.returncode != 0
    assert "YAKIST_SECRET_KEY не задано" in result.stderr


def test_only_the_demo_trusts_localhost_as_a_trembita_security_server(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(','.join(s.TREMBITA_SECURITY_SERVERS) or '-')"
    )
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "yakist.settings",
        "YAKIST_VAR_DIR": str(tmp_path),
    }
    python = str(YAKIST.parent / "python")
    production = {**base, "YAKIST_SECRET_KEY": "s" * 50, "YAKIST_PSEUDONYM_KEY": "p" * 50}
    assert _run([python, "-c", show], production, tmp_path).stdout.strip() == "-"
    (tmp_path / "demo-mode").write_text("demo", encoding="utf-8")
    demo = _run([python, "-c", show], base, tmp_path)
    assert demo.stdout.strip() == "127.0.0.1/32,::1/128", demo.stderr
