from django.urls import path

from yakist.ingest import views

app_name = "ingest"

urlpatterns = [
    path("systems/", views.systems, name="systems"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
]
