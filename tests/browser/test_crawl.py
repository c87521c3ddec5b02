"""Every page as each role meets it, in the real browser, on the demo's data: axe-core finds no
violation of the WCAG 2.0/2.1 A and AA rules (the floor for public-sector services in Sweden), no
page is wider than the screen at 1366 px or at 390 px, no page shows an internal identifier where
a name exists (an indicator's code, a goal area's or organisation's key, a status key, a
fingerprint), and each page is whole in each language: rendered in English it holds no text of the
Swedish catalogue, and in Swedish no English sentence of it.

The crawl signs in as each demo login (and as a visitor), follows every link of the site from the
start page breadth first and opens each kind of page once per role (addresses that differ only in
their numbers count as one kind); each kind is checked as the first role that reaches it, so a page
only some roles may open (an edit form, a queue) is checked as one of them. Downloads, the API and
the admin are not pages and are left out. Pages no link reaches within the crawl's budget are
opened afterwards at addresses built from the demo's data, and the test proves the crawl complete:
every GET page of the RBAC matrix's page list (tests/security/test_rbac_matrix.py PAGES) was
checked, but for the few named in NOT_CRAWLED. It runs once, on SQLite: a page's markup does not
depend on the database, and CI's time does.
"""

from __future__ import annotations

import gettext
import importlib.resources
import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.db import connection
from django.urls import Resolver404, resolve, reverse

import stadsdel
from stadsdel.demo.builder import demo_build
from stadsdel.demo.logins import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["", "departementet", "haninge", "forsakringskassan", "analytiker", "namnd", "sokande"]
PAGES_PER_ROLE = 60
WIDTHS = (1366, 390)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NOT_PAGES = re.compile(
    r"\.(csv|xlsx|pdf|ics|json|js|png|svg)(\?|$)|^/(logout|admin|api|i18n|assets|static)/|[?&]format=|/download"
)

# GET entries of the RBAC page list that are no HTML page for a person to read, so the crawl does
# not check them (every other GET page of the list must be checked, see _required_pages):
NOT_CRAWLED = {
    "ops:health": "a JSON status for monitoring",
    "jobs:task_state": "a task's state as JSON, which its page polls",
    "ui:vega_bundle": "the chart library's JavaScript",
    "plans:deadline_feed": "the deadlines as an iCalendar feed (a download)",
    "portal:plan_json": "a published plan as JSON (the portal's open data)",
    "portal:plan_goals_csv": "a plan's goals as CSV (a download)",
    "portal:dialogue_json": "a dialogue as JSON (the portal's open data)",
    "funding:attachment_download": "an application's attached file (a download)",
}


# A catalogue text is telling from three words and 20 characters on: shorter ones are the
# glossary's terms, which English pages give in Swedish on purpose ("a cooperation agreement
# (samverkansöverenskommelse)") and which the records' own names hold ("Lokalt partnerskap Haninge").
MIN_CATALOGUE_TEXT = 20
MIN_CATALOGUE_WORDS = 3
# The main text of a page as a reader sees it: closed <details> and hidden nodes are left out
# (innerText), a <select>'s options are added (they are read when it is opened). Parts marked as
# in another language (a Swedish agreement quoted on an English page, lang="sv") are left out for
# the language check only: `other` = true gives their text instead.
MAIN_TEXT = """other => { const main = document.querySelector('main'); if (!main) return '';
  const page = document.documentElement.lang;
  const quoted = [...main.querySelectorAll('[lang]')].filter(e => e.lang !== page);
  const hidden = quoted.map(e => [e, e.style.display]);
  if (!other) hidden.forEach(([e]) => e.style.display = 'none');
  const text = other ? quoted.map(e => e.innerText).join('\\n')
    : main.innerText + '\\n' + [...main.querySelectorAll('option')].map(o => o.textContent).join('\\n');
  hidden.forEach(([e, display]) => e.style.display = display);
  return text; }"""


