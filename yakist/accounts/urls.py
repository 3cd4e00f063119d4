from django.contrib.auth import views as auth_views
from django.urls import path

from yakist.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_door, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit"),
    path("2fa/setup/", views.two_factor_setup, name="2fa_setup"),
    path("2fa/verify/", views.two_factor_verify, name="2fa_verify"),
    path("2fa/remove/", views.two_factor_remove, name="2fa_remove"),
]
