from django.urls import path

from yakist.registry import views

app_name = "registry"

urlpatterns = [
    path("centres/", views.centres, name="centres"),
    path("centres/<str:code>/", views.centre_detail, name="centre"),
    path("services/", views.services, name="services"),
    path("systems/", views.systems, name="systems"),
    path("import/", views.import_page, name="import"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
]
