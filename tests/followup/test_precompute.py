"""Reports computed in the background (issue 20): every kind of change counts the data version up,
a report computed before it is never shown as current, the page says it is being recomputed while
the worker runs, and shows the report computed from the new data afterwards."""

from __future__ import annotations

import pytest

from stadsdel.areas.models import District, Municipality
from stadsdel.followup import precompute, services
from stadsdel.followup.models import DataVersion, FollowUpReport, PrecomputedReport
from stadsdel.indicators.models import ImportBatch
from stadsdel.indices.models import IndexModel
from stadsdel.jobs.services import beat
from stadsdel.plans.services import plan_create
from task_worker import run_worker

KEY = precompute.ReportKey("national", 2011, True)




def _import(user):
    ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name="ny.csv", created_by=user)


def _plan_edit(user):
    plan_create(user=user, district=District.objects.get(name="Jordbro", kind="district"), year=2011,
                period_end=2014, title="Jordbro 2011")


def _report_edit(user):
    report = services.report_start(user=user, municipality=Municipality.objects.get(code="0136"), year=2011)
    section = report.sections.first()
    services.section_update(user=user, section=section, version=section.version, text="Nytt")


def _publication(user):
    services.national_publish(user=user, year=2011, published=True)


def _index_version(user):
    model = IndexModel.objects.order_by("pk").first()
    model.pk = None
    model.version += 1
    model.save()


CHANGES = {"import batch": _import, "plan edit": _plan_edit, "report edit": _report_edit,
           "publication": _publication, "index model version": _index_version}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_kind_of_change_makes_the_report_recomputed(change, ministry_user, haninge_user, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    computed = []
    monkeypatch.setattr(precompute, "compute", lambda key: computed.append(key) or {"c": computed.count(key)})
    assert precompute.report_context(KEY) == {"c": 1}
    assert precompute.report_context(KEY) == {"c": 1}  # stored: read, not computed again
    before = precompute.current_version().version
    user = haninge_user if change in ("report edit", "plan edit") else ministry_user
    with django_capture_on_commit_callbacks(execute=True):
        CHANGES[change](user)
    assert precompute.current_version().version > before
    assert PrecomputedReport.objects.get(key=str(KEY)).data_version < precompute.current_version().version
    # The change queued the recomputation; the worker runs it and the report is current again.
    run_worker()
    row = PrecomputedReport.objects.get(key=str(KEY))
    assert row.data_version == precompute.current_version().version
    assert precompute.report_context(KEY) == {"c": 2} and computed.count(KEY) == 2


def test_the_page_says_it_is_being_recomputed_then_shows_the_new_report(client, ministry_user,
                                                                        django_capture_on_commit_callbacks):
    page = client.get("/reports/national/2011/")
    assert page.status_code == 200 and "data-recomputing" not in page.content.decode()
    assert "Inledning från departementet" not in page.content.decode()
    beat("test-worker")  # a worker is running
    with django_capture_on_commit_callbacks(execute=True):
        services.national_publish(user=ministry_user, year=2011, published=True,
                                  introduction="Inledning från departementet")
    changed = DataVersion.objects.get(pk=1).changed_at
    waiting = client.get("/reports/national/2011/")
    html = waiting.content.decode()
    # Never the old report: a notice with the time the data changed, which updates itself.
    assert waiting.status_code == 200 and "data-recomputing" in html and "Jordbro" not in html
    from django.utils import timezone

    assert timezone.localtime(changed).strftime("%Y-%m-%d %H:%M:%S") in html
    assert waiting["Cache-Control"] == "no-store"
    run_worker()
    ready = client.get("/reports/national/2011/").content.decode()
    assert "data-recomputing" not in ready and "Jordbro" in ready


def test_without_a_worker_the_page_computes_the_report_itself(client, ministry_user,
                                                              django_capture_on_commit_callbacks):
    assert client.get("/reports/national/2011/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.national_publish(user=ministry_user, year=2011, published=True, introduction="Ny inledning")
    html = client.get("/reports/national/2011/").content.decode()
    assert "data-recomputing" not in html and "Jordbro" in html


def test_a_report_edit_reaches_the_followup_page(client, haninge_user, django_capture_on_commit_callbacks):
    client.force_login(haninge_user)
    report = services.report_start(user=haninge_user, municipality=Municipality.objects.get(code="0136"), year=2011)
    assert client.get("/reports/0136/2011/").status_code == 200
    section = report.sections.get(key="partnership")
    services.section_update(user=haninge_user, section=section, version=section.version, text="Helt ny text")
    assert "Helt ny text" in client.get("/reports/0136/2011/").content.decode()
    assert FollowUpReport.objects.filter(pk=report.pk).exists()


def test_a_bulk_load_counts_as_one_change(db):
    before = precompute.current_version().version
    with precompute.changes_held():
        ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name="a.csv")
        ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name="b.csv")
    assert precompute.current_version().version == before + 1


def test_a_report_is_stored_in_each_readers_language(client, ministry_user):
    from django.utils import translation

    with translation.override("en"):
        english = precompute.ReportKey("national", 2011, True)
    assert str(english).endswith(":en") and precompute.ReportKey.parse(str(english)) == english
    # A key stored before languages were part of it reads as the site's language.
    assert precompute.ReportKey.parse("national::2011:public").language == "sv"
    assert client.get("/reports/national/2011/").status_code == 200
    client.cookies["django_language"] = "en"
    assert client.get("/reports/national/2011/").status_code == 200
    stored = set(PrecomputedReport.objects.values_list("key", flat=True))
    # The Swedish reader's report is not served to the English one: each has its own.
    assert {"national::2011:public:sv", "national::2011:public:en"} <= stored


def test_a_report_computed_for_older_data_does_not_replace_a_newer_one(db, monkeypatch):
    # A request still computing at the version it read keeps its answer to itself when a task has
    # meanwhile kept the report for newer data.
    monkeypatch.setattr(precompute, "compute", lambda key: {"c": "computed"})
    precompute.store(KEY, version=7)
    assert PrecomputedReport.objects.get(key=str(KEY)).data_version == 7
    assert precompute.store(KEY, version=5) == {"c": "computed"}
    assert PrecomputedReport.objects.get(key=str(KEY)).data_version == 7
    precompute.store(KEY, version=8)
    assert PrecomputedReport.objects.get(key=str(KEY)).data_version == 8
