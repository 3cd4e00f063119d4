"""Production settings refuse to start without their secrets and default to HTTPS habits."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "DJANGO_SETTINGS_MODULE": "yakist.settings",
    "YAKIST_VAR_DIR": "/tmp/yakist-settings-test",
}
SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.LANGUAGE_COOKIE_SECURE, 'testserver' in s.ALLOWED_HOSTS)"
)


def _python(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_pseudonym_key():
    result = _python({**PRODUCTION, "YAKIST_SECRET_KEY": "s" * 50}, SHOW)
    assert result.returncode != 0
    assert "YAKIST_PSEUDONYM_KEY не задано" in result.stderr


def test_production_defaults_to_hsts_secure_language_cookie_and_no_test_host():
    env = {**PRODUCTION, "YAKIST_SECRET_KEY": "s" * 50, "YAKIST_PSEUDONYM_KEY": "p" * 50}
    result = _python(env, SHOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "False"]


def test_a_refused_csrf_token_under_the_api_is_problem_json_in_ukrainian(rf):
    from yakist.core.views import csrf_failure

    response = csrf_failure(rf.post("/api/v1/anything"), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    body = json.loads(response.content)
    assert body["type"] == "/problems/forbidden" and "Оновіть сторінку" in body["detail"]
    assert "CSRF cookie" not in response.content.decode()
