"""An upload on the import page in a real browser (issue 20): the user lands on the task's page,
which says no worker is running while none is, then moves on its own, without a reload by the
user, to the import's counts once a worker has run it; a bad file's faults are listed there.
Screenshots at 1366 and 390 px, Swedish and English, in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD_CSV = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,01270001,2010,T,55.5,555,1000\n"
    "employment_rate_20_64,01270002,2010,T,60,600,1000\n"
)
BAD_CSV = GOOD_CSV.replace("60,600", "sextio,600")


@pytest.fixture
def analyst(db, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from stadsdel.accounts.models import Membership, Role
    from stadsdel.agreements.models import Organisation
    from stadsdel.seeds.loader import seeds_load

    settings.DATA_DIR = tmp_path
    seeds_load()  # a transactional test starts from a flushed database
    user = get_user_model().objects.create_user(username="analyst", password="pw-analyst")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(key="stockholms_kommun"),
                              role=Role.ANALYST)
    return user


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Användarnamn").fill("analyst")
    page.get_by_label("Lösenord").fill("pw-analyst")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def _upload(page, base: str, tmp_path: Path, content: str) -> None:
    path = tmp_path / "botkyrka_2010.csv"
    path.write_text(content)
    page.goto(f"{base}/statistics/import/")
    page.get_by_label("Format").select_option("csv")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Importera", exact=True).click()
    page.wait_for_url(re.compile(r"/tasks/[0-9a-f-]{36}/$"))


def _worker_run_while_the_page_waits(page) -> None:
    """Run the worker here while the page's requests wait for it to finish. The test database
    is SQLite in memory, shared between this thread and the live server's: a read of a table
    the worker is writing fails at once ("database table is locked") instead of waiting, as it
    would in a file database in WAL mode (production) or on PostgreSQL, and the page's next poll
    would meet an error page. A route set here is served only when this thread is back in
    Playwright, so every request the page sends meanwhile waits; the page still moves on its
    own afterwards."""
    from task_worker import run_worker

    page.route("**/*", lambda route: route.continue_())
    run_worker()


def _shots(page, name: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} at {width} px is {overflow} px wider than the window"
    page.set_viewport_size({"width": 1280, "height": 1000})


def _in_english(page) -> None:
    from urllib.parse import urljoin

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": urljoin(page.url, "/")}])
    page.reload()


def test_an_upload_moves_from_queued_to_its_counts_without_a_reload(page, live_server, analyst, tmp_path):
    from playwright.sync_api import expect

    from stadsdel.indicators.models import ImportBatch
    from stadsdel.jobs import services

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/statistics/import/")
    expect(page.get_by_text("Filen importeras i bakgrunden")).to_be_visible()
    _shots(page, "import-page-sv")
    _upload(page, live_server.url, tmp_path, GOOD_CSV)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import av en statistikfil")
    expect(page.locator("[data-state]")).to_have_text("Köad; ingen arbetsprocess körs")
    expect(page.locator("#task-no-worker")).to_contain_text("ingen arbetsprocess körs")
    _shots(page, "import-task-no-worker-sv")
    # A worker starts: the page notices by itself.
    services.beat("browser-worker")
    expect(page.locator("#task-no-worker")).to_have_count(0)
    expect(page.locator("[data-state]")).to_have_text("Köad")
    _worker_run_while_the_page_waits(page)
    expect(page.locator("#import-result")).to_contain_text("Filen har importerats")
    expect(page.locator("[data-state]")).to_have_text("Klar")
    expect(page.locator("#import-created")).to_have_text("2")
    _shots(page, "import-task-done-sv")
    batch = ImportBatch.objects.get()
    page.get_by_role("link", name=f"Visa import {batch.pk}").click()
    page.wait_for_url(re.compile(rf"/statistics/imports/{batch.pk}/$"))
    page.go_back()
    _in_english(page)
    expect(page.locator("#import-result")).to_contain_text("The file has been imported")
    _shots(page, "import-task-done-en")
    assert errors == []


def test_a_bad_upload_lists_its_faults_on_the_task_page(page, live_server, analyst, tmp_path):
    from playwright.sync_api import expect

    from stadsdel.indicators.models import Observation
    from stadsdel.jobs import services
    from stadsdel.jobs.models import WorkerBeat

    _sign_in(page, live_server.url)
    _upload(page, live_server.url, tmp_path, BAD_CSV)
    services.beat("browser-worker")
    _worker_run_while_the_page_waits(page)
    expect(page.locator("[data-state]")).to_have_text("Misslyckades")
    expect(page.get_by_role("alert")).to_contain_text("Filen botkyrka_2010.csv kunde inte importeras")
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    expect(page.locator("#import-errors tbody th")).to_contain_text("rad 3")
    assert not Observation.objects.exists()
    _shots(page, "import-task-refused-sv")
    _in_english(page)
    expect(page.get_by_role("alert")).to_contain_text("could not be imported: nothing has been saved")
    _shots(page, "import-task-refused-en")
    page.context.clear_cookies()
    _sign_in(page, live_server.url)
    WorkerBeat.objects.all().delete()
    _upload(page, live_server.url, tmp_path, GOOD_CSV)
    _in_english(page)
    expect(page.locator("#task-no-worker")).to_contain_text("no worker is running")
    _shots(page, "import-task-no-worker-en")
    page.goto(f"{live_server.url}/statistics/import/")
    expect(page.get_by_text("The file is imported in the background")).to_be_visible()
    _shots(page, "import-page-en")
