"""User-facing text cites sources by title, never by file number ("seed 003", "källa 004"), and
the exclusion rule's description says what the rule does with districts that lack data."""

from __future__ import annotations

import json
import re
from pathlib import Path

from stadsdel.indicators.compute import DIMENSIONS, DimensionComparison, district_classify

DATA = Path(__file__).resolve().parents[2] / "src" / "stadsdel" / "seeds" / "data"
FILE_NUMBER = re.compile(r"\b(seed|källa|source) 00[0-9]\b", re.IGNORECASE)


def test_no_seed_file_numbers_in_the_data_users_read():
    for path in DATA.glob("*.json"):
        found = FILE_NUMBER.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} cites a source by file number: {found}"


def test_no_seed_file_numbers_in_the_translations():
    po = (DATA.parents[1] / "locale" / "sv" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgstrs = re.findall(r'^msgstr "(.*)"$', po, re.MULTILINE)
    assert not [m for m in msgstrs if FILE_NUMBER.search(m)]


def test_the_exclusion_rule_says_what_it_does():
    rules = json.loads((DATA / "indicators.json").read_text(encoding="utf-8"))["rules"]
    rule = next(r for r in rules if r["target"] == "district" and r["active"])
    params, text = rule["parameters"], rule["description"]
    # Four worse dimensions out of four with data mark the district, although the rule asks for
    # five dimensions with data: the description must say so, not "five have data".
    profile = [DimensionComparison(dimension=d, indicator=d, district=1.0, municipality=2.0, county=2.0,
                                   diff_municipality=-1.0, ratio_municipality=0.5, diff_county=-1.0,
                                   ratio_county=0.5, worse_than_municipality=True, worse_than_county=True)
               for d in DIMENSIONS[:4]]
    assert district_classify(profile, params).marked is True
    assert "minst fyra" in text and "även när övriga saknar data" in text
    assert "minst fem" in text and "obedömd" in text
    assert "Samverkansöverenskommelsen Haninge–Försäkringskassan 2009" in text
