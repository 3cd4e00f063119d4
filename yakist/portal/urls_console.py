"""Staff console of publication (login required; scoped)."""

from django.urls import path

from yakist.portal import console

app_name = "publication"

urlpatterns = [
    path("", console.schedule_page, name="schedule"),
    path("prepare", console.prepare, name="prepare"),
    path("bulk", console.bulk, name="bulk"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/<str:action>", console.transition, name="transition"),
    path("website", console.website, name="website"),
]
