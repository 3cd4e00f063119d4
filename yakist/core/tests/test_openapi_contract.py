"""The OpenAPI document is a contract: an independent fuzzer finds nothing it does not declare.

Schemathesis reads /api/v1/openapi.json from a real server and sends valid and invalid requests
to every operation with all of its checks: no 5xx, no status code or media type the document
does not name, invalid input refused, valid input accepted, bodies matching their schemas.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from yakist.statmon import tokens

pytestmark = pytest.mark.django_db

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def run_schemathesis(url: str, *extra: str, cwd: Path) -> subprocess.CompletedProcess:
    # Its own working directory: schemathesis keeps a cache of past crashes there.
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "15",
            "--seed",
            "864",
            "--no-color",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
        cwd=cwd,
    )


def test_every_answer_of_every_operation_is_documented(live_url, tmp_path):
    # A centre's API token, so the report operations are fuzzed past their login too.
    token = tokens.token_create(user=get_user_model().objects.get(username="centre"), name="fuzz")
    result = run_schemathesis(live_url, "--header", f"Authorization: Bearer {token}", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_the_fuzzer_fails_on_an_undocumented_answer(live_url, settings, tmp_path):
    """The check can fail: strip the problem answers from the document and it does."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{live_url}/api/v1/openapi.json", timeout=30) as response:
        document = json.load(response)
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"] = {
                code: answer for code, answer in operation["responses"].items() if code < "400"
            }
    stripped = tmp_path / "openapi.json"
    stripped.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            str(stripped),
            "--url",
            live_url,
            "--checks",
            "status_code_conformance",
            "--max-examples",
            "5",
            "--seed",
            "864",
            "--no-color",
            "--include-path",
            "/api/v1/centres",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode != 0, result.stdout[-3000:]
    assert "Undocumented status code" in result.stdout
