"""Report files built in the background (issue 20): with a worker running, a signed-in reader's
PDF or Excel download is built by a task whose page then links to it; the file is kept for the
data version and served from there until the data change, after which the worker builds it
again. Without a worker, or for a visitor, the file is built in the request and kept."""

from __future__ import annotations

import pytest

from stadsdel.followup import services
from stadsdel.followup.models import ReportFile
from stadsdel.jobs.services import beat
from task_worker import run_worker

URL = "/reports/national/2011/?format=xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_report_file_is_built_by_a_task_then_served_until_the_data_change(
        client, ministry_user, haninge_user, django_capture_on_commit_callbacks):
    client.force_login(ministry_user)
    run_worker()  # the reports are computed (the world's data were changed)
    beat("test-worker")  # a worker is running
    queued = client.get(URL)
    assert queued.status_code == 302 and queued["Location"].startswith("/tasks/")
    task_page = queued["Location"]
    assert ReportFile.objects.count() == 0  # nothing built in the request
    run_worker()
    page = client.get(task_page).content.decode()
    assert f'href="{URL}"' in page  # the task's page links to the download
    served = client.get(URL)
    assert served.status_code == 200 and served["Content-Type"] == XLSX and served.content[:2] == b"PK"
    kept = ReportFile.objects.get()
    assert bytes(kept.payload) == served.content and kept.fmt == "xlsx"
    # The task is its owner's: another reader is refused its page.
    other = client.__class__()
    other.force_login(haninge_user)
    assert other.get(task_page).status_code == 403
    # A change of the data: the kept file is no longer served, a new one is built.
    with django_capture_on_commit_callbacks(execute=True):
        services.national_publish(user=ministry_user, year=2011, published=True, introduction="Ny inledning")
    waiting = client.get(URL)  # while the report is recomputed: the page says so, no old file
    assert waiting.status_code == 200 and "data-recomputing" in waiting.content.decode()
    run_worker()  # the report, then the file someone downloaded, built again
    rebuilt = client.get(URL)  # served at once: no task, no wait
    assert rebuilt.status_code == 200 and rebuilt["Content-Type"] == XLSX
    assert ReportFile.objects.get().data_version > kept.data_version


def test_without_a_worker_or_for_a_visitor_the_file_is_built_in_the_request_and_kept(client, ministry_user):
    served = client.get("/reports/national/2011/?format=xlsx")  # a visitor, no worker
    assert served.status_code == 200 and served["Content-Type"] == XLSX
    kept = ReportFile.objects.get()
    assert bytes(kept.payload) == served.content and ":public:" in kept.key
    beat("test-worker")
    again = client.get("/reports/national/2011/?format=xlsx")  # still a visitor: served from the kept file
    assert again.status_code == 200 and again.content == served.content
    assert ReportFile.objects.get().computed_at == kept.computed_at
    client.force_login(ministry_user)
    assert client.get("/reports/national/2011/?format=html").status_code == 200  # HTML is quick: in the request


def test_a_visitors_file_is_built_again_by_the_worker_after_the_data_change(
        client, ministry_user, monkeypatch, django_capture_on_commit_callbacks):
    from stadsdel.followup import precompute

    run_worker()
    assert client.get(URL).status_code == 200  # a visitor's download, kept
    kept = ReportFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.national_publish(user=ministry_user, year=2011, published=True, introduction="Ny inledning")
    run_worker()  # the reports, then the kept file, at the new data version
    rebuilt = ReportFile.objects.get()
    assert rebuilt.data_version > kept.data_version and rebuilt.computed_at > kept.computed_at
    # The next visitor is served the file the worker built: nothing is built in the request.
    monkeypatch.setattr(precompute, "file_writer", lambda *a: pytest.fail("built in the request"))
    served = client.get(URL)
    assert served.status_code == 200 and served.content == bytes(rebuilt.payload)
