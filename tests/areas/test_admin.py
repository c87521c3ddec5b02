"""Admin pages: every registry model has a working list, change and history page, and the
recorded source faults show on the district they concern."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from stadsdel.areas.models import District

pytestmark = pytest.mark.django_db

STADSDEL_MODELS = [m for m in admin.site._registry if m.__module__.startswith("stadsdel.")]


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.invalid", "pw")
    client.force_login(user)
    return client


def test_registry_models_are_all_in_the_admin():
    names = {m.__name__ for m in STADSDEL_MODELS}
    assert {"Municipality", "CodeSystem", "StatisticalArea", "District", "Organisation", "Programme", "Agreement",
            "Commission", "Partnership", "CooperationAgreement", "Membership", "SourceIssue"} <= names


@pytest.mark.parametrize("model", STADSDEL_MODELS, ids=lambda m: m.__name__)
def test_admin_list_change_and_history_pages_render(staff_client, model):
    info = (model._meta.app_label, model._meta.model_name)
    assert staff_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    obj = model.objects.first()
    if obj is None:
        return  # e.g. memberships: none in the seed registry
    assert staff_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
    assert staff_client.get(reverse("admin:{}_{}_history".format(*info), args=[obj.pk])).status_code == 200


def test_district_admin_shows_the_recorded_source_issue(staff_client):
    district = District.objects.get(name="Hässleholmen")
    page = staff_client.get(reverse("admin:areas_district_change", args=[district.pk])).content.decode()
    assert "149041-45" in page


def test_an_areas_code_is_not_edited_in_the_admin(staff_client):
    # Its figures are stored under the code: an edited code would part the area from them.
    from stadsdel.areas.models import StatisticalArea

    area = StatisticalArea.objects.select_related("code_system").first()
    url = reverse("admin:areas_statisticalarea_change", args=[area.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="code"' not in page and 'name="code_system"' not in page
    assert 'name="name"' in page
    staff_client.post(url, {"code": "9999", "code_system": area.code_system_id, "municipality": area.municipality_id,
                            "name": "Omdöpt"})
    area.refresh_from_db()
    assert area.code != "9999"
