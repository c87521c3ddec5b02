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