def _identifiers() -> re.Pattern[str]:
    """The internal identifiers a reader must not meet: every indicator code, goal area,
    programme and organisation key, and every stored choice key with an underscore (status keys
    like `in_review`, `base_year`), hexadecimal fingerprints (16 digits or more) and the demo boundary file's former
    name. Keys without
    a separator (`arbete`, `draft`) are ordinary words, the same as their names, and are left out."""
    from django.apps import apps

    from stadsdel.agreements.models import Organisation
    from stadsdel.indicators.models import Indicator
    from stadsdel.plans.models import GoalArea, Programme

    keys = set(Indicator.objects.values_list("code", flat=True))
    keys |= set(GoalArea.objects.values_list("key", flat=True)) | set(Programme.objects.values_list("key", flat=True))
    keys |= set(Organisation.objects.values_list("key", flat=True))
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str):
                    keys.add(value)
    keys = {k for k in keys if re.fullmatch(r"\w+([_-]\w+)+", k)}  # not the history's "+", "-", "~"
    words = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({words}|[0-9a-f]{{16,}}|demo_synthetic_boundaries_sams)(?![\w-])")


def _catalogue() -> tuple[set[str], set[str]]:
    """(Swedish texts, English texts) of the compiled message catalogue long enough to be telling,
    each split at its placeholders and markup; only messages whose translation differs."""
    mo = Path(stadsdel.__file__).resolve().parent / "locale" / "sv" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog  # msgid (or (msgid, n) for plurals) → msgstr
    placeholder = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\w*\}|<[^>]+>|\n")
    swedish: set[str] = set()
    english: set[str] = set()
    for msgid, sv in catalogue.items():
        en = (msgid[0] if isinstance(msgid, tuple) else msgid).split("\x04")[-1]  # without a context
        if not en or not sv or sv == en:
            continue
        for text, into in ((sv, swedish), (en, english)):
            into.update(_normal(part).strip() for part in placeholder.split(text)
                        if len(part.strip()) >= MIN_CATALOGUE_TEXT and len(part.split()) >= MIN_CATALOGUE_WORDS)
    return swedish - english, english - swedish


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(page, base: str, seeds: dict[str, str], done: dict[str, str]):
    """Yield each kind of page the signed-in user can reach from the start page, once; then each
    page of `seeds` (URL name → address) whose name is not in `done` (checked by an earlier role),
    which no link of the budget reached. A page that sends the reader elsewhere (to sign in) is not
    the page asked for and is not yielded."""
    seen: set[str] = set()
    queue = ["/"]
    opened = 0

    def open_(path: str) -> bool:
        response = page.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            return False
        return urlparse(page.url).path == urlparse(path).path  # not redirected (to the sign-in page)

    while queue and opened < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _kind(path) in seen:
            continue
        seen.add(_kind(path))
        if not open_(path):
            continue
        opened += 1
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc == urlparse(base).netloc and not NOT_PAGES.search(target):
                queue.append(target)
        yield path
    for name, path in seeds.items():
        if name in done or _kind(path) in seen:
            continue
        seen.add(_kind(path))
        if open_(path):
            yield path


def _url_name(path: str) -> str:
    try:
        return resolve(urlparse(path).path).view_name
    except Resolver404:
        return ""


