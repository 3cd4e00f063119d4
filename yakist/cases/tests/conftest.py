from yakist.ingest.tests.conftest import fresh_lookups  # noqa: F401  (autouse)
