from django.urls import path

from yakist.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("region/<str:code>/", views.region, name="region"),
    path("hromada/<str:code>/", views.hromada, name="hromada"),
    path("centre/<str:code>/", views.centre, name="centre"),
    path("ratings/", views.ratings, name="ratings"),
    path(
        "ratings/<str:subject_type>/<str:code>/<str:period>/",
        views.rating_explain,
        name="rating_explain",
    ),
]
