"""Public pages (inside i18n_patterns: /… Ukrainian, /en/… English)."""

from django.urls import path, re_path

from yakist.portal import methodology, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("centres/<str:code>", views.centre, name="centre"),
    path("providers/<str:code>", views.provider, name="provider"),
    path("hromadas/<str:code>", views.hromada, name="hromada"),
    path("regions/<str:code>", views.region, name="region"),
    path("methodology/", methodology.methodology_page, name="methodology"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<slug:code>", views.indicator, name="indicator"),
    path("reports/", views.archive, name="archive"),
    re_path(r"^reports/(?P<period>\d{4}(?:Q[1-4])?)$", views.archive_period, name="archive_period"),
    path("p/<slug:code>", views.report, name="report"),
    path("s/<slug:code>", views.subject_short, name="subject_short"),
    path("widget/<slug:code>", views.widget, name="widget"),
    path("open-data/", views.opendata_catalogue, name="opendata"),
    path("open-data/dictionary", views.opendata_dictionary, name="dictionary"),
]
