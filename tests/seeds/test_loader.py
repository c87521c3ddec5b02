"""The seed loader: the 38 districts of Bilaga 2, the recorded source faults, idempotence,
atomicity, and the registry it builds (agreements, partnership, programme)."""

from __future__ import annotations

import json
import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from stadsdel.agreements.models import Agreement, Commission, CooperationAgreement, Partnership
from stadsdel.areas.models import County, District, StatisticalArea
from stadsdel.plans.models import Goal, PriorityArea, Programme
from stadsdel.seeds.loader import DATA_DIR, SeedDataError, seeds_load

pytestmark = pytest.mark.django_db


def districts_json(*args: str) -> list[dict]:
    out = StringIO()
    call_command("districts", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def by_name() -> dict[str, dict]:
    return {row["name"]: row for row in districts_json("--agreement-year", "2011")}


def test_agreement_year_2011_gives_exactly_the_38_districts_of_bilaga_2(by_name):
    assert len(by_name) == 38
    assert {"Alby", "Fornhöjden", "Västra Skogås", "Norra Biskopsgården", "Centrum o Öster", "Öxnehaga"} <= set(by_name)


def test_json_rows_have_the_contract_fields(by_name):
    jordbro = by_name["Jordbro"]
    assert {"name", "municipality_code", "municipality", "code_system", "codes", "issues"} <= set(jordbro)
    assert jordbro == {**jordbro, "municipality_code": "0136", "municipality": "Haninge", "code_system": "SAMS",
                       "codes": ["01360017", "01360018", "01360019"], "issues": []}


def test_compact_notation_is_expanded(by_name):
    fosie = by_name["Fosie"]["codes"]
    assert fosie[:5] == ["12800109", "12800110", "12800234", "12800235", "12800244"]
    assert fosie[-3:] == ["12800258", "12800259", "12800260"]
    assert len(fosie) == 18
    assert by_name["Araby"]["codes"] == ["07800112", "07800113", "07800114", "07800115", "07800120"]


def test_every_sams_code_has_its_municipality_prefix(by_name):
    for row in by_name.values():
        if row["code_system"] == "SAMS":
            assert all(code.startswith(row["municipality_code"]) for code in row["codes"]), row["name"]


def test_hassleholmen_six_digit_code_is_a_recorded_issue_with_no_codes_guessed(by_name):
    row = by_name["Hässleholmen"]
    assert row["codes"] == []
    assert len(row["issues"]) == 1
    assert "149041-45" in row["issues"][0]
    assert not StatisticalArea.objects.filter(code__startswith="149041").exists()


def test_klockartorpet_is_nyko_412_with_a_recorded_issue(by_name):
    row = by_name["Klockartorpet"]
    assert (row["code_system"], row["codes"], row["municipality_code"]) == ("NYKO", ["412"], "0581")
    assert len(row["issues"]) == 1 and "NYKO" in row["issues"][0]


def test_only_the_two_faulty_rows_have_issues(by_name):
    assert {name for name, row in by_name.items() if row["issues"]} == {"Hässleholmen", "Klockartorpet"}


@pytest.mark.parametrize(
    ("name", "alias"),
    [("Fornhöjden", "Forn höjden"), ("Västra Skogås", "VästraSkogås"), ("Norra Biskopsgården", "N:a Biskopsgården")],
)
def test_ocr_damaged_names_are_repaired_and_the_original_kept_as_alias(by_name, name, alias):
    assert by_name[name]["aliases"] == [alias]
    assert not District.objects.filter(name=alias).exists()


def test_centrum_o_oster_keeps_its_name(by_name):
    assert by_name["Centrum o Öster"]["aliases"] == []


def test_second_load_changes_nothing_not_even_history():
    history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    before = {m.__name__: m.objects.count() for m in history_models}
    rows_before = {m.__name__: m.objects.count() for m in apps.get_models() if m.__module__.startswith("stadsdel")}
    report = seeds_load()
    assert not report.changed
    assert {m.__name__: m.objects.count() for m in history_models} == before
    assert {m.__name__: m.objects.count() for m in apps.get_models() if m.__module__.startswith("stadsdel")} == rows_before


def test_a_bad_data_file_is_named_and_nothing_is_half_written(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    municipalities = json.loads((data / "municipalities.json").read_text())
    municipalities["counties"].append({"code": "99", "name": "Testlän"})  # written early …
    (data / "municipalities.json").write_text(json.dumps(municipalities))
    districts = json.loads((data / "districts_2011.json").read_text())
    districts[3]["municipality_code"] = "9999"  # … then a later step fails
    (data / "districts_2011.json").write_text(json.dumps(districts))
    with pytest.raises(SeedDataError, match=r"districts_2011\.json.*9999"):
        seeds_load(data_dir=data)
    assert not County.objects.filter(code="99").exists()


def test_agreements_per_period():
    assert Agreement.objects.filter(period_start__year=2008).count() == 21
    assert Agreement.objects.filter(period_start__year=2011).count() == 21
    stated = Agreement.objects.filter(period_start__year=2008, districts_stated=True)
    assert [a.municipality.name for a in stated] == ["Haninge"]
    assert [d.name for d in stated[0].districts.all()] == ["Jordbro"]
    assert not Agreement.objects.filter(period_start__year=2008).exclude(municipality__code="0136").filter(
        districts__isnull=False).exists()
    assert Agreement.objects.get(municipality__code="0136", period_start__year=2011).sections.count() == 8


def test_commission_names_rikspolisstyrelsen_as_coordinator():
    commission = Commission.objects.get(key="2008")
    assert commission.coordinator.name == "Rikspolisstyrelsen"
    assert {o.name for o in commission.recipients.all()} >= {"Försäkringskassan", "Arbetsförmedlingen"}
    assert "13 §" in commission.coordinator_duty


def test_jordbro_partnership_and_cooperation_agreement():
    partnership = Partnership.objects.get(key="jordbro")
    assert {m.organisation.name for m in partnership.members.all()} == {"Haninge kommun", "Försäkringskassan"}
    coop = CooperationAgreement.objects.get(partnership=partnership)
    assert coop.signed_on.isoformat() == "2009-02-16"
    signatories = [(s.name, s.title) for s in coop.signatories.all()]
    assert signatories == [
        ("Gilbert de Wendel", "Kommunstyrelsens ordförande"),
        ("Stefan Mörk", "Områdeschef LFC Stockholm Södertörn"),
    ]


def test_stockholm_programme_goals_with_responsible_bodies_in_order():
    programme = Programme.objects.get(municipality__code="0180")
    assert next(a.name for a in programme.goal_areas.all()) == "Stadsmiljö och boende"
    goal = Goal.objects.get(programme=programme, goal_area__key="stadsmiljo_och_boende", number="1.1")
    responsible = [r.organisation.name.lower() for r in goal.responsibilities.all()]
    assert responsible[0] == "exploateringsnämnden"  # the first named is the main responsible
    assert "trafiknämnden" in responsible
    assert goal.follow_up.name == "Kommunstyrelsen i Stockholms kommun"
    assert goal.parent.title == "Samband"
    assert goal.parent.sub_commitments.count() == 2
    numbers = set(Goal.objects.filter(programme=programme).values_list("number", flat=True))
    assert {"1.1", "1.2", "2.1", "2.4", "3.1", "3.2", "3.4"} <= numbers


def test_six_priority_committees_and_their_districts_nest():
    programme = Programme.objects.get(municipality__code="0180")
    areas = {p.area.name: sorted(d.name for d in p.districts.all()) for p in PriorityArea.objects.filter(programme=programme)}
    assert len(areas) == 6
    assert areas["Rinkeby-Kista"] == ["Akalla", "Husby", "Kista", "Rinkeby"]
    assert areas["Spånga-Tensta"] == ["Tensta"]
    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    assert rinkeby.parent.name == "Rinkeby-Kista"
    assert rinkeby.memberships.count() == 1  # the same district as in Bilaga 2, not a copy
