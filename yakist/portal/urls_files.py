"""Language-neutral public files: QR codes, posters, snapshot JSON, open data downloads."""

from django.urls import path, re_path

from yakist.portal import views

app_name = "portal_files"

urlpatterns = [
    re_path(r"^p/(?P<code>[a-z0-9]+)/qr\.(?P<kind>svg|png)$", views.report_qr, name="report_qr"),
    path("p/<slug:code>/poster.pdf", views.report_poster, name="report_poster"),
    path("p/<slug:code>/content.json", views.report_content, name="report_content"),
    re_path(r"^s/(?P<code>[a-z0-9]+)/qr\.(?P<kind>svg|png)$", views.subject_qr, name="subject_qr"),
    path("s/<slug:code>/poster.pdf", views.subject_poster, name="subject_poster"),
    re_path(
        r"^open-data/dictionary\.(?P<fmt>csv|json)$",
        views.opendata_dictionary_file,
        name="dictionary_file",
    ),
    path("open-data/datapackage.json", views.opendata_package, name="datapackage"),
    path("open-data/catalog.jsonld", views.opendata_dcat, name="dcat_catalogue"),
    re_path(
        r"^open-data/(?P<period>\d{4}(?:Q[1-4])?)\.(?P<fmt>csv|json|xlsx)$",
        views.opendata_file,
        name="opendata_file",
    ),
]
