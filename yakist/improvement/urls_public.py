"""Public pages of the improvement loop (in i18n_patterns: Ukrainian; English under /en/)."""

from django.urls import path

from yakist.improvement import views

app_name = "improvement_public"

urlpatterns = [
    path("practices/", views.practices, name="practices"),
    path("measures/<int:pk>", views.measure, name="measure"),
    path("external-surveys/", views.surveys, name="surveys"),
    path("external-surveys/<int:pk>", views.survey, name="survey"),
]
