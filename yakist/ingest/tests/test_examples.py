"""The integrator kit's examples run as documented: docs/examples/send-events.sh (curl and
openssl only), docs/examples/send_events.py, and the snippets printed in docs/integration.md,
each against a real HTTP server with a key registered by `yakist systems add`."""

import json
import re
import shutil
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

from yakist.ingest.client import load_private_key
from yakist.ingest.models import Event
from yakist.ingest.tests import support
from yakist.registry.models.reference import Centre, Organisation, Service

pytestmark = pytest.mark.django_db

DOCS = Path(settings.BASE_DIR) / "docs"
EXAMPLES = DOCS / "examples"
GUIDE = DOCS / "integration.md"
# The codes the Python example sends when it is given no events file (the demo's Lviv centre).
EXAMPLE_CODES = {
    "service_code": "00030",
    "centre_code": "UA46060250000025047-01",
    "provider_code": "00015622-46",
}


@dataclass
class Integrator:
    key_id: str
    key: Path
    workdir: Path


@pytest.fixture
def integrator(tmp_path, command) -> Integrator:
    """A key pair made with openssl, exactly as §1 of the guide says, registered from the
    shell; the key id is the last line printed."""
    key, public = tmp_path / "key.pem", tmp_path / "key.pub.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(public)],
        check=True,
        capture_output=True,
    )
    name = f"example-{uuid.uuid4().hex[:8]}"
    output = command("systems", "add", name, "--public-key", str(public))
    return Integrator(key_id=output.strip().splitlines()[-1], key=key, workdir=tmp_path)


def body_file(workdir: Path, events: list[dict]) -> Path:
    path = workdir / "body.json"
    path.write_bytes(support.body_of(events))
    return path


def stored(integrator: Integrator) -> int:
    return Event.objects.filter(system__keys__key_id=integrator.key_id).count()


def guide_block(language: str, marker: str) -> str:
    """The fenced code block of the guide in `language` that contains `marker`."""
    blocks = re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if marker in b]
    return block


needs_shell_tools = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bash", "curl", "openssl", "base64")),
    reason="the curl/openssl example needs bash, curl, openssl and base64",
)


@needs_shell_tools
def test_the_curl_and_openssl_script_is_accepted_and_a_resend_is_a_duplicate(live_url, integrator):
    body = body_file(integrator.workdir, [support.event(support.world(), case_id="SH-1")])
    script = [str(EXAMPLES / "send-events.sh"), live_url, integrator.key_id, str(integrator.key)]

    def run() -> dict:
        done = subprocess.run(
            ["bash", *script, str(body)], capture_output=True, check=True, text=True, timeout=60
        )
        return json.loads(done.stdout)

    assert run() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert run() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert stored(integrator) == 1


@needs_shell_tools
def test_the_curl_and_openssl_snippet_printed_in_the_guide_works(live_url, integrator):
    snippet = guide_block("sh", "openssl pkeyutl")
    body_file(integrator.workdir, [support.event(support.world(), case_id="SNIPPET-1")])
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", snippet],
        cwd=integrator.workdir,  # the snippet reads key.pem and body.json from here
        env={"PATH": "/usr/bin:/bin", "url": live_url, "keyid": integrator.key_id},
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_the_python_example_sends_its_own_sample_event(live_url, integrator):
    """Run as the guide shows it: no events file, the sample event of the demo's centre."""
    assert Service.objects.filter(code=EXAMPLE_CODES["service_code"]).exists()
    assert Centre.objects.filter(code=EXAMPLE_CODES["centre_code"]).exists()
    assert Organisation.objects.filter(code=EXAMPLE_CODES["provider_code"]).exists()
    script = EXAMPLES / "send_events.py"
    args = [sys.executable, str(script), live_url, integrator.key_id, str(integrator.key)]
    done = subprocess.run(args, capture_output=True, check=True, text=True, timeout=60)
    assert json.loads(done.stdout) == {
        "status": 202,
        "accepted": 1,
        "duplicates": 0,
        "rejected": [],
    }
    assert stored(integrator) == 1


def test_the_python_example_reports_rejections_from_an_events_file(live_url, integrator):
    world = support.world()
    events = [
        support.event(world, case_id="PY-1"),
        support.event(world, case_id="PY-2", service_code="NO-SUCH"),
    ]
    path = integrator.workdir / "events.json"
    path.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    script = EXAMPLES / "send_events.py"
    args = [sys.executable, str(script), live_url, integrator.key_id, str(integrator.key)]
    done = subprocess.run(
        [*args, str(path)], capture_output=True, check=True, text=True, timeout=60
    )
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["accepted"]) == (202, 1)
    (rejected,) = answer["rejected"]
    assert rejected["index"] == 1
    assert rejected["errors"][0]["type"] == "/problems/event-unknown-service"


@dataclass
class _Request:
    method: str
    url: str
    headers: dict = field(default_factory=dict)


def test_the_python_snippet_printed_in_the_guide_works(live_url, integrator):
    snippet = guide_block("python", "HTTPMessageSigner(")
    body = support.body_of([support.event(support.world(), case_id="PY-SNIPPET")])
    request = _Request("POST", f"{live_url}/api/v1/events", {"Content-Type": "application/json"})
    namespace = {
        "HTTPMessageSigner": HTTPMessageSigner,
        "MappingKeyResolver": MappingKeyResolver,
        "algorithms": algorithms,
        "uuid": uuid,
        "request": request,
        "key_id": integrator.key_id,
        "private_key": load_private_key(integrator.key),
        "body": body,
    }
    exec(snippet, namespace)  # noqa: S102 (the guide's own text, run as an integrator would)
    sent = urllib.request.Request(request.url, data=body, method="POST", headers=request.headers)
    with urllib.request.urlopen(sent, timeout=30) as response:
        assert response.status == 202
        assert json.loads(response.read())["accepted"] == 1
