"""Report files built in the background (issue 20): with a worker running, a signed-in reader's
PDF or Excel download is built by a task whose page then links to it; the file is kept for the
data version and served from there until the data change. Without a worker, or for a visitor,
the file is built in the request, as before."""

from __future__ import annotations

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
    assert bytes(kept.data) == served.content and kept.fmt == "xlsx"
    # The task is its owner's: another reader is refused its page.
    other = client.__class__()
    other.force_login(haninge_user)
    assert other.get(task_page).status_code == 403
    # A change of the data: the kept file is no longer served, a new one is built.
    with django_capture_on_commit_callbacks(execute=True):
        services.national_publish(user=ministry_user, year=2011, published=True, introduction="Ny inledning")
    waiting = client.get(URL)  # while the report is recomputed: the page says so, no old file
    assert waiting.status_code == 200 and "data-recomputing" in waiting.content.decode()
    run_worker()
    assert client.get(URL).status_code == 302
    run_worker()
    rebuilt = client.get(URL)
    assert rebuilt.status_code == 200 and rebuilt["Content-Type"] == XLSX
    assert ReportFile.objects.get().version > kept.version


def test_without_a_worker_or_for_a_visitor_the_file_is_built_in_the_request(client, ministry_user):
    served = client.get("/reports/national/2011/?format=xlsx")  # a visitor, no worker
    assert served.status_code == 200 and served["Content-Type"] == XLSX
    beat("test-worker")
    assert client.get("/reports/national/2011/?format=xlsx").status_code == 200  # still a visitor
    client.force_login(ministry_user)
    assert client.get("/reports/national/2011/?format=html").status_code == 200  # HTML is quick: in the request
