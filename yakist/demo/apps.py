from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic world of `make demo`: it sits above every stage and fills each one
    through that stage's services (docs/architecture.md)."""

    name = "yakist.demo"
    label = "demo"
    verbose_name = _("Демонстраційні дані")
