"""Language-neutral open data files of the improvement loop."""

from django.urls import re_path

from yakist.improvement import views

app_name = "improvement_files"

urlpatterns = [
    re_path(
        r"^open-data/(?P<name>measures|practices|external-surveys)\.(?P<fmt>csv|json)$",
        views.dataset,
        name="dataset",
    ),
]
