"""Stockholm area statistics for the index tests and the index worked out by hand from them."""

from __future__ import annotations

# (area, year, indicator, numerator, denominator). 01800148 Rinkeby, 01800154 Husby and 01800151
# Tensta are Bilaga 2's areas; 01800201 and 01800202 stand for the rest of Stockholm (the
# importer registers them).
ROWS = [
    ("01800148", 2010, "social_assistance_share", 30, 1000), ("01800148", 2010, "employment_rate_20_64", 500, 800),
    ("01800154", 2010, "social_assistance_share", 20, 1000), ("01800154", 2010, "employment_rate_20_64", 560, 800),
    ("01800151", 2010, "social_assistance_share", 40, 1000), ("01800151", 2010, "employment_rate_20_64", 450, 900),
    ("01800201", 2010, "social_assistance_share", 10, 2000), ("01800201", 2010, "employment_rate_20_64", 1400, 1600),
    ("01800202", 2010, "social_assistance_share", 10, 2000), ("01800202", 2010, "employment_rate_20_64", 1500, 1600),
    ("01800148", 2012, "social_assistance_share", 24, 1000), ("01800148", 2012, "employment_rate_20_64", 520, 800),
    ("01800154", 2012, "social_assistance_share", 14, 1000), ("01800154", 2012, "employment_rate_20_64", 600, 800),
    ("01800151", 2012, "social_assistance_share", 38, 1000), ("01800151", 2012, "employment_rate_20_64", 460, 900),
    ("01800201", 2012, "social_assistance_share", 8, 2000), ("01800201", 2012, "employment_rate_20_64", 1420, 1600),
    ("01800202", 2012, "social_assistance_share", 6, 2000), ("01800202", 2012, "employment_rate_20_64", 1520, 1600),
]

MODEL = {
    "name": "Testindex",
    "base_year": 2010,
    "domains": [
        {"name": "Försörjning", "weight": 1, "indicators": [
            {"code": "social_assistance_share", "weight": 1, "orientation": "risk"},
            {"code": "employment_rate_20_64", "weight": 1, "orientation": "protective"},
        ]},
    ],
}


def rate(rows, areas, year, code, complement=False):
    num = sum(r[3] for r in rows if r[0] in areas and r[1] == year and r[2] == code)
    den = sum(r[4] for r in rows if r[0] in areas and r[1] == year and r[2] == code)
    return (den - num) / den if complement else num / den


def expected_index(areas, year, rows=ROWS):
    """The index worked out from the raw counts: the mean of the two sub-indices against
    Stockholm's (all five areas') rates in the base year 2010."""
    everyone = {r[0] for r in rows}
    sa = 100 * rate(rows, areas, year, "social_assistance_share") / rate(rows, everyone, 2010, "social_assistance_share")
    emp = 100 * rate(rows, areas, year, "employment_rate_20_64", True) / rate(
        rows, everyone, 2010, "employment_rate_20_64", True)
    return (sa + emp) / 2
