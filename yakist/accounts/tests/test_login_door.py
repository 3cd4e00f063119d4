"""The one login door: throttling per account, per address and per both, shared by the admin
site, counted atomically with the same pause with or without Redis, behind trusted proxies."""

import threading
import time

import pytest
from django.db import connection
from django.test import RequestFactory

from yakist.accounts.models import AuditEntry
from yakist.core import ratelimit
from yakist.core.network import client_ip
from yakist.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def fail(client, path="/accounts/login/", username="auditor", **extra):
    return client.post(path, {"username": username, "password": "nope-nope-nope"}, **extra)


def right(client, path="/accounts/login/", username="auditor", **extra):
    return client.post(path, {"username": username, "password": DEMO_PASSWORD}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


class Clock:
    """time.time() as the rate-limit store and the cache see it, moved by hand."""

    def __init__(self, monkeypatch):
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def test_hole_02_admin_login_locks_out(client):
    for _ in range(5):
        fail(client, "/admin/login/", username="ministry")
    response = right(client, "/admin/login/?next=/admin/", username="ministry")
    assert response.status_code == 200
    assert "Забагато невдалих спроб входу" in response.content.decode()
    assert not signed_in(client)


def test_hole_02_admin_and_staff_login_count_failures_together(client):
    for _ in range(3):
        fail(client, username="ministry")
    for _ in range(2):
        fail(client, "/admin/login/", username="ministry")
    response = right(client, username="ministry")
    assert "Забагато невдалих спроб входу" in response.content.decode()
    assert not signed_in(client)


def test_admin_login_is_audited_like_the_staff_login(client):
    response = right(client, "/admin/login/?next=/admin/", username="ministry")
    assert response.status_code == 302 and response.url == "/admin/"
    assert AuditEntry.objects.filter(action="login", actor_name="ministry").exists()


def test_hole_02_guessing_one_account_from_many_addresses_pauses_that_account(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    for n in range(settings.LOGIN_ACCOUNT_MAX_FAILURES):
        fail(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}", **PROXY)
    right(client, HTTP_X_FORWARDED_FOR="198.51.100.200", **PROXY)
    assert not signed_in(client)


def test_hole_02_spraying_many_accounts_from_one_address_pauses_the_address(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    for n in range(settings.LOGIN_ADDRESS_MAX_FAILURES):
        fail(client, username=f"nobody{n}", HTTP_X_FORWARDED_FOR="198.51.100.7", **PROXY)
    right(client, HTTP_X_FORWARDED_FOR="198.51.100.7", **PROXY)
    assert not signed_in(client)
    right(client, HTTP_X_FORWARDED_FOR="198.51.100.8", **PROXY)
    assert signed_in(client)


def test_hole_02_each_further_pause_is_twice_as_long(client, monkeypatch, settings):
    clock = Clock(monkeypatch)
    for _ in range(5):
        fail(client)
    clock.advance(settings.LOGIN_LOCKOUT_SECONDS + 1)
    for _ in range(5):
        fail(client)
    clock.advance(settings.LOGIN_LOCKOUT_SECONDS + 1)
    right(client)
    assert not signed_in(client)  # the second pause lasts twice the first
    clock.advance(settings.LOGIN_LOCKOUT_SECONDS)
    right(client)
    assert signed_in(client)


def test_hole_03_client_address_comes_from_the_trusted_proxy_only(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    behind = factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    # The rightmost hop not in the proxy networks; what the client wrote further left is ignored.
    assert client_ip(behind) == "203.0.113.9"
    chained = factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.9.9.9")
    assert client_ip(chained) == "203.0.113.9"
    direct = factory.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(direct) == "198.51.100.4"  # not from our proxy: the header is forged
    garbage = factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "10.1.2.3"
    mapped = factory.get("/", REMOTE_ADDR="::ffff:198.51.100.4")
    assert client_ip(mapped) == "198.51.100.4"


def test_hole_03_one_persons_failures_behind_the_proxy_do_not_lock_others(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    for _ in range(5):
        fail(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **PROXY)
    right(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **PROXY)
    assert not signed_in(client)
    right(client, HTTP_X_FORWARDED_FOR="203.0.113.9", **PROXY)
    assert signed_in(client)
    entry = AuditEntry.objects.filter(action="login", actor_name="auditor").latest("pk")
    assert entry.ip == "203.0.113.9"


def test_a_forged_forwarded_header_does_not_escape_the_pause(client, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        fail(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="198.51.100.4")
    right(client, HTTP_X_FORWARDED_FOR="203.0.113.99", REMOTE_ADDR="198.51.100.4")
    assert not signed_in(client)


def test_hole_03_feedback_limit_is_per_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    payload = {
        "kind": "data_error",
        "text": "Графік роботи на сторінці неточний.",
        "subject": "national",
        "page": "/",
        "contact": "",
        "website": "",
    }
    for _ in range(settings.FEEDBACK_RATE_LIMIT):
        sent = client.post("/feedback/submit", payload, HTTP_X_FORWARDED_FOR="203.0.113.5", **PROXY)
        assert sent.status_code == 302
    refused = client.post("/feedback/submit", payload, HTTP_X_FORWARDED_FOR="203.0.113.5", **PROXY)
    assert refused.status_code == 429
    other = client.post("/feedback/submit", payload, HTTP_X_FORWARDED_FOR="203.0.113.6", **PROXY)
    assert other.status_code == 302


def test_hole_10_lockout_lasts_the_same_without_redis(client, monkeypatch, settings, tmp_path):
    # The production fallback before the fix: a file cache whose incr() reset the expiry to 300 s.
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    clock = Clock(monkeypatch)
    for _ in range(5):
        fail(client)
    clock.advance(301)
    right(client)
    assert not signed_in(client)
    clock.advance(settings.LOGIN_LOCKOUT_SECONDS - 301)
    right(client)
    assert signed_in(client)


def test_hole_10_counter_keeps_its_first_expiry(monkeypatch):
    clock = Clock(monkeypatch)
    assert ratelimit.counter_hit("t:expiry", ttl_seconds=900) == (1, 900)
    clock.advance(600)
    count, remaining = ratelimit.counter_hit("t:expiry", ttl_seconds=900)
    assert count == 2 and 299 <= remaining <= 300
    clock.advance(301)
    assert ratelimit.counter_hit("t:expiry", ttl_seconds=900) == (1, 900)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_hole_10_concurrent_hits_from_many_workers_are_all_counted():
    key = f"t:concurrent:{time.time()}"
    errors = []

    def worker():
        from django.db import connection as own

        try:
            for _ in range(25):
                ratelimit.counter_hit(key, ttl_seconds=60)
        except Exception as error:
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Seen from another committed connection: every one of 200 hits counted, none lost.
    result = []

    def read():
        from django.db import connection as own

        result.append(ratelimit.counter_value(key))
        ratelimit.counter_clear(key)
        own.close()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    assert result == [200]
    assert connection.vendor == "postgresql"


def test_hole_14_failed_logins_write_one_audit_entry_a_minute_with_a_count(client, monkeypatch):
    clock = Clock(monkeypatch)
    before = AuditEntry.objects.filter(action="login_failed").count()
    for _ in range(3):
        fail(client, username="ghost")
    assert AuditEntry.objects.filter(action="login_failed").count() == before + 1
    clock.advance(61)
    fail(client, username="ghost")
    latest = AuditEntry.objects.filter(action="login_failed").latest("pk")
    assert latest.changes == {"attempts": 3}  # the two unrecorded failures and this one


def test_a_post_without_a_password_does_not_reset_the_failures(client):
    for _ in range(4):
        fail(client)
    client.post("/accounts/login/", {"username": "auditor", "password": ""})
    fail(client)
    right(client)
    assert not signed_in(client)


def test_admin_site_refuses_a_signed_in_user_without_admin_rights(client, login):
    login("centre")
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1  # to the login door once, no loop
