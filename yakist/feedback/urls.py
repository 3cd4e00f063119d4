from django.urls import path

from yakist.feedback import views

app_name = "feedback"

urlpatterns = [
    path("new", views.feedback_new, name="new"),
    path("submit", views.feedback_submit, name="submit"),
    path("status/<str:code>", views.feedback_status, name="status"),
    path("status/", views.feedback_lookup, name="lookup"),
    path("rate/<str:centre_code>", views.survey, name="survey"),
    path("queue/", views.queue, name="queue"),
    path("queue/<str:code>/", views.queue_item, name="queue_item"),
]
