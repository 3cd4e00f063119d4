"""Settings for the test suite: the production settings with test-safe defaults."""

import os
import tempfile

os.environ.setdefault("YAKIST_TESTING", "1")
# Demo keys and caches of a test run go to a throwaway directory, never to ./var.
os.environ.setdefault("YAKIST_VAR_DIR", tempfile.mkdtemp(prefix="yakist-test-"))

from yakist.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files straight from the apps (no collectstatic in tests); browser tests still get CSS.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
