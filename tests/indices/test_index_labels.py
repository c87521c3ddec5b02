"""What the index pages call things: a model's domains in the page's language (their English
names on English pages), and statistical areas by a label a reader can place — the area's name,
or its code with its municipality (DeSO areas have no names) — while the downloads keep the
code to join on."""

from __future__ import annotations

import csv
import io
import json

import pytest
from index_data import MODEL
from test_index_pages import _load_boundaries

from stadsdel.areas.models import CodeSystem, Municipality, StatisticalArea
from stadsdel.areas.selectors import area_labels
from stadsdel.indices.services import index_model_save

RINKEBY, HUSBY, TENSTA = "01800148", "01800154", "01800151"


@pytest.fixture
def named_model(db):
    definition = json.loads(json.dumps(MODEL))
    definition["domains"][0]["name_en"] = "Livelihood"
    model, _created = index_model_save(definition=definition,
                                       reference_municipality=Municipality.objects.get(code="0180"))
    return model


def _english(client):
    client.cookies["django_language"] = "en"


def _header(html: str) -> str:
    return html.split('id="index-table"')[1].split("</thead>")[0]


def test_domains_are_named_in_the_page_language(client, stockholm_statistics, named_model):
    swedish = client.get("/index/", {"model": named_model.pk, "level": "district", "year": 2012})
    assert swedish.context["page"].domain_names == ["Försörjning"]
    assert "Försörjning" in _header(swedish.content.decode())
    _english(client)
    english = client.get("/index/", {"model": named_model.pk, "level": "district", "year": 2012})
    html = english.content.decode()
    assert english.context["page"].domain_names == ["Livelihood"]
    assert "Livelihood" in _header(html) and "Försörjning" not in _header(html)
    panel = html.split('id="definition-heading"')[1].split("</aside>")[0]
    assert "Livelihood" in panel and "Försörjning" not in panel
    download = client.get("/index/", {"model": named_model.pk, "level": "district", "year": 2012, "format": "csv"})
    assert "Livelihood" in next(csv.reader(io.StringIO(download.content.decode())))
    detail = client.get(named_model.get_absolute_url()).content.decode()
    assert "Livelihood" in detail.split('id="definition-heading"')[1]
    # The model's own file keeps both names.
    data = json.loads(client.get(named_model.get_absolute_url(), {"format": "json"}).content)
    assert data["domains"][0]["name"] == "Försörjning" and data["domains"][0]["name_en"] == "Livelihood"


def test_the_description_is_in_the_page_language(client, db):
    """A model's description in English on English pages when it has one; correcting it keeps
    the version (it is not part of the computation) and the model file carries both."""
    reference = Municipality.objects.get(code="0180")
    model, _created = index_model_save(definition=json.loads(json.dumps(MODEL)), reference_municipality=reference,
                                       description="Stadens modell.")
    _english(client)
    assert "Stadens modell." in client.get(model.get_absolute_url()).content.decode()
    same, created = index_model_save(definition=json.loads(json.dumps(MODEL)), reference_municipality=reference,
                                     description="Stadens modell.", description_en="The city's model.")
    assert (same.pk, created) == (model.pk, False)
    english = client.get(model.get_absolute_url()).content.decode()
    assert "The city&#x27;s model." in english and "Stadens modell." not in english
    client.cookies["django_language"] = "sv"
    swedish = client.get(model.get_absolute_url()).content.decode()
    assert "Stadens modell." in swedish and "The city" not in swedish
    data = json.loads(client.get(model.get_absolute_url(), {"format": "json"}).content)
    assert (data["description"], data["description_en"]) == ("Stadens modell.", "The city's model.")


def test_the_seed_model_reads_in_english(db):
    from stadsdel.indices.models import IndexModel

    model = IndexModel.objects.get(active=True, name__startswith="Västra Götalandsmodellen")
    assert model.description.startswith("Vår tolkning") and model.description_en.startswith("Our reading")


def test_a_model_without_english_names_shows_its_names(client, stockholm_statistics, test_model):
    _english(client)
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    assert response.context["page"].domain_names == ["Försörjning"]


def test_a_kept_run_is_named_in_the_readers_language(client, stockholm_statistics, named_model):
    """The run is kept for every reader: computed for a Swedish page, it names the domains in
    English on an English one."""
    client.get("/index/", {"model": named_model.pk, "level": "district"})
    _english(client)
    assert client.get("/index/", {"model": named_model.pk, "level": "district"}).context["page"].domain_names == [
        "Livelihood"]


def _area(code: str, name: str, municipality: str = "0180", system: str = "DeSO") -> StatisticalArea:
    return StatisticalArea.objects.update_or_create(
        code_system=CodeSystem.objects.get_or_create(code=system, defaults={"name": system})[0], code=code,
        municipality=Municipality.objects.get(code=municipality), defaults={"name": name})[0]


