"""Staff pages of the improvement loop (/improvement/…)."""

from django.urls import path

from yakist.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.register, name="register"),
    path("problems/new", views.problem_new, name="problem_new"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("measures/new", views.measure_new, name="measure_new"),
    path("surveys/", views.survey_reports, name="survey_reports"),
]
