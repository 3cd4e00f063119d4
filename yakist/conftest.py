"""Test fixtures: a small national world built once per test database by the demo generator."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rich.console import Console

from yakist.demo.accounts import DEMO_PASSWORD
from yakist.demo.runner import DemoContext

TEST_SEED = 20260101


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Run migrations (done by pytest-django), then the demo world, once per worker."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from yakist.ingest.partitions import partitions_ensure

    with django_db_blocker.unblock():
        context = DemoContext(seed=TEST_SEED, scale=0.02, console=Console(quiet=True))
        for path in settings.DEMO_STEPS:
            import_string(path)(context)
        # As the worker does after a demo: the history moves into its month partitions.
        partitions_ensure()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """No test inherits another's cached pages (limits and login pauses are in the database
    without Redis, rolled back with each test)."""
    from django.core.cache import cache

    from yakist.portal.cache import local_generations, local_pages

    cache.clear()
    local_pages.clear()
    local_generations.clear()


@pytest.fixture
def live_url(db):
    """Base URL of a real HTTP server that sees this test's database transaction."""
    from yakist.core.testing import shared_connection_server

    with shared_connection_server() as url:
        yield url


@pytest.fixture
def login(client):
    """Log the test client in as one of the demo users (by username)."""

    def _login(username: str):
        assert client.login(username=username, password=DEMO_PASSWORD), username
        return get_user_model().objects.get(username=username)

    return _login


@pytest.fixture
def command():
    """Run a management command and return its stdout."""
    import io

    def _run(*args: str) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    return _run
