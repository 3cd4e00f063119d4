"""An operator's signature verifier (e.g. a certified DSTU 4145 CAdES one) plugs in by
setting, not by editing the intake."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from yakist.ingest.apps import verifiers_load
from yakist.ingest.signatures import VERIFIERS


class OperatorVerifier:
    """Stands for an operator's verifier class named in YAKIST_SIGNATURE_VERIFIERS."""


def test_an_operator_installed_verifier_is_registered_from_the_settings():
    try:
        verifiers_load(["test-operator=yakist.ingest.tests.test_verifiers:OperatorVerifier"])
        assert VERIFIERS["test-operator"] is OperatorVerifier
    finally:
        VERIFIERS.pop("test-operator", None)


def test_a_verifier_that_cannot_be_loaded_stops_the_start_in_ukrainian():
    with pytest.raises(ImproperlyConfigured, match="не вдалося завантажити"):
        verifiers_load(["dstu4145-cades=vendor_missing.Verifier"])
    with pytest.raises(ImproperlyConfigured, match=r"алгоритм=модуль\.Клас"):
        verifiers_load(["=yakist.ingest.tests.test_verifiers.OperatorVerifier"])
    assert "dstu4145-cades" not in VERIFIERS
