"""The index over stored statistics: model versions, the database run, the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from index_data import MODEL, ROWS, expected_index

from stadsdel.areas.models import Municipality
from stadsdel.indices.models import IndexModel
from stadsdel.indices.selectors import index_model_get, index_run
from stadsdel.indices.services import index_model_check, index_model_load, index_model_save
from stadsdel.lib.index import IndexInputError

RINKEBY, HUSBY, TENSTA = "01800148", "01800154", "01800151"


def test_the_default_model_is_seeded_and_valid(db):
    model = index_model_get(name="Västra Götalandsmodellen (Stockholm 2014)")
    assert model.version == 1 and model.active
    assert model.reference_municipality.code == "0180" and model.base_year == 2006
    spec = model.spec()
    assert [d.name for d in spec.domains] == ["Sociala riskfaktorer", "Hälsa", "Säkerhet & trygghet", "Försörjning"]
    assert [d.name_en for d in spec.domains] == ["Social risk factors", "Health", "Safety & security", "Livelihood"]
    assert {"reported_crimes_per_1000", "children_social_assistance_share", "unemployment_20_64"} <= set(spec.codes)
    index_model_check(definition=model.definition())  # every indicator in the catalogue, only shares protective


def test_a_changed_model_is_a_new_version_and_the_old_one_stays(db):
    stockholm = Municipality.objects.get(code="0180")
    first, created = index_model_save(definition=MODEL, reference_municipality=stockholm)
    assert created and first.version == 1
    again, created = index_model_save(definition=MODEL, reference_municipality=stockholm)
    assert not created and again.pk == first.pk
    changed = {**MODEL, "base_year": 2012}
    second, created = index_model_save(definition=changed, reference_municipality=stockholm)
    assert created and second.version == 2 and second.active
    first.refresh_from_db()
    assert not first.active and first.base_year == 2010  # untouched
    assert index_model_get(name="testindex").pk == second.pk
    assert index_model_get(name="Testindex", version=1).pk == first.pk
    # Another reference population is another model too.
    third, created = index_model_save(definition=changed, reference_municipality=None)
    assert created and third.version == 3


def test_a_pinned_version_cannot_change(db):
    index_model_save(definition=MODEL, version=1)
    with pytest.raises(IndexInputError, match="already exists with another definition"):
        index_model_save(definition={**MODEL, "base_year": None}, version=1)


def _named(model: dict, name_en: str | None) -> dict:
    named = json.loads(json.dumps(model))
    if name_en is None:
        named["domains"][0].pop("name_en", None)
    else:
        named["domains"][0]["name_en"] = name_en
    return named


def test_english_names_correct_a_version_in_place(db):
    """A domain's English name labels it and changes no figure: given, corrected or taken away,
    the version stays (a pinned seed version too, which would otherwise be refused); the
    history keeps what it was."""
    first, created = index_model_save(definition=MODEL, version=1)
    assert created
    named, created = index_model_save(definition=_named(MODEL, "Livelihood"), version=1)
    assert not created and named.pk == first.pk and named.version == 1
    named.refresh_from_db()
    assert named.domains[0]["name_en"] == "Livelihood" and named.spec().domains[0].label("en") == "Livelihood"
    again, created = index_model_save(definition=_named(MODEL, "Self-support"))  # the latest, unpinned
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert again.domains[0]["name_en"] == "Self-support"
    assert index_model_save(definition=_named(MODEL, "Self-support")) == (again, False)
    assert IndexModel.objects.filter(name="Testindex").count() == 1
    assert first.history.count() == 3  # created, named, renamed; the unchanged save wrote nothing
    # A changed computation is still a new version, English names or not.
    second, created = index_model_save(definition={**_named(MODEL, "Self-support"), "base_year": 2012})
    assert created and second.version == 2


def test_model_file_load_with_and_without_english_names(db, tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({**MODEL, "reference_municipality": "0180"}), encoding="utf-8")
    model, created = index_model_load(path=path)
    assert created and "name_en" not in model.domains[0]
    path.write_text(json.dumps({**_named(MODEL, "Livelihood"), "reference_municipality": "0180"}), encoding="utf-8")
    out = io.StringIO()
    call_command("index", "model", "load", str(path), stdout=out)
    assert "the same computation, no new version" in out.getvalue()
    model.refresh_from_db()
    assert model.version == 1 and model.domains[0]["name_en"] == "Livelihood"
    path.write_text(json.dumps(_named(MODEL, "")), encoding="utf-8")
    with pytest.raises(IndexInputError, match=r"model\.json: domains\[0\]\.name_en: must be a non-empty string"):
        index_model_load(path=path)


@pytest.mark.parametrize(("change", "message"), [
    ({"code": "no_such_indicator"}, "not in the indicator catalogue"),
    ({"code": "sickness_days_per_person", "orientation": "protective"}, "is not a share"),
])
def test_models_are_checked_against_the_catalogue(db, change, message):
    bad = json.loads(json.dumps(MODEL))
    bad["domains"][0]["indicators"][0].update(change)
    with pytest.raises(IndexInputError, match=message):
        index_model_save(definition=bad)
    assert not IndexModel.objects.filter(name="Testindex").exists()


def test_model_file_load(db, tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({**MODEL, "reference_municipality": "0180", "description": "Prov"}), encoding="utf-8")
    model, created = index_model_load(path=path)
    assert created and model.reference_municipality.code == "0180" and model.description == "Prov"
    assert index_model_load(path=path) == (model, False)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexInputError, match=r"model\.json: not valid JSON"):
        index_model_load(path=path)


def test_districts_and_committee_areas_from_stored_statistics(stockholm_statistics, test_model):
    run = index_run(model=test_model, level="district")
    result = run.result
    assert result.years == (2010, 2012)
    for unit, areas in (("Rinkeby", {RINKEBY}), ("Husby", {HUSBY}), ("Tensta", {TENSTA})):
        u = result.units.index(unit)
        for y, year in enumerate(result.years):
            assert result.total[y, u] == pytest.approx(expected_index(areas, year))
    assert "Skärholmen" in run.without_data  # a district whose area has no figures
    committees = index_run(model=test_model, level="committee_area").result
    u = committees.units.index("Rinkeby-Kista")
    # Summed counts of Rinkeby and Husby, not the mean of their indices.
    assert committees.total[0, u] == pytest.approx(expected_index({RINKEBY, HUSBY}, 2010))
    # The city is 100 in the base year and lower when it improves.
    assert run.reference_total[0] == pytest.approx(100.0)
    everyone = {r[0] for r in ROWS}
    assert run.reference_total[1] == pytest.approx(expected_index(everyone, 2012))
    assert run.reference_total[1] < 100


def test_command_from_the_database(stockholm_statistics, test_model):
    out = io.StringIO()
    call_command("index", "compute", "--model", "Testindex", "--year", "2012", "--json", stdout=out)
    records = json.loads(out.getvalue())
    assert {r["year"] for r in records} == {2012}
    by_unit = {r["unit"]: r for r in records}
    assert by_unit["Tensta"]["index"] == pytest.approx(expected_index({TENSTA}, 2012))
    assert by_unit["Tensta"]["domains"] == {"Försörjning": pytest.approx(by_unit["Tensta"]["index"])}
    ranked = sorted((r for r in records if r["rank"]), key=lambda r: r["rank"])
    assert [r["index"] for r in ranked] == sorted((r["index"] for r in ranked), reverse=True)
    areas = io.StringIO()
    call_command("index", "compute", "--model", "Testindex", "--year", "2010", "--level", "area", "--json", stdout=areas)
    assert {r["unit"] for r in json.loads(areas.getvalue())} == {r[0] for r in ROWS}


def test_command_refuses_unknown_models_and_years(stockholm_statistics, test_model):
    with pytest.raises(CommandError, match="no index model 'Okänd'") as err:
        call_command("index", "compute", "--model", "Okänd", "--json", stdout=io.StringIO())
    assert err.value.returncode == 2
    with pytest.raises(CommandError, match="no area figures for 2011"):
        call_command("index", "compute", "--model", "Testindex", "--year", "2011", "--json", stdout=io.StringIO())


def test_sensitivity_command_from_the_database(stockholm_statistics, test_model):
    out = io.StringIO()
    call_command("index", "sensitivity", "--model", "Testindex", "--year", "2012", "--draws", "200", "--seed", "3",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["draws"] == 200 and data["seed"] == 3 and data["model"] == "Testindex v1"
    assert {u["unit"] for u in data["units"]} >= {"Rinkeby", "Husby", "Tensta"}
    again = io.StringIO()
    call_command("index", "sensitivity", "--model", "Testindex", "--year", "2012", "--draws", "200", "--seed", "3",
                 stdout=again)
    assert json.loads(again.getvalue()) == data


def test_admin_saves_a_changed_model_as_a_new_version(admin_client, test_model):
    url = f"/admin/indices/indexmodel/{test_model.pk}/change/"
    assert admin_client.get(url).status_code == 200
    domains = json.loads(json.dumps(MODEL["domains"]))
    domains[0]["indicators"][0]["weight"] = 3
    form = {
        "name": "Testindex", "base_year": "2010", "reference_municipality": test_model.reference_municipality_id,
        "domains": json.dumps(domains), "description": "Ny vikt", "sources": "[]", "active": "on",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302
    versions = list(IndexModel.objects.filter(name="Testindex").order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].domains == MODEL["domains"] and not versions[0].active
    assert versions[1].domains[0]["indicators"][0]["weight"] == 3 and versions[1].active
    # A model the catalogue refuses is an error on the form, and nothing is saved.
    domains[0]["indicators"][0]["code"] = "no_such_indicator"
    response = admin_client.post(url, {**form, "domains": json.dumps(domains)})
    assert response.status_code == 200 and "not in the indicator catalogue" in response.content.decode()
    assert IndexModel.objects.filter(name="Testindex").count() == 2
