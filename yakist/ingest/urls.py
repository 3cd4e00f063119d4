from django.urls import path

from yakist.ingest import upload_views, views

app_name = "ingest"

urlpatterns = [
    path("systems/", views.systems, name="systems"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("upload/", upload_views.upload_page, name="upload"),
    path(
        "upload/template.<str:fmt>",
        upload_views.template_download,
        name="upload_template",
    ),
]
