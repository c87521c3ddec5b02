"""The API's asynchronous import (issue 20): `POST /api/indicators/imports` with `Prefer:
respond-async` (RFC 7240) and a worker running answers 202 with `Location` naming the task's
state, which the uploader (and no one else) follows until the counts are there; without the
header, or without a worker, the import runs in the request as before."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stadsdel.api.models import ApiToken
from stadsdel.indicators.models import ImportBatch, Observation
from stadsdel.jobs.services import beat
from task_worker import run_worker

pytestmark = pytest.mark.django_db

CSV = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,01270001,2010,T,55.5,555,1000\n"
    "employment_rate_20_64,01270002,2010,T,60,600,1000\n"
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _post(client, token, content=CSV, **headers):
    return client.post("/api/indicators/imports",
                       {"format": "csv", "file": SimpleUploadedFile("botkyrka.csv", content.encode(), "text/csv")},
                       HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_respond_async_queues_the_import_and_the_location_follows_it(client, analyst_user, malmo_user):
    _record, token = ApiToken.issue(user=analyst_user, name="test")
    beat("test-worker")
    queued = _post(client, token, HTTP_PREFER="wait=10, respond-async")
    assert queued.status_code == 202, queued.content
    assert queued["Preference-Applied"] == "respond-async"
    location = queued["Location"]
    assert location == queued.json()["state_url"] and location.startswith("/api/tasks/")
    assert not Observation.objects.exists()  # nothing imported in the request
    state = client.get(location, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert state["status"] == "READY" and not state["finished"] and state["result"] == {}
    # Another user's token is refused the state; no token at all is told to authenticate.
    _other, other_token = ApiToken.issue(user=malmo_user, name="test")
    assert client.get(location, HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 403
    assert client.__class__().get(location).status_code == 401

    run_worker()
    done = client.get(location, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert done["status"] == "SUCCESSFUL" and done["finished"] and done["percent"] == 100
    batch = ImportBatch.objects.get()
    assert done["result"]["created"] == 2 and done["result"]["batch_id"] == batch.pk
    assert Observation.objects.count() == 2


def test_a_refused_file_fails_its_task_with_the_faults(client, analyst_user):
    _record, token = ApiToken.issue(user=analyst_user, name="test")
    beat("test-worker")
    queued = _post(client, token, content=CSV.replace("60,600", "sextio,600"), HTTP_PREFER="respond-async")
    assert queued.status_code == 202
    run_worker()
    failed = client.get(queued["Location"], HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert failed["status"] == "FAILED" and failed["error"] and failed["result"]["problems"]
    assert not Observation.objects.exists()


def test_without_the_header_or_a_worker_the_import_runs_in_the_request(client, analyst_user):
    _record, token = ApiToken.issue(user=analyst_user, name="test")
    without_worker = _post(client, token, HTTP_PREFER="respond-async")
    assert without_worker.status_code == 201 and "Preference-Applied" not in without_worker
    beat("test-worker")
    plain = _post(client, token)
    assert plain.status_code == 201 and plain.json()["unchanged"] == 2
