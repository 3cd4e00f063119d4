from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "yakist.ingest"
    label = "ingest"
    verbose_name = _("Приймання подій")

    def ready(self) -> None:
        from yakist.ingest import retention  # noqa: F401  (registers its retention task)

        verifiers_load(settings.INGEST_SIGNATURE_VERIFIERS)


def verifiers_load(specs: list[str]) -> None:
    """Register signature verifiers an operator installed (`algorithm=module.Class`, e.g. a
    certified DSTU 4145 CAdES verifier wrapping a vendor library; docs/integration.md §6)."""
    from yakist.ingest.signatures import verifier_register

    for spec in specs:
        algorithm, _sep, path = spec.partition("=")
        try:
            implementation = import_string(path.strip().replace(":", "."))
        except ImportError as error:
            raise ImproperlyConfigured(
                f"YAKIST_SIGNATURE_VERIFIERS: не вдалося завантажити «{spec}» ({error})."
            ) from error
        if not algorithm.strip():
            raise ImproperlyConfigured(
                f"YAKIST_SIGNATURE_VERIFIERS: «{spec}» має бути у формі алгоритм=модуль.Клас."
            )
        verifier_register(algorithm.strip(), implementation)
