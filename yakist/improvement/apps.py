from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "yakist.improvement"
    label = "improvement"
    verbose_name = _("Вдосконалення: проблеми, заходи, практики")

    def ready(self) -> None:
        from yakist.improvement import receivers  # noqa: F401  (detection after a refresh)
