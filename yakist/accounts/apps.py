from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yakist.accounts"
    label = "accounts"
    verbose_name = _("Користувачі та доступ")

    def ready(self) -> None:
        from yakist.accounts import retention, signals  # noqa: F401  (receivers, retention)
