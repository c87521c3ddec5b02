"""Stockholm area statistics for the index tests, imported through the real CSV importer."""

from __future__ import annotations

import pytest
from index_data import MODEL, ROWS

from stadsdel.indices.services import index_model_save


@pytest.fixture
def stockholm_statistics(db, tmp_path):
    from stadsdel.indicators.services.imports import observations_import

    path = tmp_path / "stockholm.csv"
    lines = ["indicator,area,period,value,numerator,denominator"]
    lines += [f"{code},{area},{year},{100 * num / den!r},{num},{den}" for area, year, code, num, den in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")
    return ROWS


@pytest.fixture
def test_model(db):
    from stadsdel.areas.models import Municipality

    model, _created = index_model_save(definition=MODEL, reference_municipality=Municipality.objects.get(code="0180"))
    return model


@pytest.fixture
def typology_statistics(db, tmp_path):
    """V1–V3 for six Stockholm areas in 2012 (the index is their mean, per cent)."""
    from stadsdel.indicators.services.imports import observations_import

    shares = {  # area: (V1, V2, V3)
        "01800148": (40.0, 30.0, 20.0), "01800154": (30.0, 24.0, 15.0), "01800151": (45.0, 33.0, 24.0),
        "01800201": (6.0, 6.0, 3.0), "01800202": (5.0, 5.0, 2.0), "01800203": (8.0, 7.0, 3.0),
    }
    codes = ("low_economic_standard_share", "pre_secondary_education_20_64",
             "long_term_assistance_or_unemployment_20_64")
    lines = ["indicator,area,period,value"]
    lines += [f"{code},{area},2012,{v}" for area, values in shares.items() for code, v in zip(codes, values, strict=True)]
    path = tmp_path / "typology.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")
    return {area: sum(v) / 3 for area, v in shares.items()}
