import pytest
from django.core.cache import cache

from yakist.ingest import lookups


@pytest.fixture(autouse=True)
def fresh_lookups():
    """Registry codes, scopes and rate-limit counters are cached per process; each test
    starts clean (SQLite reuses the ids of rows a previous test rolled back)."""
    lookups.lookups_clear()
    cache.clear()
    yield
    lookups.lookups_clear()
