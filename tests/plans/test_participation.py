"""Residents' participation: who may write resident dialogues and who reads them, and comments on
plans open for comment — sent by anyone, moderated by the plan's municipality before they show,
answered publicly, limited per client and per plan, refused when the plan is closed, and never
storing the writer's IP address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from stadsdel.areas.models import District, Municipality
from stadsdel.plans import services
from stadsdel.plans.models import GoalArea, PlanComment, ResidentDialogue

IP = "203.0.113.7"


@pytest.fixture
def jordbro(db):
    return District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)


@pytest.fixture
def haninge(db):
    return Municipality.objects.get(code="0136")


@pytest.fixture
def plan(haninge_user, jordbro):
    return services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)


@pytest.fixture
def goal(haninge_user, plan, jordbro):
    area = GoalArea.objects.get(programme__key=services.NATIONAL_PROGRAMME, key="trygghet")
    return services.goal_create(user=haninge_user, plan=plan,
                                fields={"goal_area": area, "number": "3.1", "text": "Fler känner sig trygga."},
                                scope_districts=[jordbro])


@pytest.fixture
def open_plan(haninge_user, plan):
    return services.plan_update(user=haninge_user, plan=plan, version=plan.version, fields={"comments_open": True})


def dialogue_post(jordbro, **extra):
    data = {"title": "Boendedialog om torget", "held_on": "2011-05-10", "districts": [jordbro.pk],
            "organiser_text": "Hyresgästföreningen Jordbro", "participants": "35",
            "participants_description": "Boende kring torget, unga 16–20 år", "themes": "Tryggheten kvällstid",
            "outcome": "Bättre belysning vid torget.", "published": "on"}
    data.update(extra)
    return data


@pytest.fixture
def dialogue(haninge_user, haninge, jordbro):
    return services.dialogue_create(
        user=haninge_user, municipality=haninge,
        fields={"title": "Trygghetsvandring", "held_on": dt.date(2011, 4, 2), "themes": "Belysning"},
        districts=[jordbro],
    )


# -- resident dialogues ---------------------------------------------------------------------------


def test_coordinator_records_a_dialogue_through_the_form(client, haninge_user, jordbro, goal):
    client.force_login(haninge_user)
    assert client.get("/plans/participation/0136/dialogues/new/").status_code == 200
    response = client.post("/plans/participation/0136/dialogues/new/", dialogue_post(jordbro, goals=[goal.pk]))
    assert response.status_code == 302
    dialogue = ResidentDialogue.objects.get()
    assert dialogue.municipality.code == "0136" and dialogue.participants == 35 and dialogue.published
    assert list(dialogue.districts.all()) == [jordbro] and list(dialogue.goals.all()) == [goal]
    # Editing carries the version; a stale save is refused with 409.
    edit = f"/plans/dialogues/{dialogue.pk}/edit/"
    assert client.get(edit).status_code == 200
    assert client.post(edit, dialogue_post(jordbro, outcome="Ny belysning.", version=1)).status_code == 302
    assert client.post(edit, dialogue_post(jordbro, outcome="Gammal.", version=1)).status_code == 409
    dialogue.refresh_from_db()
    assert dialogue.outcome == "Ny belysning." and dialogue.version == 2
    assert 'id="dialogue-table"' in client.get("/plans/participation/0136/").content.decode()


@pytest.mark.parametrize("who", ["malmo_user", "agency_user", "ministry_user", "analyst_user"])
def test_others_cannot_write_the_municipalitys_dialogues(client, request, haninge, jordbro, dialogue, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.dialogue_create(user=user, municipality=haninge, fields={"title": "x", "held_on": dt.date(2011, 1, 1)})
    with pytest.raises(PermissionDenied):
        services.dialogue_update(user=user, dialogue=dialogue, version=dialogue.version, fields={"title": "Kapad"})
    client.force_login(user)
    assert client.get("/plans/participation/0136/dialogues/new/").status_code == 403
    assert client.post("/plans/participation/0136/dialogues/new/", dialogue_post(jordbro)).status_code == 403
    assert client.post(f"/plans/dialogues/{dialogue.pk}/edit/", dialogue_post(jordbro)).status_code in (403, 404)
    dialogue.refresh_from_db()
    assert dialogue.title == "Trygghetsvandring" and ResidentDialogue.objects.count() == 1


def test_anonymous_is_sent_to_sign_in_and_reads_only_published_dialogues(client, haninge_user, jordbro, dialogue):
    response = client.post("/plans/participation/0136/dialogues/new/", dialogue_post(jordbro))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(dialogue.get_absolute_url()).status_code == 404
    assert "Trygghetsvandring" not in client.get("/plans/participation/0136/").content.decode()
    services.dialogue_update(user=haninge_user, dialogue=dialogue, version=dialogue.version, fields={"published": True})
    page = client.get(dialogue.get_absolute_url())
    assert page.status_code == 200 and "Belysning" in page.content.decode()
    assert "Trygghetsvandring" in client.get("/plans/participation/0136/").content.decode()
    assert "Malmö" not in client.get("/plans/participation/").content.decode()


def test_a_dialogue_cannot_name_another_municipalitys_districts(haninge_user, haninge, dialogue):
    rosengard = District.objects.filter(municipality__code="1280").first()
    with pytest.raises(PermissionDenied):
        services.dialogue_update(user=haninge_user, dialogue=dialogue, version=dialogue.version, fields={},
                                 districts=[rosengard])


def test_a_published_dialogue_hides_the_goals_of_a_draft_plan(client, haninge_user, dialogue, plan, goal):
    services.dialogue_update(user=haninge_user, dialogue=dialogue, version=dialogue.version,
                             fields={"published": True}, goals=[goal])
    assert "Fler känner sig trygga" not in client.get(dialogue.get_absolute_url()).content.decode()
    client.force_login(haninge_user)
    assert "Fler känner sig trygga" in client.get(dialogue.get_absolute_url()).content.decode()


# -- comments on a plan ---------------------------------------------------------------------------


def comment(client, plan, text="Belysningen vid torget behöver bli bättre.", ip=IP, **extra):
    return client.post(f"/plans/{plan.pk}/comments/", {"text": text, **extra}, REMOTE_ADDR=ip)


def test_comment_flow_from_anonymous_to_approved_and_answered(client, haninge_user, open_plan, goal):
    page = client.get(f"/plans/{open_plan.pk}/comments/")
    assert page.status_code == 200 and "Fler känner sig trygga" in page.content.decode()  # the draft's goals
    response = comment(client, open_plan, name="Anna")
    assert response.status_code == 302
    posted = PlanComment.objects.get()
    assert posted.status == PlanComment.Status.PENDING and posted.name == "Anna"
    assert "Belysningen vid torget" not in client.get(f"/plans/{open_plan.pk}/comments/").content.decode()

    coordinator = client.__class__()
    coordinator.force_login(haninge_user)
    moderation = coordinator.get(f"/plans/{open_plan.pk}/comments/moderate/").content.decode()
    assert "Belysningen vid torget" in moderation
    assert coordinator.post(f"/plans/{open_plan.pk}/comments/{posted.pk}/decision/",
                            {"status": "approved", "version": posted.version}).status_code == 302
    posted.refresh_from_db()
    assert posted.status == PlanComment.Status.APPROVED and posted.moderated_by == haninge_user
    public = client.get(f"/plans/{open_plan.pk}/comments/").content.decode()
    assert "Belysningen vid torget" in public and f'id="comment-{posted.pk}"' in public

    coordinator.post(f"/plans/{open_plan.pk}/comments/{posted.pk}/answer/",
                     {"answer": "Vi byter armaturerna i höst.", "version": posted.version})
    posted.refresh_from_db()
    assert posted.answered_by == haninge_user and posted.answered_at is not None
    assert "Vi byter armaturerna i höst." in client.get(f"/plans/{open_plan.pk}/comments/").content.decode()


def test_a_rejected_comment_never_shows(client, haninge_user, open_plan):
    comment(client, open_plan, text="Reklam för något helt annat.")
    posted = PlanComment.objects.get()
    services.comment_moderate(user=haninge_user, comment=posted, version=posted.version,
                              status=PlanComment.Status.REJECTED)
    assert "Reklam" not in client.get(f"/plans/{open_plan.pk}/comments/").content.decode()
    with pytest.raises(services.ValidationError):
        services.comment_answer(user=haninge_user, comment=posted, version=posted.version, answer="Nej.")
    # Comments closed, plan published: the page stays readable, and still without it.
    services.plan_update(user=haninge_user, plan=open_plan, version=open_plan.version,
                         fields={"comments_open": False, "published": True})
    page = client.get(f"/plans/{open_plan.pk}/comments/")
    assert page.status_code == 200 and "Reklam" not in page.content.decode()


@pytest.mark.parametrize("who", ["malmo_user", "agency_user", "ministry_user"])
def test_only_the_plans_municipality_moderates(client, request, open_plan, who):
    comment(client, open_plan)
    posted = PlanComment.objects.get()
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.comment_moderate(user=user, comment=posted, version=posted.version,
                                  status=PlanComment.Status.APPROVED)
    client.force_login(user)
    assert client.get(f"/plans/{open_plan.pk}/comments/moderate/").status_code in (403, 404)
    assert client.post(f"/plans/{open_plan.pk}/comments/{posted.pk}/decision/",
                       {"status": "approved", "version": posted.version}).status_code in (403, 404)
    assert client.post(f"/plans/{open_plan.pk}/comments/open/",
                       {"comments_open": "", "version": open_plan.version}).status_code in (403, 404)
    posted.refresh_from_db()
    open_plan.refresh_from_db()
    assert posted.status == PlanComment.Status.PENDING and open_plan.comments_open


def test_anonymous_cannot_moderate(client, open_plan):
    comment(client, open_plan)
    posted = PlanComment.objects.get()
    response = client.post(f"/plans/{open_plan.pk}/comments/{posted.pk}/decision/",
                           {"status": "approved", "version": posted.version})
    assert response.status_code == 302 and "/login/" in response["Location"]
    posted.refresh_from_db()
    assert posted.status == PlanComment.Status.PENDING


def test_rate_limit_after_five_an_hour_from_one_client(client, open_plan):
    for n in range(services.COMMENTS_PER_CLIENT_PER_HOUR):
        assert comment(client, open_plan, text=f"Synpunkt {n}").status_code == 302
    refused = comment(client, open_plan, text="En till")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert 'id="comment-refused"' in refused.content.decode()
    assert PlanComment.objects.count() == services.COMMENTS_PER_CLIENT_PER_HOUR
    # Another client may still comment; and an hour later the first one may again.
    assert comment(client, open_plan, text="Från en annan", ip="198.51.100.9").status_code == 302
    PlanComment.objects.update(created_at=timezone.now() - dt.timedelta(hours=1, minutes=1))
    assert comment(client, open_plan, text="En timme senare").status_code == 302


def test_rate_limit_per_plan_and_day(client, open_plan):
    now = timezone.now()
    PlanComment.objects.bulk_create(
        PlanComment(plan=open_plan, text=f"{n}", ip_hash=services.client_hash(f"10.0.0.{n}"), created_at=now)
        for n in range(services.COMMENTS_PER_PLAN_PER_DAY)
    )
    refused = comment(client, open_plan)
    assert refused.status_code == 429 and refused["Retry-After"] == str(24 * 3600)
    assert PlanComment.objects.count() == services.COMMENTS_PER_PLAN_PER_DAY


def test_comments_on_a_closed_plan_are_refused(client, haninge_user, plan):
    # A draft not open for comment does not exist for the public.
    assert client.get(f"/plans/{plan.pk}/comments/").status_code == 404
    assert comment(client, plan).status_code == 404
    # A published plan closed for comment: readable, but no comment is taken.
    services.plan_update(user=haninge_user, plan=plan, version=plan.version, fields={"published": True})
    assert 'id="comment-form"' not in client.get(f"/plans/{plan.pk}/comments/").content.decode()
    assert comment(client, plan).status_code == 403
    with pytest.raises(services.CommentsClosed):
        services.comment_create(plan=plan, text="x", ip=IP)
    assert not PlanComment.objects.exists()


def test_coordinator_opens_and_closes_the_plan_for_comment(client, haninge_user, plan):
    client.force_login(haninge_user)
    client.post(f"/plans/{plan.pk}/comments/open/", {"comments_open": "on", "version": plan.version})
    plan.refresh_from_db()
    assert plan.comments_open
    client.post(f"/plans/{plan.pk}/comments/open/", {"comments_open": "", "version": plan.version})
    plan.refresh_from_db()
    assert not plan.comments_open


def test_no_ip_is_stored_only_its_keyed_hash(client, open_plan):
    comment(client, open_plan)
    posted = PlanComment.objects.get()
    assert posted.ip_hash == services.client_hash(IP) and len(posted.ip_hash) == 64
    assert IP not in posted.ip_hash
    stored = [*PlanComment.objects.values(), *PlanComment.history.values()]
    assert stored and all(IP not in str(value) for row in stored for value in row.values())
    assert all("ip_hash" not in row for row in PlanComment.history.values())


def test_honeypot_and_length_limit(client, open_plan):
    bot = comment(client, open_plan, website="http://spam.example")
    assert bot.status_code == 302 and not PlanComment.objects.exists()
    too_long = comment(client, open_plan, text="x" * 2001)
    assert too_long.status_code == 400 and not PlanComment.objects.exists()
    assert comment(client, open_plan, text="", name="Anna").status_code == 400
