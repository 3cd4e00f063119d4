from django.urls import path

from yakist.ingest import xroad_views

app_name = "trembita"

urlpatterns = [
    path("rest/events", xroad_views.rest_events, name="rest-events"),
    path("soap", xroad_views.soap, name="soap"),
]
