"""The curated seed data agrees with the source documents it was taken from.

Pure tests: no database, only json and the source texts in src/stadsdel/seeds/sources/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "src" / "stadsdel" / "seeds"
DATA = SEEDS / "data"
SOURCES = SEEDS / "sources"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"

SOURCE_FILES = {
    "000": "000_746139a9df759a0c.txt",
    "002": "002_da6074d6c1328a8c.txt",
    "003": "003_77822af0de352918.txt",
    "004": "004_67b1f24165a71054.txt",
}
NAME_REPAIRS = {
    "Forn höjden": "Fornhöjden",
    "VästraSkogås": "Västra Skogås",
    "N:a Biskopsgården": "Norra Biskopsgården",
}
# The 21 municipalities with agreements 2008–2010 (seeds 002, 003) as first curated:
# code -> (name, source_name, county).
AGREEMENT_MUNICIPALITIES = {
    "0126": ("Huddinge", "Huddinge kommun", "01"),
    "0127": ("Botkyrka", "Botkyrka kommun", "01"),
    "0136": ("Haninge", "Haninge kommun", "01"),
    "0180": ("Stockholm", "Stockholms kommun", "01"),
    "0181": ("Södertälje", "Södertälje kommun", "01"),
    "0182": ("Nacka", "Nacka kommun", "01"),
    "0380": ("Uppsala", "Uppsala kommun", "03"),
    "0580": ("Linköping", "Linköpings kommun", "05"),
    "0581": ("Norrköping", "Norrköpings kommun", "05"),
    "0680": ("Jönköping", "Jönköpings kommun", "06"),
    "0780": ("Växjö", "Växjö kommun", "07"),
    "1280": ("Malmö", "Malmö kommun", "12"),
    "1282": ("Landskrona", "Landskrona kommun", "12"),
    "1290": ("Kristianstad", "Kristianstads kommun", "12"),
    "1380": ("Halmstad", "Halmstads kommun", "13"),
    "1480": ("Göteborg", "Göteborgs kommun", "14"),
    "1488": ("Trollhättan", "Trollhättans kommun", "14"),
    "1490": ("Borås", "Borås kommun", "14"),
    "2180": ("Gävle", "Gävle kommun", "21"),
    "2281": ("Sundsvall", "Sundsvalls kommun", "22"),
    "2580": ("Luleå", "Luleå kommun", "25"),
}
# The 21 current länskoder (SCB); 02, 11, 15 and 16 are no longer in use.
COUNTY_CODES = [
    "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
    "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
]
DATA_FILES = [
    "sources.json",
    "municipalities.json",
    "districts_2011.json",
    "organisations.json",
    "agreements.json",
    "programmes.json",
]


def load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def source_text(key: str) -> str:
    return (SOURCES / SOURCE_FILES[key]).read_text(encoding="utf-8")


def norm(text: str) -> str:
    """Runs of white space (line breaks included) become one space."""
    return re.sub(r"\s+", " ", text).strip()


def squeeze(text: str) -> str:
    """All white space removed: compares texts whose OCR split or joined words."""
    return re.sub(r"\s+", "", text)


def bilaga2_rows() -> list[str]:
    table = source_text("003").split("SAMS-kod(er)", 1)[1]
    return [line.strip() for line in table.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def districts():
    return load("districts_2011.json")


@pytest.fixture(scope="module")
def municipalities():
    return load("municipalities.json")


@pytest.fixture(scope="module")
def organisations():
    return {o["key"]: o for o in load("organisations.json")}


@pytest.fixture(scope="module")
def agreements():
    return load("agreements.json")


@pytest.fixture(scope="module")
def stockholm_programme():
    programmes = {p["key"]: p for p in load("programmes.json")}
    return programmes["stockholm_sammanhallen_stad_2015_2020"]


@pytest.fixture(scope="module")
def national_programme():
    programmes = {p["key"]: p for p in load("programmes.json")}
    return programmes["urban_2008"]


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_is_valid_json(name):
    assert load(name)


def test_source_copies_are_byte_identical_to_shared_seeds():
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"{SHARED_SEEDS} is absent")
    for file_name in SOURCE_FILES.values():
        assert (SOURCES / file_name).read_bytes() == (SHARED_SEEDS / file_name).read_bytes(), (
            file_name
        )


def test_sources_json_names_the_four_source_files():
    sources = load("sources.json")
    assert {s["key"]: s["file"] for s in sources} == SOURCE_FILES
    for s in sources:
        assert (SOURCES / s["file"]).is_file()
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s["issued"])


# --- Bilaga 2 districts ----------------------------------------------------------------------


def test_exactly_38_district_rows(districts):
    assert len(districts) == 38


def test_every_source_row_occurs_verbatim_in_seed_003(districts):
    text = norm(source_text("003"))
    for d in districts:
        assert norm(d["source_row"]) in text, d["source_row"]


def test_district_rows_are_all_bilaga_2_rows_in_order(districts):
    rows = bilaga2_rows()
    assert len(rows) == 38
    assert [norm(d["source_row"]) for d in districts] == [norm(r) for r in rows]


def test_district_row_parts_come_from_the_row(districts):
    for d in districts:
        row = d["source_row"]
        assert row.startswith(d["source_name"] + " " + d["municipality"] + " "), row
        if d["code_system"] == "SAMS":
            assert row.endswith(d["notation"]), row
        else:
            assert row.endswith(f"({d['code_system']} {d['notation']})"), row


def test_name_repairs_are_exactly_the_three_listed(districts):
    repaired = {d["source_name"]: d["name"] for d in districts if d["name"] != d["source_name"]}
    assert repaired == NAME_REPAIRS
    for d in districts:
        if d["source_name"] in NAME_REPAIRS:
            assert d["source_notes"], d["source_name"]
        else:
            assert d["name"] == d["source_name"]
    assert "Centrum o Öster" in {d["name"] for d in districts}


def test_district_names_are_unique(districts):
    names = [d["name"] for d in districts]
    assert len(names) == len(set(names))


def test_known_faults_are_kept_and_noted(districts):
    by_name = {d["name"]: d for d in districts}
    alby = by_name["Alby"]
    assert alby["notation"] == "01270001-2,4-5"
    assert " . " in alby["source_row"]
    assert alby["source_notes"]
    hassleholmen = by_name["Hässleholmen"]
    assert hassleholmen["notation"] == "149041-45"
    assert hassleholmen["code_system"] == "SAMS"
    assert hassleholmen["source_notes"]
    klockartorpet = by_name["Klockartorpet"]
    assert (klockartorpet["code_system"], klockartorpet["notation"]) == ("NYKO", "412")
    assert klockartorpet["source_notes"]


def test_sams_notation_starts_with_the_municipality_code(districts):
    for d in districts:
        if d["code_system"] != "SAMS" or d["name"] == "Hässleholmen":
            continue
        assert re.fullmatch(r"[0-9, -]+", d["notation"]), d["notation"]
        assert d["notation"][:4] == d["municipality_code"], d["name"]


# --- municipalities --------------------------------------------------------------------------


def test_21_counties_with_official_names(municipalities):
    counties = {c["code"]: c["name"] for c in municipalities["counties"]}
    assert len(municipalities["counties"]) == len(counties) == 21
    assert list(counties) == sorted(counties)
    assert set(counties) == set(COUNTY_CODES)
    for name in counties.values():
        assert name.endswith(" län"), name
    assert counties["01"] == "Stockholms län"
    assert counties["04"] == "Södermanlands län"
    assert counties["09"] == "Gotlands län"
    assert counties["12"] == "Skåne län"
    assert counties["20"] == "Dalarnas län"


def test_290_municipalities_each_in_the_county_of_its_code(municipalities):
    munis = municipalities["municipalities"]
    counties = {c["code"] for c in municipalities["counties"]}
    codes = [m["code"] for m in munis]
    assert len(munis) == 290
    assert len(set(codes)) == 290
    assert codes == sorted(codes)
    assert len({m["name"] for m in munis}) == 290
    for m in munis:
        assert re.fullmatch(r"\d{4}", m["code"]), m
        assert m["county"] == m["code"][:2], m
        assert m["county"] in counties, m
    assert counties == {m["county"] for m in munis}
    by_code = {m["code"]: m["name"] for m in munis}
    assert by_code["0114"] == "Upplands Väsby"
    assert by_code["0180"] == "Stockholm"
    assert by_code["0980"] == "Gotland"
    assert by_code["1280"] == "Malmö"
    assert by_code["2584"] == "Kiruna"


def test_the_21_agreement_municipalities_are_unchanged(municipalities):
    munis = municipalities["municipalities"]
    agreement = {m["code"]: m for m in munis if "source_name" in m}
    assert agreement == {
        code: {"code": code, "name": name, "source_name": source_name, "county": county}
        for code, (name, source_name, county) in AGREEMENT_MUNICIPALITIES.items()
    }
    for m in munis:
        if m["code"] not in AGREEMENT_MUNICIPALITIES:
            assert set(m) == {"code", "name", "county", "agreement"}, m
            assert m["agreement"] is False, m


def test_municipality_names_occur_in_seeds_002_and_003(municipalities):
    texts = {key: norm(source_text(key)) for key in ("002", "003")}
    agreement = [m for m in municipalities["municipalities"] if "source_name" in m]
    assert len(agreement) == 21
    for m in agreement:
        assert m["source_name"].startswith(m["name"][:-1]), m
        for key, text in texts.items():
            assert m["source_name"] in text, (key, m["source_name"])


def test_every_municipality_code_used_is_an_agreement_municipality(
    municipalities, districts, agreements, organisations
):
    names = {m["code"]: m["name"] for m in municipalities["municipalities"]}
    codes = set(AGREEMENT_MUNICIPALITIES)
    for d in districts:
        assert d["municipality_code"] in codes
        assert names[d["municipality_code"]] == d["municipality"]
    for a in agreements["agreements"]:
        assert a["municipality_code"] in codes
    for section in ("partnerships", "cooperation_agreements"):
        for item in agreements[section]:
            assert item["municipality_code"] in codes
    for o in organisations.values():
        assert o["municipality_code"] is None or o["municipality_code"] in codes
    for p in load("programmes.json"):
        assert p["municipality_code"] is None or p["municipality_code"] in codes


# --- agreements ------------------------------------------------------------------------------


def test_2011_agreement_districts_are_exactly_the_38(agreements, districts):
    offered = [a for a in agreements["agreements"] if a["period_start"] == "2011-01-01"]
    assert len(offered) == 21
    names = [name for a in offered for name in a["districts"]]
    assert sorted(names) == sorted(d["name"] for d in districts)
    assert len(names) == len(set(names)) == 38
    by_name = {d["name"]: d["municipality_code"] for d in districts}
    for a in offered:
        assert a["districts_stated"] is True
        assert a["status"] == "offered"
        for name in a["districts"]:
            assert by_name[name] == a["municipality_code"]


def test_2008_2010_only_haninge_has_districts_stated(agreements):
    earlier = [a for a in agreements["agreements"] if a["period_start"] == "2008-01-01"]
    assert len(earlier) == 21
    stated = [a for a in earlier if a["districts_stated"]]
    assert [(a["municipality_code"], a["districts"]) for a in stated] == [("0136", ["Jordbro"])]
    for a in earlier:
        assert a["status"] == "approved"
        if not a["districts_stated"]:
            assert a["districts"] == []
            assert a["notes"]


def test_stockholm_missing_from_likalydande_till_is_noted(agreements):
    text = source_text("003")
    lines = text.split("Likalydande till", 1)[1].split("Kopia till", 1)[0]
    recipients = {line.strip() for line in lines.splitlines()}
    assert "Stockholms kommun" not in recipients
    stockholm_2011 = next(
        a
        for a in agreements["agreements"]
        if a["municipality_code"] == "0180" and a["period_start"] == "2011-01-01"
    )
    assert any("Likalydande till" in note for note in stockholm_2011["notes"])


def test_template_sections_match_seed_003(agreements):
    sections = agreements["template_sections"]
    assert [s["number"] for s in sections] == list(range(1, 9))
    # Squeezing white space undoes the OCR splits; the two remaining OCR repairs are undone here.
    text = squeeze(source_text("003")).replace("ingå1sådana", "ingåisådana")
    text = text.replace("0Stadsdelen", "Stadsdelen").replace("•", "")
    for s in sections:
        body = squeeze(s["text"]).replace("•", "")
        assert body in text, s["number"]
    assert [s["title"] for s in sections][:7] == [
        "Utgångspunkter",
        "Omfattning",
        "Lokala partnerskap för urbant utvecklingsarbete",
        "Strategisk/a stadsdelsplan/er",
        "Samverkansöverenskommelser",
        "Uppföljning",
        "Utvärdering och kunskapsspridning",
    ]
    assert sections[7]["title"] == "Godkännande av avtalet"


def test_commissions_quote_their_sources(agreements, organisations):
    for c in agreements["commissions"]:
        text = norm(source_text(c["source"]))
        assert norm(c["text"]) in text, c["key"]
        assert norm(c["reporting_duty"]) in text, c["key"]
        for key in [c["issuer"], c["coordinator"], *c["recipients"]]:
            assert key is None or key in organisations
        for s in c["signatories"]:
            assert s["name"] in text
    first = next(c for c in agreements["commissions"] if c["key"] == "2008")
    assert first["coordinator"] == "rikspolisstyrelsen"
    assert "13 §" in first["coordinator_duty"]


def test_jordbro_signatories_occur_in_seed_000(agreements, organisations):
    text = norm(source_text("000"))
    (coop,) = agreements["cooperation_agreements"]
    assert len(coop["signatories"]) == 2
    for s in coop["signatories"]:
        assert s["name"] in text
        assert s["title"] in text
        assert s["organisation"] in organisations
    assert "Haninge 16 februari 2009" in text


def test_jordbro_agreement_text_and_commitments_occur_in_seed_000(agreements, organisations):
    text = squeeze(source_text("000").replace("*", ""))
    (coop,) = agreements["cooperation_agreements"]
    for paragraph in coop["text"].split("\n\n"):
        assert squeeze(paragraph) in text, paragraph
    for c in coop["commitments"]:
        assert c["party"] in organisations
        assert squeeze(c["text"]) in text, c["text"]
    for p in agreements["partnerships"]:
        for member in p["members"]:
            assert member["organisation"] in organisations


# --- national programme ----------------------------------------------------------------------


def test_seven_exclusion_dimensions_occur_in_seed_000(national_programme):
    text = norm(source_text("000"))
    dims = national_programme["exclusion_dimensions"]
    assert [d["key"] for d in dims] == [
        "employment",
        "social_assistance",
        "education",
        "school_results",
        "safety",
        "democracy",
        "health",
    ]
    for d in dims:
        assert "- " + d["text"] in text, d["text"]


def test_overarching_goals_occur_in_seed_000(national_programme):
    text = norm(source_text("000"))
    assert len(national_programme["overarching_goals"]) == 3
    for goal in national_programme["overarching_goals"]:
        assert "- " + goal in text


# --- Stockholm programme ---------------------------------------------------------------------


def test_stockholm_goal_texts_occur_in_seed_004_with_their_numbers(stockholm_programme):
    text = norm(source_text("004"))
    groups = stockholm_programme["goals"]
    for group in groups:
        assert f"{group['number']}. {group['title']}" in text
        for goal in group["goals"]:
            assert goal["number"].split(".")[0] == group["number"]
            assert f"{goal['number']} {goal['text']}" in text, goal["number"]
        for sub in group["sub_commitments"]:
            assert "- " + norm(sub["text"]) in text, sub["text"]


def test_stockholm_goal_numbers_are_as_in_the_source(stockholm_programme):
    numbers = [
        (group["area"], goal["number"])
        for group in stockholm_programme["goals"]
        for goal in group["goals"]
    ]
    assert numbers == [
        ("stadsmiljo_och_boende", "1.1"),
        ("stadsmiljo_och_boende", "1.2"),
        ("stadsmiljo_och_boende", "2.1"),
        ("stadsmiljo_och_boende", "2.2"),
        ("stadsmiljo_och_boende", "2.3"),
        ("stadsmiljo_och_boende", "2.4"),
        ("stadsmiljo_och_boende", "3.1"),
        ("stadsmiljo_och_boende", "3.2"),
        ("stadsmiljo_och_boende", "3.4"),
        ("skola_och_utbildning", "1.1"),
        ("jobb_och_foretagande", "1.1"),
        ("jobb_och_foretagande", "2.1"),
        ("jobb_och_foretagande", "3.1"),
    ]
    boende = next(g for g in stockholm_programme["goals"] if g["title"] == "Boende")
    assert boende["source_notes"]
    assert "3.3 " not in norm(source_text("004"))


def test_stockholm_goal_areas_and_groups_agree(stockholm_programme):
    areas = [a["key"] for a in stockholm_programme["goal_areas"]]
    assert areas == [
        "stadsmiljo_och_boende",
        "skola_och_utbildning",
        "jobb_och_foretagande",
        "lokalt_arbete_social_hallbarhet",
    ]
    used = [g["area"] for g in stockholm_programme["goals"]]
    assert set(used) <= set(areas)
    assert "lokalt_arbete_social_hallbarhet" not in used
    assert sum(len(g["sub_commitments"]) for g in stockholm_programme["goals"]) == 14


def test_responsible_and_follow_up_keys_exist(
    stockholm_programme, national_programme, organisations
):
    for programme in (stockholm_programme, national_programme):
        assert programme["owner"] in organisations
        for key in (programme.get("publisher"), programme.get("follow_up")):
            assert key is None or key in organisations
        for group in programme["goals"]:
            assert group["follow_up"] is None or group["follow_up"] in organisations
            if group["follow_up"] is None:
                assert group["source_notes"]
            for item in [*group["goals"], *group["sub_commitments"]]:
                assert item["responsible"], item["text"]
                for key in item["responsible"]:
                    assert key in organisations, key
        for pc in programme["priority_committees"]:
            assert organisations[pc["committee"]]["kind"] == "committee"


def test_every_organisation_parent_exists(organisations):
    seen: set[str] = set()
    for key, o in organisations.items():
        assert re.fullmatch(r"[a-z0-9_]+", key)
        assert o["parent"] is None or o["parent"] in organisations, key
        assert o["parent"] is None or o["parent"] in seen, f"{key}: parent listed later"
        seen.add(key)
        assert set(o["sources"]) <= set(SOURCE_FILES)


def test_priority_committees_follow_the_prioriterade_section(stockholm_programme):
    text = norm(source_text("004"))
    prio = text.split("Prioriterade stadsdelsnämnder Utveckling", 1)[1].split(
        " Mål Huvudtemana", 1
    )[0]
    later = text.split(
        "Målsättningen med det lokala arbetet är att öka den sociala hållbarheten i ", 1
    )[1]
    later_names = re.split(r", | och ", later.split(". Detta ska ske", 1)[0])
    committees = stockholm_programme["priority_committees"]
    assert len(committees) == 6
    listed: list[str] = []
    for pc in committees:
        for name in pc["districts"]:
            assert name in prio, name
            listed.append(name)
            if name not in later_names:
                assert pc["source_notes"], name
    # every difference between the two lists is noted on some committee
    notes = " ".join(n for pc in committees for n in pc["source_notes"])
    for name in later_names:
        if name not in listed:
            assert name in notes, name
