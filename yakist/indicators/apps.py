from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "yakist.indicators"
    label = "indicators"
    verbose_name = _("Методика та показники")

    def ready(self) -> None:
        from yakist.indicators import receivers  # noqa: F401  (dirty marks from new inputs)
