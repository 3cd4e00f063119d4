"""The oblast map: every region present, colours by value, links, no data shown as such."""

import re

from yakist.core.choropleth import NO_DATA, PALETTE, bins, colour_for, geometry, render_map

LVIV = "UA46000000000026241"
VOLYN = "UA07000000000024379"


def test_geometry_covers_24_oblasts_crimea_and_kyiv_by_katottg_code():
    regions = geometry()["regions"]
    assert len(regions) == 26
    assert all(code.startswith("UA") and len(code) == 19 for code in regions)


def test_quantile_bins_put_extremes_in_the_end_colours():
    thresholds = bins([float(v) for v in range(100)])
    assert colour_for(0.0, thresholds) == PALETTE[0]
    assert colour_for(99.0, thresholds) == PALETTE[-1]
    assert colour_for(99.0, thresholds, reverse=True) == PALETTE[0]
    assert colour_for(None, thresholds) == NO_DATA


def test_map_marks_missing_regions_as_no_data_and_escapes_names():
    svg = str(
        render_map(
            {LVIV: 91.5, VOLYN: None},
            title="Вчасність <2026>",
            names={LVIV: "Львівська область", VOLYN: "Волинська область"},
            href=lambda code: f"/regions/{code}",
        )
    )
    assert "<title>Львівська область: 91.5</title>" in svg
    assert "Волинська область: немає даних" in svg
    assert "Вчасність &lt;2026&gt;" in svg
    assert f'href="/regions/{LVIV}"' in svg
    assert len(re.findall(r"<path ", svg)) == 26
