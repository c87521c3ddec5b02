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
the admin are not pages and are left out. It runs once, on SQLite: a page's markup does not depend
on the database, and CI's time does.
"""

from __future__ import annotations

import gettext
import importlib.resources
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.db import connection

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


def _crawl(page, base: str):
    """Yield each kind of page the signed-in user can reach from the start page, once."""
    seen: set[str] = set()
    queue = ["/"]
    opened = 0
    while queue and opened < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _kind(path) in seen:
            continue
        seen.add(_kind(path))
        response = page.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        opened += 1
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc == urlparse(base).netloc and not NOT_PAGES.search(target):
                queue.append(target)
        yield path


@pytest.fixture
def demo(db):
    if connection.vendor != "sqlite":
        pytest.skip("the crawl runs once, on SQLite: markup does not depend on the database")
    demo_build()


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
            for path in _crawl(page, live_server.url):
                opened[who] += 1
                if _kind(path) in checked:
                    continue
                checked.add(_kind(path))
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
    # All four at once: one run of the crawl names every fault.
    faults = {"axe": violations, "too wide": too_wide, "codes": codes, "untranslated": untranslated}
    print("\n".join(f"{kind}: {line}" for kind, lines in faults.items() for line in lines))
    assert {kind: lines for kind, lines in faults.items() if lines} == {}
