"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

import yakist


def site(request: HttpRequest) -> dict:
    return {
        "YAKIST_VERSION": yakist.__version__,
        "DEMO_MODE": settings.DEMO_MODE,
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
        "FEEDBACK_CONTACT_RETENTION_DAYS": settings.FEEDBACK_CONTACT_RETENTION_DAYS,
    }
