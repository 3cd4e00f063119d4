"""URL map: public pages, staff pages, the API and health."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from yakist.accounts import views as accounts_views
from yakist.api import api
from yakist.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.api_not_found),
    # The admin site signs in through the staff login door (throttle, audit, second factor).
    path("admin/login/", accounts_views.admin_login_door),
    path("admin/", admin.site.urls),
    # The staff home (console) answers at /accounts/, where staff have always landed.
    path("accounts/", include("yakist.console.urls")),
    path("accounts/", include("yakist.accounts.urls")),
    path("registry/", include("yakist.registry.urls")),
    path("cases/", include("yakist.cases.urls")),
    path("ingest/", include("yakist.ingest.urls")),
    # «Трембіта» (X-Road) doors of the event intake, called by security servers.
    path("trembita/", include("yakist.ingest.xroad_urls")),
    path("feedback/", include("yakist.feedback.urls")),
    path("publication/", include("yakist.portal.urls_console")),
    path("statmon/", include("yakist.statmon.urls")),
    path("analytics/", include("yakist.indicators.urls")),
    path("improvement/", include("yakist.improvement.urls")),
    path("", include("yakist.core.urls")),
    path("", include("yakist.portal.urls_files")),
    path("", include("yakist.improvement.urls_files")),
]
# Public pages: Ukrainian without a prefix, English under /en/ (the language is in the URL,
# so every page is one cacheable document).
urlpatterns += i18n_patterns(
    path("", include("yakist.portal.urls")),
    path("", include("yakist.improvement.urls_public")),
    prefix_default_language=False,
)

handler404 = "yakist.core.views.page_not_found"
handler500 = "yakist.core.views.server_error"