def _required_pages() -> set[str]:
    """The URL names of the RBAC matrix's GET pages, less NOT_CRAWLED (and the admin's, which the
    matrix does not list)."""
    module = sys.modules.get("test_rbac_matrix")
    if module is None:
        path = Path(__file__).resolve().parents[1] / "security" / "test_rbac_matrix.py"
        spec = importlib.util.spec_from_file_location("test_rbac_matrix", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return {name for name, (method, *_rest) in module.PAGES.items() if method == "GET"} - set(NOT_CRAWLED)


def _seeds() -> dict[str, str]:
    """An address of the demo's data for each page of the RBAC list (URL name → address), for the
    pages no link reaches within the crawl's budget. Each role tries those not yet checked, so an
    owner's page is opened by its owner."""
    from django_tasks_db.models import DBTaskResult

    from stadsdel.agreements.models import Agreement, Commission, CooperationAgreement, Partnership
    from stadsdel.areas.models import District
    from stadsdel.evaluation.models import Evaluation
    from stadsdel.followup.models import AgencyReport
    from stadsdel.funding.models import Application, Fund, FundRound
    from stadsdel.funding.models import FollowUp as FundFollowUp
    from stadsdel.indicators.models import ImportBatch
    from stadsdel.indices.models import IndexModel
    from stadsdel.plans.models import DistrictPlan, Programme, ResidentDialogue

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    partnership = Partnership.objects.get(key="jordbro")
    plan = DistrictPlan.objects.filter(district=jordbro).order_by("-year").first()
    goal = plan.goals.order_by("number").first() if plan else None
    seeds = {
        "start:home": "/", "start:overview": reverse("start:overview"), "login": reverse("login"),
        "areas:municipality_list": reverse("areas:municipality_list"),
        "areas:municipality_detail": reverse("areas:municipality_detail", args=[jordbro.municipality.code]),
        "areas:district_list": reverse("areas:district_list"),
        "areas:district_detail": reverse("areas:district_detail", args=[jordbro.pk]),
        "indicators:district_statistics": reverse("indicators:district_statistics", args=[jordbro.pk]),
        "agreements:agreement_list": reverse("agreements:agreement_list"),
        "agreements:commission_list": reverse("agreements:commission_list"),
        "agreements:partnership_list": reverse("agreements:partnership_list"),
        "agreements:partnership_detail": reverse("agreements:partnership_detail", args=[partnership.pk]),
        "agreements:partnership_edit": reverse("agreements:partnership_edit", args=[partnership.pk]),
        "agreements:cooperation_create": reverse("agreements:cooperation_create", args=[partnership.pk]),
        "agreements:cooperation_list": reverse("agreements:cooperation_list"),
        "indicators:indicator_list": reverse("indicators:indicator_list"),
        "indicators:indicator_detail": reverse("indicators:indicator_detail", args=["employment_rate_20_64"]),
        "indicators:exclusion_overview": reverse("indicators:exclusion_overview"),
        "indicators:explore": reverse("indicators:explore") + f"?indicator=employment_rate_20_64&district={jordbro.pk}",
        "indicators:statistics_import": reverse("indicators:statistics_import"),
        "ops:audit": reverse("ops:audit"),
        "indices:overview": reverse("indices:overview"), "indices:typology": reverse("indices:typology"),
        "plans:plan_list": reverse("plans:plan_list"), "plans:deadlines": reverse("plans:deadlines"),
        "plans:participation_index": reverse("plans:participation_index"),
        "plans:participation": reverse("plans:participation", args=[jordbro.municipality.code]),
        "plans:dialogue_create": reverse("plans:dialogue_create", args=[jordbro.municipality.code]),
        "followup:report_list": reverse("followup:report_list"),
        "followup:national_detail": reverse("followup:national_detail", args=[2011]),
        "followup:report_detail": reverse("followup:report_detail", args=[jordbro.municipality.code, 2011]),
        "followup:report_edit": reverse("followup:report_edit", args=[jordbro.municipality.code, 2011]),
        "portal:index": reverse("portal:index"),
        "funding:index": reverse("funding:index"), "funding:decision_queue": reverse("funding:decision_queue"),
        "funding:followup_list": reverse("funding:followup_list"),
        "evaluation:evaluation_list": reverse("evaluation:evaluation_list"),
        "evaluation:evaluation_create": reverse("evaluation:evaluation_create"),
    }
    # Pages of a record: the first the demo has (a name without one is reported as unchecked).
    records = {
        "jobs:task_detail": ("jobs:task_detail", DBTaskResult.objects.order_by("enqueued_at").first()),
        "agreements:agreement_detail": ("agreements:agreement_detail", Agreement.objects.order_by("pk").first()),
        "agreements:commission_detail": ("agreements:commission_detail", Commission.objects.order_by("pk").first()),
        "agreements:cooperation_detail": ("agreements:cooperation_detail",
                                          CooperationAgreement.objects.filter(published=True).order_by("pk").first()),
        "agreements:cooperation_edit": ("agreements:cooperation_edit",
                                        CooperationAgreement.objects.filter(partnership=partnership).order_by("pk").first()),
        "indicators:import_detail": ("indicators:import_detail", ImportBatch.objects.order_by("pk").first()),
        "indices:model_detail": ("indices:model_detail", IndexModel.objects.order_by("pk").first()),
        "plans:plan_detail": ("plans:plan_detail", plan), "plans:goal_create": ("plans:goal_create", plan),
        "plans:plan_comments": ("plans:plan_comments", plan), "plans:plan_moderation": ("plans:plan_moderation", plan),
        "plans:dialogue_detail": ("plans:dialogue_detail", ResidentDialogue.objects.order_by("pk").first()),
        "plans:dialogue_edit": ("plans:dialogue_edit", ResidentDialogue.objects.order_by("pk").first()),
        "funding:fund_detail": ("funding:fund_detail", Fund.objects.order_by("pk").first()),
        "funding:application_create": ("funding:application_create", FundRound.objects.order_by("-year").first()),
        "funding:application_detail": ("funding:application_detail",
                                       Application.objects.exclude(status="draft").order_by("pk").first()),
        "funding:application_edit": ("funding:application_edit",
                                     Application.objects.filter(status="draft").order_by("pk").first()),
        "funding:followup_edit": ("funding:followup_edit", FundFollowUp.objects.order_by("pk").first()),
        "evaluation:evaluation_detail": ("evaluation:evaluation_detail", Evaluation.objects.order_by("pk").first()),
        "evaluation:evaluation_edit": ("evaluation:evaluation_edit", Evaluation.objects.order_by("pk").first()),
    }
    seeds.update({name: reverse(url, args=[obj.pk]) for name, (url, obj) in records.items() if obj is not None})
    if goal is not None:
        seeds["plans:goal_edit"] = reverse("plans:goal_edit", args=[plan.pk, goal.pk])
    programme = Programme.objects.order_by("pk").first()
    if programme is not None:
        seeds["plans:programme_goals"] = reverse("plans:programme_goals", args=[programme.key])
    agency = AgencyReport.objects.select_related("organisation").order_by("-year").first()
    if agency is not None:
        seeds["followup:agency_report"] = reverse("followup:agency_report", args=[agency.organisation.key, agency.year])
    return seeds


@pytest.fixture
def demo(db):
    if connection.vendor != "sqlite":
        pytest.skip("the crawl runs once, on SQLite: markup does not depend on the database")
    demo_build()
    _participation()


def _participation() -> None:
    """What the demo lacks for three pages of the RBAC list, written as Haninge's coordinator
    would: its Jordbro plan open for comments with an answered comment, and a published resident
    dialogue on the plan's first goal (synthetic, like the demo)."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from stadsdel.areas.models import District
    from stadsdel.plans import services as plan_services
    from stadsdel.plans.models import DistrictPlan, PlanComment

    haninge = get_user_model().objects.get(username="haninge")
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = DistrictPlan.objects.filter(district=jordbro).order_by("-year").first()
    DistrictPlan.objects.filter(pk=plan.pk).update(comments_open=True)
    comment = plan_services.comment_create(plan=plan, text="Fler platser för läxhjälp i Jordbro (demo).",
                                           name="Kim Exempel", ip="127.0.0.1")
    comment = plan_services.comment_moderate(user=haninge, comment=comment, version=comment.version,
                                             status=PlanComment.Status.APPROVED)
    plan_services.comment_answer(user=haninge, comment=comment, version=comment.version,
                                 answer="Tack, läxhjälpen ingår i mål 2.1 (demo).")
    plan_services.dialogue_create(
        user=haninge, municipality=jordbro.municipality,
        fields={"title": "Trygghetsvandring i Jordbro centrum (demo)", "held_on": dt.date(2011, 5, 12),
                "participants": 24, "themes": "Belysning, trygghet", "outcome": "Bättre belysning vid stationen (demo).",
                "published": True},
        districts=[jordbro], goals=list(plan.goals.order_by("number")[:1]),
    )


def _language(context, base: str, code: str) -> None:
    context.add_cookies([{"name": "django_language", "value": code, "url": base}])


def test_every_page_passes_axe_fits_the_screen_shows_names_and_is_whole_in_each_language(
        live_server, demo, launch, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    axe = (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    identifier = _identifiers()
    swedish, english = _catalogue()
    violations: list[str] = []
    too_wide: list[str] = []
    codes: list[str] = []
    untranslated: list[str] = []
    opened: dict[str, int] = {}
    checked: set[str] = set()
    checked_names: dict[str, str] = {}  # URL name → "role path" where it was checked
    seeds = _seeds()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for role in ROLES:
            # The product's content security policy allows no inline script; axe is injected as one.
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True)
            context.set_default_timeout(60_000)  # a loaded CI machine can take long over a report page
            _language(context, live_server.url, "sv")
            page = context.new_page()
            if role:
                page.goto(f"{live_server.url}/login/")
                page.fill("input[name=username]", role)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("form button.button")  # the first buttons switch the language
                page.wait_for_load_state()
                assert "/login/" not in page.url, f"{role} could not sign in"
            who = role or "visitor"
            opened[who] = 0
            for path in _crawl(page, live_server.url, seeds, checked_names):
                opened[who] += 1
                if _kind(path) in checked:
                    continue
                checked.add(_kind(path))
                checked_names.setdefault(_url_name(path), f"{who} {path}")
                page.add_script_tag(content=axe)
                result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
                violations += [f"{who} {path}: {v['id']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
                               for v in result["violations"]]
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    if scroll_width > width:
                        too_wide.append(f"{who} {path}: {scroll_width} px at {width}")
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                text = _normal(page.evaluate(MAIN_TEXT, False))
                quoted = _normal(page.evaluate(MAIN_TEXT, True))
                codes += [f"{who} {path} sv: {code}" for code in sorted(set(identifier.findall(text + quoted)))]
                untranslated += [f"{who} {path} sv: English {t!r}" for t in sorted(english) if t in text]
                # The same page in English (the crawl's next page switches back to Swedish).
                _language(context, live_server.url, "en")
                page.reload()
                text = _normal(page.evaluate(MAIN_TEXT, False))
                quoted = _normal(page.evaluate(MAIN_TEXT, True))
                codes += [f"{who} {path} en: {code}" for code in sorted(set(identifier.findall(text + quoted)))]
                untranslated += [f"{who} {path} en: Swedish {t!r}" for t in sorted(swedish) if t in text]
                _language(context, live_server.url, "sv")
            context.close()
        browser.close()
    # The crawl reached the pages of every role (a broken sign-in or start page would open few).
    assert all(count >= 15 for count in opened.values()), opened
    print(f"opened {opened}, checked {len(checked)} kinds of page")
    print("\n".join(f"checked {name}: {where}" for name, where in sorted(checked_names.items())))
    # The crawl is complete: every GET page of the RBAC page list was checked, by link or seed.
    unchecked = [f"{name} (seed: {seeds.get(name, 'none')})" for name in sorted(_required_pages() - set(checked_names))]
    # All four at once: one run of the crawl names every fault.
    faults = {"axe": violations, "too wide": too_wide, "codes": codes, "untranslated": untranslated,
              "never checked": unchecked}
    print("\n".join(f"{kind}: {line}" for kind, lines in faults.items() for line in lines))
    assert {kind: lines for kind, lines in faults.items() if lines} == {}
