from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "yakist.feedback"
    label = "feedback"
    verbose_name = _("Зворотний зв'язок")

    def ready(self) -> None:
        from yakist.feedback import retention  # noqa: F401  (registers its retention tasks)
