from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatmonConfig(AppConfig):
    name = "yakist.statmon"
    label = "statmon"
    verbose_name = _("Статичний моніторинг")

    def ready(self) -> None:
        # The registry's own facts are the first prefill source; other apps register theirs
        # the same way from their AppConfig.ready().
        from yakist.statmon import prefill

        prefill.register_registry_source()
        prefill.register_cases_source()
