"""A file the import refuses leaves a record of the refusal (who, when, which file and format,
the reason naming the row) and no figures, from the import page, the API and the `stadsdel
import` command; the analyst's start page lists the latest refused files with their reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from stadsdel.indicators.models import ImportBatch, Observation, RefusedImport
from stadsdel.start.selectors import overview_for
from task_worker import run_worker

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db

BAD_CSV = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,01270001,2010,T,55.5,555,1000\n"
    "employment_rate_20_64,01270002,2010,T,sextio,600,1000\n"
)


def upload(content: str, name: str = "botkyrka_2010.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # where the page keeps an upload for its import task


def test_a_bad_upload_writes_no_figure_one_refusal_and_shows_on_the_analysts_overview(client, analyst_user):
    client.force_login(analyst_user)
    response = client.post(reverse("indicators:statistics_import"), {"format": "csv", "file": upload(BAD_CSV)})
    assert response.status_code == 302  # to the import task's page
    run_worker()
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()
    refused = RefusedImport.objects.get()
    assert refused.source_name == "botkyrka_2010.csv" and refused.fmt == "csv"
    assert refused.channel == RefusedImport.Channel.PAGE and refused.created_by == analyst_user
    assert refused.problem_count == 1 and "rad 3" in refused.message and "sextio" in refused.message
    assert refused.problems == [line.strip() for line in refused.message.splitlines()[1:]]

    section = overview_for(user=analyst_user, today=dt.date.today()).analyst
    assert section.refused == [refused] and section.refused_recent == 1
    html = client.get(reverse("start:overview")).content.decode()
    failed = html[html.index('id="analyst-failed"'):]
    assert "botkyrka_2010.csv" in failed and "rad 3" in failed and "sextio" in failed
    assert "importsidan" in failed  # the channel, in words (Swedish first)
    client.cookies["django_language"] = "en"
    failed = client.get(reverse("start:overview")).content.decode()
    assert "refused for 1 fault" in failed and "import page" in failed


def test_a_good_upload_leaves_no_refusal(client, analyst_user):
    client.force_login(analyst_user)
    good = BAD_CSV.replace("sextio", "60.0")
    assert client.post(reverse("indicators:statistics_import"), {"format": "csv", "file": upload(good)}).status_code == 302
    run_worker()
    assert Observation.objects.exists() and not RefusedImport.objects.exists()


def test_an_upload_the_form_refuses_is_recorded_too(client, analyst_user):
    client.force_login(analyst_user)
    response = client.post(reverse("indicators:statistics_import"), {"format": "pxweb", "file": upload("{}", "scb.json")})
    assert response.status_code == 400
    refused = RefusedImport.objects.get()
    assert refused.source_name == "scb.json" and refused.fmt == "pxweb" and refused.problem_count == 1
    assert "PxWeb" in refused.message
    # Without a file there is nothing to record: a form sent empty is not a refused import.
    client.post(reverse("indicators:statistics_import"), {"format": "csv"})
    assert RefusedImport.objects.count() == 1


def test_a_coordinator_who_may_not_import_leaves_no_refusal(client, haninge_user):
    client.force_login(haninge_user)
    assert client.post(reverse("indicators:statistics_import"), {"format": "csv", "file": upload(BAD_CSV)}).status_code == 403
    assert not RefusedImport.objects.exists()


def test_the_import_command_records_its_refusal_once_and_exits_2():
    with pytest.raises(CommandError) as exc:
        call_command("import", str(FILES / "bad_value.csv"), "--format", "csv")
    assert exc.value.returncode == 2
    assert not Observation.objects.exists()
    refused = RefusedImport.objects.get()
    assert refused.source_name == "bad_value.csv" and refused.channel == RefusedImport.Channel.COMMAND
    assert refused.created_by is None and refused.problem_count >= 1 and "rad" in refused.message


def test_the_api_records_its_refusal(client, analyst_user):
    from stadsdel.api.models import ApiToken

    _record, token = ApiToken.issue(user=analyst_user, name="test")
    response = client.post("/api/indicators/imports", {"format": "csv", "file": upload(BAD_CSV)},
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    refused = RefusedImport.objects.get()
    assert refused.channel == RefusedImport.Channel.API and refused.created_by == analyst_user
    assert not Observation.objects.exists()