def test_area_labels(db):
    _area("0180C1090", "")
    _area("1280C1010", "")
    _area("0180X0001", "Centrum")
    _area("0180X0002", "Centrum")
    _area("1280X0001", "Centrum", municipality="1280")
    _area("0180X0003", "Rinkeby")
    labels = area_labels(code_system="DeSO", codes=["0180C1090", "0180X0001", "0180X0002", "1280X0001",
                                                    "0180X0003", "9999Z9999"])
    assert area_labels(code_system="DeSO", codes=["0180C1090", "0180X0001"], municipality=False) == {
        "0180C1090": "0180C1090", "0180X0001": "Centrum"}
    assert labels == {
        "0180C1090": "0180C1090 (Stockholm)",  # no name: the code and where it lies
        "0180X0001": "Centrum (Stockholm, 0180X0001)",  # a name two of Stockholm's areas bear
        "0180X0002": "Centrum (Stockholm, 0180X0002)",
        "1280X0001": "Centrum (Malmö)",
        "0180X0003": "Rinkeby (Stockholm)",
        "9999Z9999": "9999Z9999",  # not stored: the code alone
    }


def _map_shapes(response) -> list[dict]:
    spec = response.context["map_spec"]
    return [f for layer in spec["layer"] if layer["mark"]["type"] == "geoshape"
            for f in layer["data"]["values"] if "value" in f["properties"]]


def test_the_area_level_lists_areas_by_their_labels(client, stockholm_statistics, test_model, tmp_path):
    StatisticalArea.objects.filter(code=TENSTA).update(name="Tensta centrum")
    _load_boundaries(tmp_path, [HUSBY])  # the others are left off the map, and named beside it
    response = client.get("/index/", {"model": test_model.pk, "level": "area", "year": 2012})
    page = response.context["page"]
    labels = {r.unit: r.label for r in page.rows}
    assert labels[TENSTA] == "Tensta centrum (Stockholm)" and labels[RINKEBY] == f"{RINKEBY} (Stockholm)"
    html = response.content.decode()
    body = html.split('id="index-table"')[1].split("</table>")[0]
    assert f'Tensta centrum (Stockholm)<br><span class="code">{TENSTA}</span>' in body
    assert f"{RINKEBY} (Stockholm)" in body and f'<span class="code">{RINKEBY}</span>' not in body
    bars = next(layer for layer in response.context["bar_spec"]["layer"] if layer["mark"]["type"] == "bar")
    assert {v["unit"] for v in bars["data"]["values"]} == set(labels.values())
    assert {v["series"] for v in response.context["trend_spec"]["data"]["values"]} == {*labels.values(), "Stockholm"}
    assert "Tensta centrum (Stockholm)" in response.context["map_undrawn"]
    assert f"{RINKEBY} (Stockholm)" in response.context["map_undrawn"]
    assert f"{HUSBY} (Stockholm)" not in response.context["map_undrawn"]
    assert {f["properties"]["label"] for f in _map_shapes(response)} == {f"{HUSBY} (Stockholm)"}
    # On the map itself the code alone (the outline names Stockholm): the tooltip has the rest.
    spec = response.context["map_spec"]
    assert {v["text"] for layer in spec["layer"] if layer["mark"]["type"] == "text"
            for v in layer["data"]["values"]} == {HUSBY}  # (the text and its halo)
    assert "Tensta centrum (Stockholm)" in html.split('id="priority-summary"')[1].split("</div>")[0]
    # Found by its name; the CSV keeps the code to join on, with the label beside it.
    found = client.get("/index/", {"model": test_model.pk, "level": "area", "year": 2012, "q": "tensta"})
    assert [r.unit for r in found.context["table"].rows] == [TENSTA]
    rows = list(csv.DictReader(io.StringIO(client.get("/index/", {"model": test_model.pk, "level": "area",
                                                                   "year": 2012, "format": "csv"}).content.decode())))
    tensta = next(r for r in rows if r["unit"] == TENSTA)
    assert tensta["label"] == "Tensta centrum (Stockholm)"


def test_district_labels_are_the_districts(client, stockholm_statistics, test_model):
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    assert all(r.label == r.unit for r in response.context["page"].rows)
    rows = list(csv.DictReader(io.StringIO(client.get("/index/", {"model": test_model.pk, "level": "district",
                                                                   "year": 2012, "format": "csv"}).content.decode())))
    assert {r["unit"] for r in rows} == {r["label"] for r in rows} >= {"Tensta", "Rinkeby", "Husby"}


def test_the_typology_names_an_area_that_has_a_name(client, typology_statistics):
    StatisticalArea.objects.filter(code=TENSTA).update(name="Tensta centrum")
    response = client.get("/index/typology/")
    body = response.content.decode().split('id="typology-table"')[1].split("</table>")[0]
    assert f'Tensta centrum<br><span class="code">{TENSTA}</span>' in body
    assert f'<th scope="row"><span class="code">{RINKEBY}</span></th>' in body  # no name: the code
    assert [a.area for a in client.get("/index/typology/", {"q": "centrum"}).context["table"].rows] == [TENSTA]
    rows = list(csv.DictReader(io.StringIO(client.get("/index/typology/", {"format": "csv"}).content.decode())))
    assert {r["area"]: r["name"] for r in rows}[TENSTA] == "Tensta centrum"
    assert {r["area"]: r["name"] for r in rows}[RINKEBY] == ""
