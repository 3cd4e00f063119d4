from django.urls import path

from yakist.core import views

app_name = "core"

urlpatterns = [
    path("problems/", views.problems_catalogue, name="problems"),
    path("problems/<slug:slug>", views.problem_detail, name="problem"),
]
