"""Every id in a request body is resolved through the caller's read scope (issue 15, finding 2).

The test walks the OpenAPI description, finds every body field that carries ids, and sends, in a
request the RBAC matrix knows to succeed for its caller, an id of another municipality's draft
record and an id that does not exist: both must give the same 422 with the same words. A new id
field fails the test until it is classified below."""

from __future__ import annotations

import pytest
from django.db import transaction
from test_rbac_matrix import API, OK, _fill, _fill_data, users, world  # noqa: F401 (fixtures)

from stadsdel.accounts.models import Role
from stadsdel.api.api import api
from stadsdel.areas.models import District
from stadsdel.plans import services as plan_services
from stadsdel.plans.models import Goal, GoalArea

# What each id-carrying body field refers to. "public": a record of the public registry (every
# district is public), so there is no hidden record to probe; "goal": goals, which belong to
# plans that may be unpublished drafts.
ID_FIELDS = {
    "district_id": "public", "district_ids": "public", "scope_district_ids": "public",
    "treated_district_ids": "public", "comparison_district_ids": "public", "synth_district_id": "public",
    "round_id": "public",  # a fund's rounds are shown on its public page
    "goal_ids": "goal",
}
# Who sends each operation: the role the matrix expects to succeed.
CALLER_PREFERENCE = ("municipality_a", "committee", "applicant", "analyst", "ministry", "agency")


def _id_fields() -> list[tuple[str, str, bool]]:
    """(operation, field, is a list) of every JSON body field named like an id."""
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if not schema or "$ref" not in schema:
                continue
            properties = components[schema["$ref"].split("/")[-1]].get("properties", {})
            for name in properties:
                if name.endswith(("_id", "_ids")):
                    found.append((f"{method.upper()} {path}", name, name.endswith("_ids")))
    return found


def test_every_id_field_is_classified():
    fields = {name for _op, name, _many in _id_fields()}
    assert fields, "the walk found no id fields at all"
    assert fields <= set(ID_FIELDS), f"classify these body fields: {sorted(fields - set(ID_FIELDS))}"


@pytest.fixture
def hidden(member):
    """A draft of another municipality (Malmö) than any matrix caller's: one goal of each kind."""
    malmo = member("malmo-coordinator", org_key="malmo_kommun", role=Role.MUNICIPALITY)
    district = District.objects.filter(municipality__code="1280", kind=District.Kind.DISTRICT).first()
    plan = plan_services.plan_create(user=malmo, district=district, year=2015, period_end=2017)
    goal = plan_services.goal_create(user=malmo, plan=plan, fields={
        "goal_area": GoalArea.objects.get(programme=plan.programme, key="arbete"), "number": "1.1",
        "text": "Malmös utkastmål"})
    return {"goal": goal.pk}


def test_ids_of_hidden_records_are_refused_like_unknown_ones(client, world, users, hidden):  # noqa: F811
    unknown = {"goal": Goal.objects.order_by("-pk").values_list("pk", flat=True).first() + 10_000}
    probes = [(op, name, many) for op, name, many in _id_fields() if ID_FIELDS[name] != "public"]
    assert {name for _op, name, _many in probes} == {"goal_ids"}
    checked = []
    for operation, name, many in probes:
        template, data, expected = API[operation]
        role = next(r for r in CALLER_PREFERENCE if expected[r] == OK)
        method = operation.split()[0].lower()

        def send(record_id, *, template=template, data=data, name=name, many=many, role=role, method=method):
            body = {**_fill_data(data, world), name: [record_id] if many else record_id}
            with transaction.atomic():
                client.logout()
                client.force_login(users[role])
                response = getattr(client, method)(_fill(template, world), body, content_type="application/json")
                transaction.set_rollback(True)
            return response

        kind = ID_FIELDS[name]
        seen, missing = send(hidden[kind]), send(unknown[kind])
        label = f"{operation} {name} as {role}"
        assert missing.status_code == 422, f"{label}: an unknown id gave {missing.status_code}"
        assert seen.status_code == 422, f"{label}: another municipality's draft gave {seen.status_code}"
        assert seen.json() == missing.json(), label
        assert "Malmös utkastmål" not in seen.content.decode(), label
        checked.append(operation)
    # Dialogues (create, edit) and fund applications (create, edit) carry goal ids.
    assert len(checked) == 4, checked


def test_a_readable_goal_is_accepted(client, world, users):  # noqa: F811
    """The probe above is not refusing everything: in the same request, a goal of the caller's
    own plan links."""
    from stadsdel.plans.models import ResidentDialogue

    template, data, _expected = API["PATCH /api/plans/dialogues/{dialogue_id}"]
    with transaction.atomic():
        client.force_login(users["municipality_a"])
        response = client.patch(_fill(template, world), {**_fill_data(data, world), "goal_ids": [world["goal"]]},
                                content_type="application/json")
        assert response.status_code == 200, response.content
        assert list(ResidentDialogue.objects.get(pk=world["dialogue"]).goals.values_list("pk", flat=True)) == [
            world["goal"]]
        transaction.set_rollback(True)
