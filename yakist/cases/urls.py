from django.urls import path

from yakist.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("list/", views.case_list, name="list"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("<int:pk>/", views.case_detail, name="case"),
]
